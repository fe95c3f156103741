/**
 * The state machines of a SAM template (workflows/template.yaml) by name, each
 * with its definition as deploy will create it (DefinitionSubstitutions
 * resolved, so `${ResizeImageFunctionArn}` is the ARN of the template's
 * function, in the validation account). Read without a backend: scenario
 * planning and the runner use it to learn what a template defines.
 */
import { createContext } from './context.ts';
import { resolvedDefinitionText } from './deploy.ts';
import { loadTemplate } from './model.ts';
import { VALIDATION_CONTEXT } from './validate.ts';

/**
 * Name → definition text. A state machine whose name is not a literal, or
 * whose definition cannot be read or resolved, is left out: `rehearse
 * validate` names those problems.
 */
export function templateStateMachines(templateFile: string): Map<string, string> {
  const out = new Map<string, string>();
  const { model } = loadTemplate(templateFile);
  if (!model) return out;
  const ctx = createContext(model, VALIDATION_CONTEXT);
  for (const sm of model.stateMachines) {
    if (typeof sm.name !== 'string') continue;
    try {
      out.set(sm.name, resolvedDefinitionText(sm, ctx));
    } catch {
      // Unreadable file or unresolvable substitution.
    }
  }
  return out;
}

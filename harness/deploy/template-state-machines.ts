/**
 * The state machines of a template by name, each with its definition as
 * deploy will create it (DefinitionSubstitutions resolved, so
 * `${ResizeImageFunctionArn}` is the ARN of the template's function, in the
 * validation account). Read without a backend: scenario planning and the
 * runner use it to learn what a template defines.
 */
import { loadTemplate } from './model.ts';
import { deployedDefinition } from './resources/state-machine.ts';

/** Name → definition text; a state machine whose definition cannot be read is left out (`rehearse validate` names why). */
export function templateStateMachines(templateFile: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const sm of loadTemplate(templateFile).model?.stateMachines ?? []) {
    const text = deployedDefinition(sm);
    if (text !== undefined) out.set(sm.name, text);
  }
  return out;
}

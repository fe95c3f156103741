/**
 * Before a scenario starts: the Task states its state machine could reach
 * that the backend cannot run (harness/backends/integrations.ts) and that no
 * state fault of the scenario answers. Such a Task fails the execution with
 * States.Runtime when reached; saying so first means the scenario's outcome is
 * never read without knowing why (DESIGN.md principle 7). Every state of a
 * valid definition is reachable from StartAt (Step Functions rejects
 * unreachable states), so each such Task counts, on whatever branch it is.
 */
import type { BackendName } from '../backends/backend.ts';
import type { TemplateModel } from '../deploy/index.ts';
import { unrunnableTasks } from '../backends/integrations.ts';
import type { ScenarioSpec } from './schema.ts';
import { fileStamp } from './deploy-key.ts';

export interface UnansweredInput {
  spec: ScenarioSpec;
  /** The state machine's name (the template workflow's, or the one made for an inline definition). */
  stateMachine: string;
  /** The definition as it will be created (the scenario's own, or the template's with DefinitionSubstitutions applied). */
  definitionText: string | undefined;
  backend: BackendName;
}

/** One message per unanswered Task, naming the state, the integration and the options. */
export function unansweredTasks(input: UnansweredInput): string[] {
  if (input.definitionText === undefined) return [];
  let definition: unknown;
  try {
    definition = JSON.parse(input.definitionText);
  } catch {
    return []; // CreateStateMachine reports an unreadable definition
  }
  const faults = input.spec.given?.faults ?? [];
  const answered = (state: string) => faults.some((f) => f.state === state && (f.workflow === undefined || f.workflow === input.stateMachine));
  return unrunnableTasks(definition, input.backend)
    .filter((t) => !answered(t.state))
    .map((t) => `${input.stateMachine}: ${t.message}`);
}

/**
 * A template's model as the scenario's parameters make it, kept while the file
 * is unchanged (mtime and size, so --watch sees edits): a suite's scenarios
 * share a template, and reading it costs ~25 ms each time.
 */
const models = new Map<string, Promise<TemplateModel | undefined>>();

export async function templateModel(template: string, parameters: Record<string, string>): Promise<TemplateModel | undefined> {
  const file = fileStamp(template);
  const key = JSON.stringify([template, file?.mtimeMs, file?.size, Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : 1))]);
  let model = models.get(key);
  if (!model) {
    if (models.size >= 32) models.clear();
    model = import('../deploy/index.ts').then(({ loadTemplate }) => loadTemplate(template, { parameters }).model);
    models.set(key, model);
  }
  return model;
}

/** Whether the template defines a state machine of that name (its names only; default parameters). */
export async function templateDefines(template: string, stateMachine: string): Promise<boolean> {
  return (await templateModel(template, {}))?.stateMachines.some((sm) => sm.name === stateMachine) ?? false;
}

/** The definition a template state machine is created with, read without deploying (undefined when the template does not define it). */
export async function templateDefinition(template: string, stateMachine: string, parameters: Record<string, string>): Promise<string | undefined> {
  const sm = (await templateModel(template, parameters))?.stateMachines.find((s) => s.name === stateMachine);
  if (!sm) return undefined;
  const { deployedDefinition } = await import('../deploy/resources/state-machine.ts');
  return deployedDefinition(sm);
}

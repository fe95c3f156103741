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
import { unrunnableTasks } from '../backends/integrations.ts';
import type { ScenarioSpec } from './schema.ts';

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

/** The definition a template state machine is created with, read without deploying (undefined when the template does not define it). */
export async function templateDefinition(template: string, stateMachine: string, parameters: Record<string, string>): Promise<string | undefined> {
  const { loadTemplate } = await import('../deploy/index.ts');
  const { deployedDefinition } = await import('../deploy/resources/state-machine.ts');
  const sm = loadTemplate(template, { parameters }).model?.stateMachines.find((s) => s.name === stateMachine);
  return sm ? deployedDefinition(sm) : undefined;
}

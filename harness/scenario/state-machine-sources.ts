/**
 * Which state machines a scenario creates, and where each definition is
 * written — what coverage maps its counts back onto (harness/report/coverage).
 * A deployed template creates all of its state machines (a DefinitionUri
 * file, or the template itself for an inline Definition/DefinitionString); a
 * scenario's own `definition` is its file, or the scenario file when inline,
 * and takes the place of the template's state machine it replaces.
 */
import { dirname, resolve } from 'node:path';
import { deployedDefinition } from '../deploy/resources/state-machine.ts';
import type { LoadedScenario } from './loader.ts';
import type { StateMachineSource } from './results.ts';
import { templateModel } from './unanswered-tasks.ts';

export interface SourcesInput {
  loaded: LoadedScenario;
  /** The template deployed for the scenario, if any, and the parameters it was read with. */
  template?: string;
  parameters: Record<string, string>;
  /** The scenario's own definition text, and whether it replaces the template's `workflow`. */
  definitionText?: string;
  replaces: boolean;
  /** The name the scenario's own definition is created under (runner.ts scenarioStateMachineName). */
  ownName: string;
}

function scenarioSource(loaded: LoadedScenario, name: string, definition: string): StateMachineSource {
  const d = loaded.spec.definition;
  return typeof d === 'string'
    ? { name, definition, file: resolve(dirname(loaded.file), d), at: [] }
    : { name, definition, file: loaded.file, at: ['definition'] };
}

export async function stateMachineSources(input: SourcesInput): Promise<StateMachineSource[]> {
  const out: StateMachineSource[] = [];
  const { loaded, definitionText } = input;
  if (input.template !== undefined) {
    const model = await templateModel(input.template, input.parameters);
    for (const sm of model?.stateMachines ?? []) {
      if (input.replaces && definitionText !== undefined && sm.name === loaded.spec.workflow) {
        out.push(scenarioSource(loaded, sm.name, deployedDefinition(sm, definitionText) ?? definitionText));
        continue;
      }
      const definition = deployedDefinition(sm);
      if (definition === undefined) continue;
      if (sm.definitionFile !== undefined) {
        out.push({ name: sm.name, definition, file: sm.definitionFile, at: [] });
        continue;
      }
      const resources = model!.template.raw.Resources as Record<string, { Properties?: Record<string, unknown> }> | undefined;
      const raw = resources?.[sm.logicalId]?.Properties ?? {};
      const field = raw.Definition !== undefined ? 'Definition' : 'DefinitionString';
      out.push({ name: sm.name, definition, file: model!.file, at: ['Resources', sm.logicalId, 'Properties', field] });
    }
  }
  if (definitionText !== undefined && !input.replaces) out.push(scenarioSource(loaded, input.ownName, definitionText));
  return out;
}

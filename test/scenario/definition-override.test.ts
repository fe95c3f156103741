/**
 * A scenario's `definition` with a `workflow` the template defines replaces
 * that state machine's definition in the deployed template — placeholders
 * filled from its DefinitionSubstitutions, the real functions deployed — so
 * an edited workflow is checked (or a production failure replayed) before merge.
 * Real embedded endpoint, real deploy, real external-call Lambda.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../harness/backends/index.ts';
import { deploy, templateStateMachines } from '../../harness/deploy/index.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { runScenario } from '../../harness/scenario/runner.ts';
import { ProjectResolver } from '../../harness/project/resolve.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const TEMPLATE = join(REPO, 'workflows', 'template.yaml');

/** external-call.asl.json with its ServiceException retrier cut from 3 attempts to 1. */
async function editedDefinition(): Promise<string> {
  const def = JSON.parse(await readFile(join(REPO, 'workflows', 'external-call.asl.json'), 'utf8')) as {
    States: { CallExternalService: { Retry: Array<{ ErrorEquals: string[]; MaxAttempts: number }> } };
  };
  const retrier = def.States.CallExternalService.Retry.find((r) => r.ErrorEquals.includes('ServiceException'))!;
  retrier.MaxAttempts = 1;
  return JSON.stringify(def, null, 2);
}

const scenario = (definitionLine: string, then: string) => `
name: two upstream failures
workflow: external-call
${definitionLine}
given:
  secrets:
    image-processor/config: { targetWidth: 800, targetHeight: 600, outputFormat: webp, quality: 80 }
  faults:
    - { function: external-call, invocations: [1, 2], throw: { errorType: ServiceException, message: upstream 503 } }
when:
  - start: { input: { orderId: 7 } }
  - await: { status: [SUCCEEDED, FAILED] }
then:
${then}
`;

async function run(dir: string, yaml: string) {
  const file = join(dir, 'scenario.yaml');
  const backend = await createBackend('embedded', { seed: 'definition-override' });
  try {
    return await runScenario({ file, spec: parseScenario(yaml, file) }, { backend, seed: 'definition-override', cwd: dir, projects: new ProjectResolver({ template: TEMPLATE }, dir), waitTimeoutMs: 60_000 });
  } finally {
    await backend.dispose();
  }
}

describe('a scenario definition in place of a template workflow', { timeout: 180_000 }, () => {
  it('deploys the template with the edited definition (placeholders filled), so the edit decides the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'definition-override-'));
    await writeFile(join(dir, 'edited.asl.json'), await editedDefinition());

    // As deployed from the template: 3 attempts absorb two failures.
    const asIs = await run(dir, scenario('', '  path: [CallExternalService, CallSucceeded]\n  states: { CallExternalService: { attempts: 3 } }'));
    expect(asIs.status, JSON.stringify(asIs.checks)).toBe('passed');

    // The edit allows one retry: the second failure is caught and notified.
    const edited = await run(dir, scenario('definition: edited.asl.json', '  path: [CallExternalService, NotifyError]\n  states: { CallExternalService: { attempts: 2 } }'));
    expect(edited.status, JSON.stringify(edited.checks)).toBe('passed');
    const exec = edited.executions[0]!;
    expect(exec.stateMachineArn).toMatch(/:stateMachine:external-call$/);
    // The Lambda ARNs the edited file names by placeholder were filled in from the template.
    const scheduled = exec.history.filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails as { parameters: string });
    expect(scheduled.map((d) => (JSON.parse(d.parameters) as { FunctionName: string }).FunctionName)).toEqual([
      expect.stringMatching(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:external-call$/),
      expect.stringMatching(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:external-call$/),
      expect.stringMatching(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:notify-error$/),
    ]);
  });

  it('names a placeholder the state machine does not define, before anything is deployed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'definition-override-'));
    await writeFile(join(dir, 'typo.asl.json'), (await editedDefinition()).replace('${ExternalCallFunctionArn}', '${ExternalCalFunctionArn}'));
    const r = await run(dir, scenario('definition: typo.asl.json', '  execution: { status: SUCCEEDED }'));
    expect(r.status).toBe('error');
    expect(r.reason).toBe(
      `given: the definition given for state machine external-call has placeholders its DefinitionSubstitutions in ${TEMPLATE} do not define: \${ExternalCalFunctionArn} (defined: ExternalCallFunctionArn, NotifyErrorFunctionArn)`,
    );
  });

  it('deploy rejects an override for a state machine the template does not define, naming the ones it does', async () => {
    const backend = await createBackend('embedded', { seed: 'definition-override' });
    try {
      // Every state machine the template defines is named (the list grows with the reference workload).
      const defined = [...(await templateStateMachines(TEMPLATE)).keys()];
      expect(defined).toContain('external-call');
      const error = await deploy(TEMPLATE, backend, { definitionOverrides: { 'external-cal': '{}' } }).then(() => undefined, (e: Error) => e);
      const m = /^a definition was given for state machine external-cal, which (.+) does not define \(it defines: (.+)\)$/.exec(error?.message ?? '');
      expect(m?.[1], error?.message).toBe(TEMPLATE);
      expect(m![2]!.split(', ').sort()).toEqual(defined.sort());
    } finally {
      await backend.dispose();
    }
  });
});

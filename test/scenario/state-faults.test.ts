/**
 * State faults (`given.faults: - { state, return | throw }`): a Task the
 * embedded endpoint cannot run (here Glue's startJobRun.sync) answered by the
 * scenario, so its Retry and Catch run for real — and, without one, the
 * scenario is reported before it starts, then fails with States.Runtime
 * rather than passing through its catch-all Catch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../harness/backends/backend.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { createControlApi } from '../../harness/scenario/control.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { runScenario } from '../../harness/scenario/runner.ts';

const DEFINITION = `
definition:
  StartAt: RunJob
  States:
    RunJob:
      Type: Task
      Resource: arn:aws:states:::glue:startJobRun.sync
      Arguments: { JobName: nightly-etl }
      QueryLanguage: JSONata
      Retry: [{ ErrorEquals: [Glue.ConcurrentRunsExceededException], IntervalSeconds: 30, MaxAttempts: 2 }]
      Catch: [{ ErrorEquals: [States.ALL], Next: Recover }]
      Output: '{% { "state": $states.result.JobRunState } %}'
      Next: Done
    Recover: { Type: Pass, Result: { recovered: true }, Next: Done }
    Done: { Type: Succeed }
`;

let backend: Backend;
beforeAll(async () => {
  backend = await createBackend('embedded', { seed: 'state-faults' });
}, 60_000);
afterAll(async () => backend?.dispose());

async function run(yaml: string) {
  const spec = parseScenario(yaml, '/virtual/state-faults.yaml');
  const warnings: string[] = [];
  const result = await runScenario({ file: '/virtual/state-faults.yaml', spec }, { backend, seed: 'state-faults', cwd: '/virtual', reset: true, waitTimeoutMs: 20_000, warn: (m) => warnings.push(m) });
  return { result, warnings };
}

describe('state faults', { timeout: 120_000 }, () => {
  it('return answers a Task the endpoint cannot run, as its integration result', async () => {
    const { result, warnings } = await run(`name: glue answered
${DEFINITION}
given:
  faults:
    - { state: RunJob, return: { JobRunState: SUCCEEDED, Id: jr_1 } }
when: [{ start: {} }]
then:
  execution: { status: SUCCEEDED, output: { state: SUCCEEDED } }
  path: [RunJob, Done]
`);
    expect(warnings).toEqual([]);
    expect(result.status, JSON.stringify(result.checks)).toBe('passed');
  });

  it('throw is the task error: Retry retries it on virtual time, then a later call answers', async () => {
    const { result } = await run(`name: glue throttled then answered
${DEFINITION}
given:
  faults:
    - { state: RunJob, workflow: scenario-glue-throttled-then-answered, invocations: [1], throw: { errorType: Glue.ConcurrentRunsExceededException, message: too many runs } }
    - { state: RunJob, return: { JobRunState: SUCCEEDED } }
when: [{ start: {} }]
then:
  execution: { status: SUCCEEDED, output: { state: SUCCEEDED } }
  path: [RunJob, Done]
  states: { RunJob: { retryDelaysSeconds: [30] } }
`);
    expect(result.status, JSON.stringify(result.checks)).toBe('passed');
    expect(result.virtualSeconds).toBe(30);
  });

  it('throw with no Retry for it goes to the Catch path', async () => {
    const { result } = await run(`name: glue job failed
${DEFINITION}
given:
  faults:
    - { state: RunJob, throw: { errorType: States.TaskFailed, message: job run FAILED } }
when: [{ start: {} }]
then:
  execution: { status: SUCCEEDED, output: { recovered: true } }
  path: [RunJob, Recover, Done]
`);
    expect(result.status, JSON.stringify(result.checks)).toBe('passed');
  });

  it('without a fault: named before the start (state, integration, options), then States.Runtime — never the Catch path', async () => {
    const { result, warnings } = await run(`name: glue unanswered
${DEFINITION}
when: [{ start: {} }]
then:
  execution: { status: FAILED, error: States.Runtime }
  path: [RunJob]
`);
    expect(warnings).toEqual([
      "/virtual/state-faults.yaml: 'glue unanswered': scenario-glue-unanswered: Task RunJob calls glue:startJobRun.sync, which the embedded endpoint cannot run: the embedded endpoint does not serve Glue (.sync job runs). Give the scenario a fault that answers it (given.faults: - { state: RunJob, return: … } or - { state: RunJob, throw: { errorType: … } }), no backend rehearse starts has it",
    ]);
    expect(result.status, JSON.stringify(result.checks)).toBe('passed');
  });

  it('a fault for another workflow does not answer it', async () => {
    const { warnings } = await run(`name: glue other workflow
${DEFINITION}
given:
  faults: [{ state: RunJob, workflow: some-other-machine, return: {} }]
when: [{ start: {} }]
then:
  execution: { status: FAILED, error: States.Runtime }
`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Task RunJob calls glue:startJobRun.sync');
  });

  it('bad state faults are refused naming the field: in the scenario and on the control API', async () => {
    expect(() => parseScenario(`name: both\n${DEFINITION}\ngiven:\n  faults: [{ state: RunJob, return: {}, throw: { errorType: X } }]\nwhen: [{ start: {} }]\nthen: { execution: { status: SUCCEEDED } }\n`, '/virtual/bad.yaml')).toThrow(
      /state fault on RunJob: give exactly one of return, throw/,
    );
    expect(() => parseScenario(`name: latency\n${DEFINITION}\ngiven:\n  faults: [{ state: RunJob, latencyMs: 5 }]\nwhen: [{ start: {} }]\nthen: { execution: { status: SUCCEEDED } }\n`, '/virtual/bad.yaml')).toThrow(
      /latencyMs belongs to function or operation faults/,
    );
    const control = createControlApi(backend.controlUrl!);
    await expect(control.putFaults({ states: [{ state: 'RunJob' }] } as never)).rejects.toThrow(/states\[0\]` needs exactly one of return, throw/);
    await expect(control.putFaults({ states: [{ state: 'RunJob', throw: { cause: 'x' } }] } as never)).rejects.toThrow(/states\[0\]\.throw` must be \{ error: string, cause\?: string \}/);
    await expect(control.putFaults({ states: [{ return: 1 }] } as never)).rejects.toThrow(/states\[0\]\.state` must be a non-empty string/);
  });
});

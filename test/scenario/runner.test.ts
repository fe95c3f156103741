/**
 * The runner on small inline workflows (no Lambdas) against the real embedded
 * endpoint over HTTP: steps, virtual time, callbacks, Map concurrency, and
 * scenarios that must fail naming the right expectation.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../harness/backends/backend.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { runScenario } from '../../harness/scenario/runner.ts';

async function run(yaml: string, backend?: Backend) {
  const spec = parseScenario(yaml, '/virtual/inline.yaml');
  const own = backend ?? (await createBackend('embedded', { seed: 'runner-test' }));
  try {
    return await runScenario({ file: '/virtual/inline.yaml', spec }, { backend: own, seed: 'runner-test', cwd: '/virtual', waitTimeoutMs: 20_000 });
  } finally {
    if (!backend) await own.dispose();
  }
}

const failed = (r: Awaited<ReturnType<typeof run>>) => r.checks.filter((c) => c.status === 'failed');

describe('scenario runner (embedded endpoint, inline workflows)', { timeout: 180_000 }, () => {
  it('runs a workflow with an hour-long Wait in virtual time and checks output, path and history', async () => {
    const r = await run(`
name: inline wait
definition:
  StartAt: Hello
  States:
    Hello: { Type: Pass, Result: { greeting: hi }, ResultPath: $.hello, Next: Pause }
    Pause: { Type: Wait, Seconds: 3600, Next: Done }
    Done: { Type: Succeed }
when:
  - start: { input: { who: world }, as: main }
  - await: { execution: main, status: SUCCEEDED }
then:
  execution: { of: main, status: SUCCEEDED, output: { who: world, hello: { greeting: hi } }, outputPaths: { "$.hello.greeting": hi } }
  path: [Hello, Pause, Done]
  states: { Pause: { entered: 1 } }
  history: [{ type: WaitStateEntered, state: Pause }, { type: ExecutionSucceeded }]
`);
    expect(r.status, JSON.stringify(r.checks)).toBe('passed');
    expect(r.checks).toHaveLength(6);
    expect(r.virtualSeconds).toBe(3600);
    expect(r.durationMs).toBeLessThan(15_000);
  });

  it('fails a wrong expectation and names it, with expected, actual and where', async () => {
    const r = await run(`
name: inline must fail
definition:
  StartAt: Boom
  States:
    Boom: { Type: Fail, Error: Custom.Boom, Cause: it broke }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED, error: Custom.Other }
  path: [Boom, Cleanup]
`);
    expect(r.status).toBe('failed');
    const f = failed(r);
    expect(f.map((c) => c.id)).toEqual(['then.execution.status', 'then.execution.error', 'then.path']);
    expect(f[0]).toMatchObject({ expected: 'SUCCEEDED', actual: 'FAILED', message: 'expected status SUCCEEDED, got FAILED (Custom.Boom: "it broke")' });
    expect(f[0]!.where).toMatchObject({ state: 'Boom' });
    expect(f[1]!.message).toBe('expected error "Custom.Other", got "Custom.Boom"');
    expect(f[2]!.message).toBe("state 'Cleanup' was not entered after 'Boom'");
  });

  it('captures a callback task token from the history, refuses a wrong token, completes with the right one', async () => {
    const r = await run(`
name: inline callback
given:
  topics: [approvals]
definition:
  StartAt: AskHuman
  States:
    AskHuman:
      Type: Task
      Resource: arn:aws:states:::sns:publish.waitForTaskToken
      Parameters:
        TopicArn: arn:aws:sns:us-east-1:000000000000:approvals
        Message: { taskToken.$: $$.Task.Token }
      HeartbeatSeconds: 600
      Next: Done
    Done: { Type: Succeed }
when:
  - start: {}
  - await: { state: AskHuman, captureToken: approval }
  - taskSuccess: { token: wrong, output: { ok: false }, expectError: TaskDoesNotExist }
  - heartbeat: { token: approval }
  - taskSuccess: { token: approval, output: { ok: true } }
  - await: { status: SUCCEEDED }
then:
  execution: { status: SUCCEEDED, output: { ok: true } }
`);
    expect(r.steps.map((s) => `${s.status} ${s.action}`)).toEqual([
      'passed start',
      'passed await',
      'passed taskSuccess',
      'passed heartbeat',
      'passed taskSuccess',
      'passed await',
    ]);
    expect(r.steps[1]!.message).toMatch(/captured task token as 'approval'/);
    expect(r.steps[2]!.message).toBe('SendTaskSuccess failed with TaskDoesNotExist, as expected');
    expect(r.status, JSON.stringify([r.reason, r.checks, r.steps])).toBe('passed');
  });

  it('fails the step (not the checks) when an awaited state is never reached, saying where the execution went', async () => {
    const r = await run(`
name: inline wrong await
definition:
  StartAt: A
  States:
    A: { Type: Pass, Next: B }
    B: { Type: Succeed }
when:
  - start: {}
  - await: { state: Missing }
then:
  execution: { status: SUCCEEDED }
`);
    expect(r.status).toBe('failed');
    const step = r.steps.find((s) => s.status === 'failed')!;
    expect(step.id).toBe('when[1]');
    expect(step.message).toBe("state 'Missing' is not in scenario-inline-wrong-await (states: A, B)");
  });

  it('measures peak Map concurrency through the control API', async () => {
    const r = await run(`
name: inline map
definition:
  StartAt: Fan
  States:
    Fan:
      Type: Map
      ItemsPath: $.items
      MaxConcurrency: 2
      ItemProcessor:
        ProcessorConfig: { Mode: INLINE }
        StartAt: Work
        States:
          Work: { Type: Wait, Seconds: 5, End: true }
      End: true
when:
  - start: { input: { items: [1, 2, 3, 4, 5, 6] } }
then:
  execution: { status: SUCCEEDED }
  states: { Work: { entered: 6 } }
  concurrency: { maps: { Fan: 2 } }
`);
    expect(r.status, JSON.stringify(r.checks)).toBe('passed');
    const bad = await run(`
name: inline map wrong peak
definition:
  StartAt: Fan
  States:
    Fan:
      Type: Map
      ItemsPath: $.items
      MaxConcurrency: 2
      ItemProcessor:
        StartAt: Work
        States:
          Work: { Type: Wait, Seconds: 5, End: true }
      End: true
when:
  - start: { input: { items: [1, 2, 3, 4] } }
then:
  concurrency: { maps: { Fan: 3 } }
`);
    expect(failed(bad).map((c) => c.message)).toEqual(['expected Fan peak concurrency exactly 3, got 2']);
  });

  it('is deterministic for a seed: same execution names and the same history (relative times)', async () => {
    const yaml = `
name: inline determinism
definition:
  StartAt: Fan
  States:
    Fan:
      Type: Map
      ItemsPath: $.items
      MaxConcurrency: 2
      ItemProcessor:
        StartAt: Work
        States:
          Work: { Type: Wait, Seconds: 2, End: true }
      End: true
when:
  - start: { input: { items: [1, 2, 3] } }
then:
  execution: { status: SUCCEEDED }
`;
    const shape = (r: Awaited<ReturnType<typeof run>>) =>
      r.executions.map((e) => ({ name: e.name, events: e.history.map((h) => `${h.id} ${h.type} +${h.timestamp - e.startDate}`) }));
    const a = shape(await run(yaml));
    const b = shape(await run(yaml));
    expect(a[0]!.events.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });

  it('skips (never passes) a scenario whose faults the backend cannot inject, with the reason', async () => {
    const fake: Backend = {
      name: 'endpoint',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      capabilities: { virtualTime: false, functionFaults: 'none', operationFaults: false, observations: false, localCodeDirectories: false },
      dispose: async () => {},
      [Symbol.asyncDispose]: async () => {},
    };
    const r = await run(
      `
name: needs faults
workflow: image-processor
given:
  faults: [{ function: resize-image, invocations: [1], throw: { errorType: Lambda.TooManyRequestsException } }]
when:
  - advanceClock: { seconds: 5 }
`,
      fake,
    );
    expect(r.status).toBe('skipped');
    expect(r.reason).toMatch(/^skipped on endpoint: .*function faults.*virtual time/);
  });
});

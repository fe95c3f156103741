/** Retry and Catch: AWS's matching rules, back-off schedule, jitter, catch output. */
import { describe, expect, it } from 'vitest';
import { FakeInvoker, namedError, single, testEngine } from './helpers.ts';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';

function failing(times: number, name = 'Flaky'): FakeInvoker {
  let calls = 0;
  return new FakeInvoker({
    f: () => {
      calls++;
      if (calls <= times) throw namedError(name, `attempt ${calls}`);
      return { ok: calls };
    },
  });
}

function scheduledTimes(history: ReadonlyArray<{ type: string; timestamp: number }>): number[] {
  const ts = history.filter((e) => e.type === 'LambdaFunctionScheduled').map((e) => e.timestamp);
  return ts.slice(1).map((t, i) => (t - ts[i]!) / 1000);
}

describe('Retry', () => {
  it('follows IntervalSeconds × BackoffRate^n on the virtual clock', async () => {
    const t = testEngine({ invoker: failing(3) });
    const r = await t.run(single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 5 }] }));
    expect(r.snapshot.status).toBe('SUCCEEDED');
    expect(r.output).toEqual({ ok: 4 });
    expect(scheduledTimes(r.history)).toEqual([2, 6, 18]);
  });

  it('caps delays at MaxDelaySeconds', async () => {
    const t = testEngine({ invoker: failing(3) });
    const r = await t.run(single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, BackoffRate: 10, MaxDelaySeconds: 50, MaxAttempts: 3 }] }));
    expect(scheduledTimes(r.history)).toEqual([10, 50, 50]);
  });

  it('MaxAttempts 0 never retries', async () => {
    const r = await testEngine({ invoker: failing(1) }).run(single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }] }));
    expect(r.snapshot).toMatchObject({ status: 'FAILED', error: 'Flaky' });
    expect(r.types.filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(1);
  });

  it('uses the first matching retrier even when its attempts are spent', async () => {
    const r = await testEngine({ invoker: failing(5) }).run(
      single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 1, IntervalSeconds: 1 }, { ErrorEquals: ['States.ALL'], MaxAttempts: 5, IntervalSeconds: 1 }] }),
    );
    expect(r.snapshot.status).toBe('FAILED');
    expect(r.types.filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(2);
  });

  it('JitterStrategy FULL draws delays from the seeded source (same seed → same delays, all ≤ the cap)', async () => {
    const def = single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 100, BackoffRate: 1, MaxAttempts: 3, JitterStrategy: 'FULL' }] });
    const a = scheduledTimes((await testEngine({ invoker: failing(3), seed: 's1' }).run(def)).history);
    const b = scheduledTimes((await testEngine({ invoker: failing(3), seed: 's1' }).run(def)).history);
    const c = scheduledTimes((await testEngine({ invoker: failing(3), seed: 's2' }).run(def)).history);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const d of a) expect(d).toBeLessThanOrEqual(100);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('never retries States.Runtime, even under States.ALL', async () => {
    const r = await testEngine({ invoker: new FakeInvoker({ f: () => ({}) }) }).run(
      single({ Type: 'Task', Resource: FN, OutputPath: '$.missing', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }] }, { C: { Type: 'Pass', End: true } }),
    );
    expect(r.snapshot.error).toBe('States.Runtime');
    expect(r.types.filter((x) => x === 'LambdaFunctionScheduled')).toHaveLength(1);
  });
});

describe('Catch', () => {
  const withCatch = (catcher: Record<string, unknown>) =>
    single({ Type: 'Task', Resource: FN, Catch: [catcher] }, { Handler: { Type: 'Pass', End: true } });

  it('puts {Error, Cause} at ResultPath of the state input', async () => {
    const r = await testEngine({ invoker: failing(1, 'Oops') }).run(withCatch({ ErrorEquals: ['Oops'], ResultPath: '$.error', Next: 'Handler' }), { keep: true });
    expect(r.output).toEqual({ keep: true, error: { Error: 'Oops', Cause: '{"errorType":"Oops","errorMessage":"attempt 1"}' } });
    expect(r.types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'TaskStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  it('States.TaskFailed does not match States.Timeout', async () => {
    const invoker = new FakeInvoker({ f: (_e, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) });
    const r = await testEngine({ invoker }).run(
      single({ Type: 'Task', Resource: FN, TimeoutSeconds: 5, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Handler' }] }, { Handler: { Type: 'Pass', End: true } }),
    );
    expect(r.snapshot).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(r.types).toContain('LambdaFunctionTimedOut');
  });

  it('JSONata Catch Output and Assign see $states.errorOutput', async () => {
    const r = await testEngine({ invoker: failing(1, 'Oops') }).run({
      QueryLanguage: 'JSONata',
      StartAt: 'S',
      States: {
        S: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['States.ALL'], Output: { caught: '{% $states.errorOutput.Error %}' }, Assign: { err: '{% $states.errorOutput.Error %}' }, Next: 'H' }], End: true },
        H: { Type: 'Pass', Output: '{% [$states.input.caught, $err] %}', End: true },
      },
    });
    expect(r.output).toEqual(['Oops', 'Oops']);
  });
});

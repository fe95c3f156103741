/**
 * The runtime's execution-environment cap (maxEnvironments): invocations beyond
 * it wait FIFO for a slot, idle environments of other functions make room, and
 * a queued invocation's function timeout starts only when its handler starts.
 */
import { describe, expect, it } from 'vitest';
import { createIdSource } from '../../harness/core/index.ts';
import { LambdaRuntime } from '../../harness/runtime/index.ts';
import { startRuntime } from './support.ts';

describe('maxEnvironments', () => {
  it('rejects a cap below 1, naming the option', () => {
    const make = () =>
      new LambdaRuntime({ region: 'eu-west-1', runtimeApiHost: () => '127.0.0.1:9', endpointUrl: () => 'http://127.0.0.1:9', ids: createIdSource('x'), maxEnvironments: 0 });
    expect(make).toThrow(/maxEnvironments must be an integer >= 1, got 0/);
  });

  it('queues FIFO behind one environment; the timeout starts when the handler starts', async () => {
    await using rt = await startRuntime({ maxEnvironments: 1 });
    // 600 ms each with a 1 s timeout: the third waits ~1.2 s but must not time out.
    const spec = rt.spec('queued', { handler: 'slow.handler', timeoutSeconds: 1 });
    const finished: number[] = [];
    const runs = [0, 1, 2].map((i) => rt.invoke(spec, { ms: 600 }).then((r) => (finished.push(i), r)));
    await new Promise((r) => setTimeout(r, 100));
    expect(rt.runtime.capacity()).toEqual({ environments: 1, maxEnvironments: 1, waiting: 2 });
    const results = await Promise.all(runs);
    for (const r of results) expect(r.status).toBe('success');
    expect(results.map((r) => r.coldStart)).toEqual([true, false, false]);
    expect(results.map((r) => JSON.parse(r.payload) as { calls: number })).toEqual([{ calls: 1 }, { calls: 2 }, { calls: 3 }]);
    expect(finished).toEqual([0, 1, 2]);
    expect(rt.runtime.capacity()).toEqual({ environments: 1, maxEnvironments: 1, waiting: 0 });
  });

  it('stops an idle environment of another function to make room', async () => {
    await using rt = await startRuntime({ maxEnvironments: 1 });
    const a = rt.spec('fn-a', { handler: 'echo.handler' });
    const b = rt.spec('fn-b', { handler: 'echo.handler' });
    expect((await rt.invoke(a, { n: 1 })).status).toBe('success');
    expect(rt.runtime.stats('fn-a').idle).toBe(1);
    const rb = await rt.invoke(b, { n: 2 });
    expect(rb.status).toBe('success');
    expect(rb.coldStart).toBe(true);
    expect(rt.runtime.stats('fn-a').environments).toBe(0);
    expect(rt.runtime.capacity().environments).toBe(1);
  });
});

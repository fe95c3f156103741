/**
 * The runtime's execution-environment cap (maxEnvironments): invocations beyond
 * it wait FIFO for a slot, idle environments of other functions make room,
 * functions share the slots when they compete, and a queued invocation's
 * function timeout starts only when its handler starts.
 */
import { describe, expect, it, vi } from 'vitest';
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
    // 1.8 s each with a 3 s timeout: the third waits ~3.6 s but must not time
    // out. The 1.2 s margin keeps a loaded CI machine from deciding the result.
    const spec = rt.spec('queued', { handler: 'slow.handler', timeoutSeconds: 3 });
    const finished: number[] = [];
    const runs = [0, 1, 2].map((i) => rt.invoke(spec, { ms: 1800 }).then((r) => (finished.push(i), r)));
    await vi.waitFor(() => expect(rt.runtime.capacity()).toEqual({ environments: 1, maxEnvironments: 1, waiting: 2 }));
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

  it('gives a function below its share a slot before another function’s backlog drains', async () => {
    await using rt = await startRuntime({ maxEnvironments: 2 });
    const a = rt.spec('backlog', { handler: 'slow.handler', timeoutSeconds: 10 });
    const b = rt.spec('latecomer', { handler: 'echo.handler' });
    const order: string[] = [];
    const backlog = [0, 1, 2, 3, 4, 5].map((i) => rt.invoke(a, { ms: 300 }).then((r) => (order.push(`a${i}`), r)));
    // Both slots belong to `backlog`, four of its invocations wait; `latecomer`'s share is one slot.
    await vi.waitFor(() => expect(rt.runtime.capacity()).toEqual({ environments: 2, maxEnvironments: 2, waiting: 4 }));
    const late = rt.invoke(b, { n: 1 }).then((r) => (order.push('b'), r));
    const results = await Promise.all([...backlog, late]);
    for (const r of results) expect(r.status, r.logs).toBe('success');
    // Without shares it would run after the whole backlog (FIFO), i.e. last.
    expect(order.indexOf('b')).toBeLessThan(4);
    expect(rt.runtime.stats('latecomer').coldStarts).toBe(1);
    expect(rt.runtime.capacity().environments).toBeLessThanOrEqual(2);
  });

  it('serves an invocation whose function has an idle environment out of turn, warm', async () => {
    await using rt = await startRuntime({ maxEnvironments: 3 });
    const a = rt.spec('busy', { handler: 'slow.handler', timeoutSeconds: 10 });
    const b = rt.spec('warm', { handler: 'echo.handler' });
    expect((await rt.invoke(b, { n: 0 })).coldStart).toBe(true);
    const order: string[] = [];
    const busy = [0, 1, 2, 3].map((i) => rt.invoke(a, { ms: 300 }).then((r) => (order.push(`a${i}`), r)));
    await vi.waitFor(() => expect(rt.runtime.capacity()).toEqual({ environments: 3, maxEnvironments: 3, waiting: 2 }));
    const warm = await rt.invoke(b, { n: 1 });
    order.push('b');
    // Queued behind `busy`'s waiters it would have cost `warm` its idle environment (stopped to make room).
    expect(warm.coldStart).toBe(false);
    expect(order[0]).toBe('b');
    for (const r of await Promise.all(busy)) expect(r.status).toBe('success');
  });
});


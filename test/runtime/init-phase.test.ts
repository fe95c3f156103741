/**
 * The init phase has its own limit, separate from the function timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib):
 * a slow cold start — a heavy import, or a busy machine — must not eat the
 * invocation's Timeout, which starts when the handler receives the event.
 */
import { describe, expect, it } from 'vitest';
import { startRuntime } from './support.ts';

describe('init phase vs function timeout', () => {
  it('gives the handler its whole timeout after an init longer than that timeout', async () => {
    await using rt = await startRuntime();
    // Init 1.5 s, function timeout 1 s: the handler still runs and succeeds.
    const spec = rt.spec('slow-init', { handler: 'slow-init.handler', timeoutSeconds: 1, environment: { INIT_MS: '1500' } });
    const r = await rt.invoke(spec, {});
    expect(r.status, r.logs).toBe('success');
    expect(r.coldStart).toBe(true);
    expect(r.initDurationMs).toBeGreaterThanOrEqual(1500);
    // REPORT Duration covers the handler only, not the init.
    expect(r.durationMs).toBeLessThan(r.initDurationMs!);
    expect(r.logs).toMatch(/REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\t.*Init Duration: \d{4,}\.\d\d ms/);
  });

  it('times out an init that overruns its own limit plus the function timeout, and starts afresh next time', async () => {
    // Limits wide enough that a loaded CI machine's Node start-up (which can
    // take a second or more) never decides the outcome: the stuck init is far
    // beyond them, the healthy one far within.
    await using rt = await startRuntime({ initTimeoutMs: 2000 });
    // 2 s init limit + 1 s timeout < 60 s of init.
    const stuck = rt.spec('stuck-init', { handler: 'slow-init.handler', timeoutSeconds: 1, environment: { INIT_MS: '60000' } });
    const r = await rt.invoke(stuck, {});
    expect(r.status).toBe('timeout');
    expect(r.errorType).toBe('Sandbox.Timedout');
    expect(r.durationMs).toBe(0); // the handler never got the event

    // Within its limits (2 s + 1 s), an init of 100 ms is fine.
    const ok = await rt.invoke(rt.spec('stuck-init', { handler: 'slow-init.handler', timeoutSeconds: 1, environment: { INIT_MS: '100' }, revisionId: 'r2' }), {});
    expect(ok.status, ok.logs).toBe('success');
    expect(ok.coldStart).toBe(true);
  });
});

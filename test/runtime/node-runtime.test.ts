/**
 * The Lambda runtime with real execution environments (child processes
 * speaking the Runtime API over HTTP), Node handlers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRuntime, type RuntimeFixture } from './support.ts';

let rt: RuntimeFixture;
beforeAll(async () => {
  rt = await startRuntime();
});
afterAll(async () => {
  await rt?.[Symbol.asyncDispose]();
});

function parse(payload: string): Record<string, unknown> {
  return JSON.parse(payload) as Record<string, unknown>;
}

describe('warm execution environments', () => {
  it('reuses one environment: module state survives, the cold start is counted once', async () => {
    const spec = rt.spec('warm', { handler: 'warm.handler', environment: { GREETING: 'hi' } });
    const first = await rt.invoke(spec, { n: 1 });
    const second = await rt.invoke(spec, { n: 2 });
    expect(first.status).toBe('success');
    expect(first.coldStart).toBe(true);
    expect(second.coldStart).toBe(false);
    const a = parse(first.payload);
    const b = parse(second.payload);
    expect(a.invocations).toBe(1);
    expect(b.invocations).toBe(2);
    expect(b.pid).toBe(a.pid);
    expect(b.loadedAt).toBe(a.loadedAt);
    expect(rt.runtime.stats('warm')).toMatchObject({ environments: 1, coldStarts: 1 });
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.initDurationMs).toBeUndefined();
  });

  it('gives the handler a real context and the AWS environment variables', async () => {
    const spec = rt.spec('ctx', { handler: 'warm.handler', memorySizeMb: 512, timeoutSeconds: 7, environment: { GREETING: 'hello' } });
    const r = await rt.invoke(spec, {});
    const p = parse(r.payload);
    expect(p).toMatchObject({
      awsRequestId: r.requestId,
      functionName: 'ctx',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ctx',
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/ctx',
      callbackWaitsForEmptyEventLoop: true,
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: 'ctx', AWS_ACCESS_KEY_ID: 'LAMBDA_ctx', GREETING: 'hello' },
    });
    expect(p.env).not.toHaveProperty('NODE_OPTIONS');
    expect(String(p.logStreamName)).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(p.remaining).toBeGreaterThan(5000);
    expect(p.remaining).toBeLessThanOrEqual(7000);
  });

  it('starts one environment per concurrent invocation and reuses them afterwards', async () => {
    const spec = rt.spec('burst', { handler: 'warm.handler' });
    const burst = await Promise.all([1, 2, 3].map(() => rt.invoke(spec, { waitMs: 300 })));
    expect(new Set(burst.map((r) => parse(r.payload).pid)).size).toBe(3);
    expect(burst.every((r) => r.coldStart)).toBe(true);
    const again = await Promise.all([1, 2].map(() => rt.invoke(spec, {})));
    expect(again.every((r) => !r.coldStart)).toBe(true);
    expect(rt.runtime.stats('burst')).toMatchObject({ environments: 3, coldStarts: 3 });
  });

  it('does not reuse an environment of an older revision (code or configuration changed)', async () => {
    const v1 = rt.spec('revised', { handler: 'warm.handler', revisionId: 'a' });
    const first = await rt.invoke(v1, {});
    rt.runtime.retire('revised', { ...v1, revisionId: 'b' });
    const second = await rt.invoke({ ...v1, revisionId: 'b' }, {});
    expect(second.coldStart).toBe(true);
    expect(parse(second.payload).pid).not.toBe(parse(first.payload).pid);
  });

  it('reaps idle environments', async () => {
    await using short = await startRuntime({ idleTimeoutMs: 200 });
    const spec = short.spec('reaped', { handler: 'warm.handler' });
    await short.invoke(spec, {});
    expect(short.runtime.stats('reaped').environments).toBe(1);
    // The reaper runs on a real timer; a loaded machine may run it late, so wait for it.
    await vi.waitFor(() => expect(short.runtime.stats('reaped').environments).toBe(0), { timeout: 10_000, interval: 50 });
    expect((await short.invoke(spec, {})).coldStart).toBe(true);
  });
});

describe('failures', () => {
  it('times out with Sandbox.Timedout as AWS reports it, and discards the environment', async () => {
    const spec = rt.spec('timeout', { handler: 'slow.handler', timeoutSeconds: 1 });
    const started = performance.now();
    const r = await rt.invoke(spec, { ms: 10_000 });
    const elapsed = performance.now() - started;
    expect(r.status).toBe('timeout');
    expect(r.functionError).toBe('Unhandled');
    expect(parse(r.payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(5000);
    expect(r.logs).toMatch(new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${r.requestId} Task timed out after 1\\.00 seconds\\n`));
    expect(r.logs).toMatch(/REPORT RequestId: .*\tStatus: timeout\t/);
    // A fresh environment: module state is gone.
    const next = await rt.invoke(spec, { ms: 1 });
    expect(next.status).toBe('success');
    expect(next.coldStart).toBe(true);
    expect(parse(next.payload).calls).toBe(1);
  });

  it('reports a process exit as Runtime.ExitError and starts a fresh environment next time', async () => {
    const spec = rt.spec('exit', { handler: 'crash.handler' });
    const ok = await rt.invoke(spec, {});
    const crashed = await rt.invoke(spec, { exit: 3 });
    expect(crashed.status).toBe('exit');
    expect(parse(crashed.payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: exit status 3`,
    });
    const after = await rt.invoke(spec, {});
    expect(after.coldStart).toBe(true);
    expect(parse(after.payload).pid).not.toBe(parse(ok.payload).pid);
  });

  it('kills the process for a crash fault (signal: killed)', async () => {
    const spec = rt.spec('crash-fault', { handler: 'crash.handler' });
    const r = await rt.invoke(spec, {}, { crash: true });
    expect(r.errorType).toBe('Runtime.ExitError');
    expect(r.errorMessage).toBe(`RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed`);
    expect((await rt.invoke(spec, {})).coldStart).toBe(true);
  });

  it('fails the invocation on an uncaught exception and ends the environment', async () => {
    const spec = rt.spec('uncaught', { handler: 'crash.handler' });
    const r = await rt.invoke(spec, { uncaught: true });
    expect(r.functionError).toBe('Unhandled');
    expect(parse(r.payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'thrown later' });
    expect((await rt.invoke(spec, {})).coldStart).toBe(true);
  });

  it('enforces MemorySize through the V8 heap limit: Runtime.OutOfMemory', async () => {
    const spec = rt.spec('oom', { handler: 'oom.handler', memorySizeMb: 128, timeoutSeconds: 30 });
    const r = await rt.invoke(spec, {});
    expect(r.status).toBe('exit');
    expect(r.errorType).toBe('Runtime.OutOfMemory');
    expect(r.errorMessage).toMatch(new RegExp(`^RequestId: ${r.requestId} Error: Runtime exited with error: `));
    expect(r.logs).toMatch(/Error Type: Runtime\.OutOfMemory/);
    // The same handler with a bounded allocation fits.
    const small = await rt.invoke(spec, { chunks: 5 });
    expect(small.status).toBe('success');
    expect(small.payload).toBe('5');
  });

  it('returns function errors in the Node runtime shape {errorType, errorMessage, trace}', async () => {
    const spec = rt.spec('errors', { handler: 'errors.handler' });
    const typeError = await rt.invoke(spec, { kind: 'type' });
    const doc = parse(typeError.payload);
    expect(doc.errorType).toBe('TypeError');
    expect(doc.errorMessage).toBe('width must be a number');
    expect(Array.isArray(doc.trace)).toBe(true);
    expect((doc.trace as string[])[0]).toBe('TypeError: width must be a number');
    expect(typeError.errorType).toBe('TypeError');
    expect(parse((await rt.invoke(spec, { kind: 'custom' })).payload)).toMatchObject({ errorType: 'ValidationError', errorMessage: 'image too small' });
    expect(parse((await rt.invoke(spec, { kind: 'string' })).payload)).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });
    // A function error does not end the environment.
    const ok = await rt.invoke(spec, {});
    expect(ok.coldStart).toBe(false);
    expect(ok.payload).toBe('{"ok":true}');
  });

  it('rejects a response larger than 6 MB as Function.ResponseSizeTooLarge', async () => {
    const spec = rt.spec('big', { handler: 'big.handler' });
    const r = await rt.invoke(spec, { bytes: 7 * 1024 * 1024 });
    expect(r.functionError).toBe('Unhandled');
    expect(r.errorType).toBe('Function.ResponseSizeTooLarge');
    expect((await rt.invoke(spec, { bytes: 10 })).payload).toBe(JSON.stringify('x'.repeat(10)));
  });
});

describe('init errors', () => {
  it.each([
    ['missing.handler', 'Runtime.ImportModuleError', /Cannot find module 'missing'/],
    ['bad-import.handler', 'Runtime.ImportModuleError', /this-package-does-not-exist/],
    ['errors.nope', 'Runtime.HandlerNotFound', /^errors\.nope is undefined or not exported$/],
    ['errors.notAFunction', 'Runtime.HandlerNotFound', /is not a function/],
    ['syntax.handler', 'Runtime.UserCodeSyntaxError', /SyntaxError/],
  ])('handler %s → %s', async (handler, errorType, message) => {
    const spec = rt.spec(`init-${handler.replace(/\W/g, '-')}`, { handler });
    const r = await rt.invoke(spec, {});
    expect(r.status).toBe('init-error');
    expect(r.functionError).toBe('Unhandled');
    expect(r.errorType).toBe(errorType);
    expect(r.errorMessage).toMatch(message);
    expect(parse(r.payload).errorType).toBe(errorType);
  });
});

describe('handler styles', () => {
  it('runs TypeScript handlers (precompiled; see precompile.test.ts)', async () => {
    const r = await rt.invoke(rt.spec('typed', { handler: 'typed.handler' }), { width: 800, height: 600 });
    expect(r.status).toBe('success');
    expect(parse(r.payload)).toEqual({ area: 480000, kind: 'number' });
  });

  it('runs CommonJS callback handlers and waits for the empty event loop by default', async () => {
    const spec = rt.spec('callback', { handler: 'callback.handler' });
    const waited = await rt.invoke(spec, {});
    expect(parse(waited.payload)).toMatchObject({ calls: 1 });
    expect(waited.logs).toContain('timer fired');
    const failed = await rt.invoke(spec, { fail: true });
    expect(parse(failed.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'callback failure' });
  });
});

describe('logs', () => {
  it('captures output per invocation between START, END and REPORT lines', async () => {
    const spec = rt.spec('logs', { handler: 'warm.handler' });
    const r = await rt.invoke(spec, { hello: 'world' });
    const lines = r.logs.trimEnd().split('\n');
    const start = lines.findIndex((l) => l === `START RequestId: ${r.requestId} Version: $LATEST`);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(lines[start + 1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${r.requestId}\\tINFO\\tevent {"hello":"world"}$`));
    expect(lines[start + 2]).toBe(`END RequestId: ${r.requestId}`);
    expect(lines[start + 3]).toMatch(
      new RegExp(`^REPORT RequestId: ${r.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$`),
    );
    const second = await rt.invoke(spec, { second: true });
    expect(second.logs).not.toContain('"hello"');
    expect(second.logs).toContain('event {"second":true}');
    expect(second.logs).not.toContain('Init Duration');
  });
});

/**
 * Python handlers through the Python bootstrap and Debian's /usr/bin/python3
 * (which has boto3 and Pillow).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startRuntime, type RuntimeFixture } from './support.ts';

const hasPython = existsSync('/usr/bin/python3');
let rt: RuntimeFixture;

describe.skipIf(!hasPython)('Python runtime (needs /usr/bin/python3)', () => {
  beforeAll(async () => {
    rt = await startRuntime();
  });
  afterAll(async () => {
    await rt?.[Symbol.asyncDispose]();
  });

  const py = (name: string, handler: string, extra: Record<string, unknown> = {}) =>
    rt.spec(name, { handler, runtime: 'python3.12', codeDir: join(FIXTURES, 'python'), ...extra });

  it('runs a handler warm with a real context', async () => {
    const spec = py('py-warm', 'app.handler', { memorySizeMb: 256 });
    const first = await rt.invoke(spec, { a: 1 });
    const second = await rt.invoke(spec, { a: 2 });
    expect(first.status).toBe('success');
    const a = JSON.parse(first.payload) as Record<string, unknown>;
    const b = JSON.parse(second.payload) as Record<string, unknown>;
    expect(a).toMatchObject({
      calls: 1,
      aws_request_id: first.requestId,
      function_name: 'py-warm',
      invoked_function_arn: 'arn:aws:lambda:eu-west-1:123456789012:function:py-warm',
      memory_limit_in_mb: '256',
      endpoint: 'http://127.0.0.1:9',
      key: 'LAMBDA_py-warm',
    });
    expect(b.calls).toBe(2);
    expect(b.pid).toBe(a.pid);
    expect(first.coldStart).toBe(true);
    expect(second.coldStart).toBe(false);
    expect(first.logs).toContain('event {"a": 1}\n');
    expect(first.logs).toMatch(/REPORT RequestId: .*Init Duration/);
  });

  it('returns errors in the Python runtime shape', async () => {
    const r = await rt.invoke(py('py-fail', 'app.fail'), { what: 'width' });
    expect(r.functionError).toBe('Unhandled');
    const doc = JSON.parse(r.payload) as { errorType: string; errorMessage: string; requestId: string; stackTrace: string[] };
    expect(doc.errorType).toBe('ValueError');
    expect(doc.errorMessage).toBe('bad input: width');
    expect(doc.requestId).toBe(r.requestId);
    expect(doc.stackTrace[0]).toMatch(/File ".*app\.py", line \d+, in fail/);
    expect(r.logs).toContain('[ERROR] ValueError: bad input: width');
  });

  it('uses Pillow from Debian python3', async () => {
    const r = await rt.invoke(py('py-pil', 'app.image_size'), { width: 64, height: 48 });
    expect(r.status).toBe('success');
    expect(JSON.parse(r.payload)).toEqual({ size: [64, 48], mode: 'RGB' });
  });

  it.each([
    ['nomodule.handler', 'Runtime.ImportModuleError', "Unable to import module 'nomodule': No module named 'nomodule'"],
    ['app.missing', 'Runtime.HandlerNotFound', "Handler 'missing' missing on module 'app'"],
    ['broken.handler', 'Runtime.UserCodeSyntaxError', "Syntax error in module 'broken'"],
  ])('init error for %s → %s', async (handler, errorType, message) => {
    const r = await rt.invoke(py(`py-init-${handler.replace(/\W/g, '-')}`, handler), {});
    expect(r.status).toBe('init-error');
    expect(r.errorType).toBe(errorType);
    expect(r.errorMessage).toContain(message);
  });

  it('times out with Sandbox.Timedout and a fresh environment next time', async () => {
    const spec = py('py-timeout', 'app.sleepy', { timeoutSeconds: 1 });
    const r = await rt.invoke(spec, { seconds: 10 });
    expect(r.errorType).toBe('Sandbox.Timedout');
    expect(r.errorMessage).toBe(`RequestId: ${r.requestId} Error: Task timed out after 1.00 seconds`);
    const next = await rt.invoke(spec, { seconds: 0 });
    expect(next.payload).toBe('"awake"');
    expect(next.coldStart).toBe(true);
  });

  it('reports a killed Python process as Runtime.ExitError', async () => {
    const spec = py('py-crash', 'app.handler');
    const r = await rt.invoke(spec, {}, { crash: true });
    expect(r.errorType).toBe('Runtime.ExitError');
    expect(r.errorMessage).toBe(`RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed`);
    expect((await rt.invoke(spec, {})).coldStart).toBe(true);
  });
});

/** waitUntilServing against a real HTTP server that hangs up on the first calls, like a booting JVM. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { localStackServicesReady } from '../../harness/backends/localstack.ts';
import { awsJsonProbe, waitUntilServing } from '../../harness/backends/readiness.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function flaky(failures: number): Promise<{ url: string; calls: () => number }> {
  let n = 0;
  server = createServer((req, res) => {
    n++;
    if (n <= failures) return req.socket.destroy(); // "socket hang up"
    expect(req.headers['x-amz-target']).toBe('AWSStepFunctions.ListStateMachines');
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"stateMachines":[]}');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => n };
}

describe('waitUntilServing', () => {
  it('retries through hang-ups until the API answers', async () => {
    const s = await flaky(3);
    await waitUntilServing('Step Functions Local', s.url, awsJsonProbe('AWSStepFunctions.ListStateMachines'), (st, b) => st === 200 && b.includes('stateMachines'), { intervalMs: 5 });
    expect(s.calls()).toBe(4);
  });

  it('gives up after the timeout naming what, where and the last problem', async () => {
    const s = await flaky(1000);
    const err = await waitUntilServing('Step Functions Local', s.url, awsJsonProbe('AWSStepFunctions.ListStateMachines'), () => true, { timeoutMs: 100, intervalMs: 10 }).catch(
      (e: unknown) => e as Error,
    );
    const prefix = `Step Functions Local at ${s.url} did not start serving within 0.1 s (last: `;
    expect((err as Error).message.startsWith(prefix)).toBe(true);
    // The socket-level reason, not just a code.
    expect((err as Error).message.slice(prefix.length)).toMatch(/(other side closed|socket hang up|ECONNRESET)/);
  });
});

describe('localStackServicesReady', () => {
  it('needs every service we use available or running', () => {
    const all = { s3: 'running', secretsmanager: 'available', stepfunctions: 'available', lambda: 'available', sns: 'available' };
    expect(localStackServicesReady(JSON.stringify({ services: all }))).toBe(true);
    expect(localStackServicesReady(JSON.stringify({ services: { ...all, lambda: 'initializing' } }))).toBe(false);
    expect(localStackServicesReady(JSON.stringify({ services: { ...all, sns: undefined } }))).toBe(false);
    expect(localStackServicesReady('not json')).toBe(false);
  });
});

/**
 * The in-process invoker other services get from deps.lambda() (S3
 * notifications, Secrets Manager rotation, Step Functions): same behaviour as
 * the Invoke API, service errors thrown as AwsServiceError with Lambda codes.
 * The service is built directly here, its Runtime API served by a bare HTTP
 * listener that forwards to the service's RestProtocolService.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError, createIdSource, VirtualClock } from '../../../harness/core/index.ts';
import { createLambdaService, type LambdaService } from '../../../harness/emulator/lambda/index.ts';
import { FaultRegistry } from '../../../harness/emulator/faults.ts';
import { Observations } from '../../../harness/emulator/observations.ts';
import type { RestProtocolService, RestRequest } from '../../../harness/protocol/service.ts';
import { ROLE, RUNTIME_FIXTURES, waitFor } from './support.ts';

let service: LambdaService;
let server: Server;
let endpoint = '';
const observations = new Observations();
const faults = new FaultRegistry();
const clock = new VirtualClock({ autoAdvance: 'idle' });

function restRequest(method: string, path: string, body: unknown): RestRequest {
  return {
    method,
    path,
    rawPath: path,
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
    ctx: { requestId: 'test', region: 'us-east-1', accountId: '000000000000', host: '127.0.0.1', path, headers: {}, endpoint, idle: (wait) => wait(new AbortController().signal) },
  };
}

beforeAll(async () => {
  service = createLambdaService({
    clock,
    ids: createIdSource('invoker-test'),
    region: 'us-east-1',
    accountId: '000000000000',
    observations,
    faults,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    endpoint: () => endpoint,
    lambda: () => service.invoker,
  });
  const api = service.protocols[0] as RestProtocolService;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      void api.handle({ ...restRequest(req.method ?? 'GET', path, undefined), headers: req.headers, body: Buffer.concat(chunks) }).then((r) => {
        res.writeHead(r.status, r.headers ?? {});
        res.end(r.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const created = await api.handle(
    restRequest('POST', '/2015-03-31/functions', {
      FunctionName: 'in-process',
      Runtime: 'nodejs20.x',
      Handler: 'errors.handler',
      Role: ROLE,
      Code: { S3Bucket: '__local__', S3Key: join(RUNTIME_FIXTURES, 'node') },
    }),
  );
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await service?.dispose?.();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('deps.lambda().invoke', () => {
  it('runs RequestResponse invocations by name or ARN', async () => {
    const ok = await service.invoker.invoke({ functionName: 'arn:aws:lambda:us-east-1:000000000000:function:in-process', payload: '{}' });
    expect(ok).toMatchObject({ statusCode: 200, payload: '{"ok":true}', executedVersion: '$LATEST' });
    expect(ok.functionError).toBeUndefined();
    const failed = await service.invoker.invoke({ functionName: 'in-process', payload: '{"kind":"type"}' });
    expect(failed.statusCode).toBe(200);
    expect(failed.functionError).toBe('Unhandled');
    expect(JSON.parse(failed.payload)).toMatchObject({ errorType: 'TypeError' });
  });

  it('throws AwsServiceError for service errors (missing function, injected Lambda.* faults)', async () => {
    const missing = await service.invoker.invoke({ functionName: 'nope', payload: '{}' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AwsServiceError);
    expect(missing).toMatchObject({ code: 'ResourceNotFoundException', statusCode: 404 });

    faults.install({ functions: [{ function: 'in-process', invocations: [1], throw: { errorType: 'Lambda.EC2ThrottledException' } }] });
    const injected = await service.invoker.invoke({ functionName: 'in-process', payload: '{}' }).catch((e: unknown) => e);
    expect(injected).toMatchObject({ code: 'EC2ThrottledException', statusCode: 502 });
    faults.clear();
  });

  it('queues Event invocations and answers 202 at once', async () => {
    const before = observations.snapshot().invocations.length;
    const queued = await service.invoker.invoke({ functionName: 'in-process', payload: '{}', invocationType: 'Event' });
    expect(queued.statusCode).toBe(202);
    await service.drainAsync();
    await waitFor(() => observations.snapshot().invocations.length > before || undefined, 'the queued invocation');
    expect(observations.snapshot().invocations.at(-1)).toMatchObject({ invocationType: 'Event', functionName: 'in-process' });
  });

  it('forgets functions and stops environments on reset', async () => {
    await service.reset();
    expect(service.runtime.stats('in-process').environments).toBe(0);
    await expect(service.invoker.invoke({ functionName: 'in-process', payload: '{}' })).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });
});

/**
 * The Lambda API over real HTTP with the AWS SDK for JavaScript v3, against
 * startEmulator (one port: Lambda API + Runtime API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { join } from 'node:path';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { fixtureZip, lambdaClient, ROLE, RUNTIME_FIXTURES, text, waitFor } from './support.ts';

let em: Emulator;
let clock: VirtualClock;
let lambda: LambdaClient;

beforeAll(async () => {
  clock = new VirtualClock({ autoAdvance: 'idle' });
  em = await startEmulator({ services: ['lambda'], clock, log: false, seed: 7 });
  lambda = lambdaClient(em.endpoint);
});
afterAll(async () => {
  lambda?.destroy();
  await em?.dispose();
});

async function createZipFunction(name: string, files: string[], handler: string, extra: Record<string, unknown> = {}) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: handler,
      Role: ROLE,
      Code: { ZipFile: fixtureZip('node', files) },
      ...extra,
    }),
  );
}

function invocationsOf(name: string) {
  return em.observations.snapshot().invocations.filter((i) => i.functionName === name);
}

describe('function management', () => {
  it('creates from a zip, reads, lists, updates and deletes a function', async () => {
    const created = await createZipFunction('crud', ['index.mjs=warm.mjs'], 'index.handler', {
      Timeout: 10,
      MemorySize: 256,
      Environment: { Variables: { GREETING: 'hello' } },
      Description: 'test function',
    });
    expect(created).toMatchObject({
      FunctionName: 'crud',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:crud',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Timeout: 10,
      MemorySize: 256,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Version: '$LATEST',
      Environment: { Variables: { GREETING: 'hello' } },
    });
    expect(created.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'crud' }));
    expect(got.Configuration?.RevisionId).toBe(created.RevisionId);
    expect(got.Code?.Location).toBeDefined();
    const zip = await fetch(got.Code!.Location!);
    expect(zip.status).toBe(200);
    expect((await zip.arrayBuffer()).byteLength).toBe(created.CodeSize);

    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toContain('crud');

    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'crud', Timeout: 20, Environment: { Variables: { GREETING: 'bye' } } }));
    expect(updated.Timeout).toBe(20);
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'crud', Payload: '{}' }));
    expect(JSON.parse(text(r.Payload)).env.GREETING).toBe('bye');

    const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }));
    expect(byArn.Timeout).toBe(20);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'crud' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'crud' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers with the AWS error codes SDK clients type', async () => {
    const missing = await lambda.send(new InvokeCommand({ FunctionName: 'no-such-function' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function');
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);

    await createZipFunction('dup', ['index.mjs=warm.mjs'], 'index.handler');
    const dup = await createZipFunction('dup', ['index.mjs=warm.mjs'], 'index.handler').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ResourceConflictException);
    expect((dup as Error).message).toBe('Function already exist: dup');

    const badTimeout = await createZipFunction('bad', ['index.mjs=warm.mjs'], 'index.handler', { Timeout: 0 }).catch((e: unknown) => e);
    expect((badTimeout as Error).name).toBe('ValidationException');
    expect((badTimeout as Error).message).toContain("at 'timeout' failed to satisfy constraint");

    const badRuntime = await createZipFunction('bad', ['index.mjs=warm.mjs'], 'index.handler', { Runtime: 'cobol1.0' }).catch((e: unknown) => e);
    expect((badRuntime as Error).name).toBe('ValidationException');

    const reserved = await createZipFunction('bad', ['index.mjs=warm.mjs'], 'index.handler', { Environment: { Variables: { AWS_REGION: 'x' } } }).catch((e: unknown) => e);
    expect((reserved as Error).name).toBe('InvalidParameterValueException');
    expect((reserved as Error).message).toContain('Reserved keys used in this request: AWS_REGION');

    const badZip = await lambda
      .send(new CreateFunctionCommand({ FunctionName: 'bad', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: Buffer.from('not a zip') } }))
      .catch((e: unknown) => e);
    expect((badZip as Error).name).toBe('InvalidParameterValueException');
    expect((badZip as Error).message).toBe('Could not unzip uploaded file. Please check your file, then try to upload again.');

    const qualifier = await lambda.send(new InvokeCommand({ FunctionName: 'dup', Qualifier: '7' })).catch((e: unknown) => e);
    expect(qualifier).toBeInstanceOf(ResourceNotFoundException);

    const badPayload = await lambda.send(new InvokeCommand({ FunctionName: 'dup', Payload: Buffer.from('{nope') })).catch((e: unknown) => e);
    expect((badPayload as Error).name).toBe('InvalidRequestContentException');
  });

  it('lets a zip-deployed handler import @aws-sdk/* unbundled (ESM and CJS) and reach this endpoint', async () => {
    await createZipFunction('sdk-esm', ['index.mjs=sdk.mjs'], 'index.handler', { MemorySize: 512, Timeout: 20 });
    const esm = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-esm', Payload: '{}' }));
    expect(esm.FunctionError).toBeUndefined();
    expect(JSON.parse(text(esm.Payload))).toEqual({ handler: 'index.handler', memory: 512 });

    await createZipFunction('sdk-cjs', ['index.cjs=sdk-cjs.cjs'], 'index.handler', { MemorySize: 512, Timeout: 20 });
    const cjs = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-cjs', Payload: '{}' }));
    expect(JSON.parse(text(cjs.Payload))).toEqual({ handler: 'index.handler' });

    await createZipFunction('not-sdk', ['index.mjs=not-sdk.mjs'], 'index.handler');
    const other = await lambda.send(new InvokeCommand({ FunctionName: 'not-sdk', Payload: '{}' }));
    expect(JSON.parse(text(other.Payload))).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
  });

  it('runs a local directory in place (hot-reload convention) and picks up UpdateFunctionCode', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'local',
        Runtime: 'nodejs20.x',
        Handler: 'typed.handler',
        Role: ROLE,
        Code: { S3Bucket: 'hot-reload', S3Key: join(RUNTIME_FIXTURES, 'node') },
      }),
    );
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'local', Payload: JSON.stringify({ width: 2, height: 3 }) }));
    expect(JSON.parse(text(r.Payload))).toEqual({ area: 6, kind: 'number' });

    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'local', ZipFile: fixtureZip('node', ['typed.mjs=errors.mjs']) }));
    expect(updated.CodeSize).toBeGreaterThan(0);
    const after = await lambda.send(new InvokeCommand({ FunctionName: 'local', Payload: '{}' }));
    expect(text(after.Payload)).toBe('{"ok":true}');

    const notDir = await lambda
      .send(new CreateFunctionCommand({ FunctionName: 'local2', Runtime: 'nodejs20.x', Handler: 'a.b', Role: ROLE, Code: { S3Bucket: 'hot-reload', S3Key: 'relative/dir' } }))
      .catch((e: unknown) => e);
    expect((notDir as Error).name).toBe('InvalidParameterValueException');
  });
});

describe('Invoke', () => {
  beforeAll(async () => {
    await createZipFunction('errors', ['index.mjs=errors.mjs'], 'index.handler');
    await createZipFunction('warm', ['index.mjs=warm.mjs'], 'index.handler');
  });

  it('returns a function error as 200 + X-Amz-Function-Error: Unhandled with {errorType, errorMessage, trace}', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'errors', Payload: JSON.stringify({ kind: 'custom' }), LogType: 'Tail' }));
    expect(r.StatusCode).toBe(200);
    expect(r.FunctionError).toBe('Unhandled');
    expect(r.ExecutedVersion).toBe('$LATEST');
    const doc = JSON.parse(text(r.Payload)) as { errorType: string; errorMessage: string; trace: string[] };
    expect(doc.errorType).toBe('ValidationError');
    expect(doc.errorMessage).toBe('image too small');
    expect(doc.trace[0]).toBe('ValidationError: image too small');
    const tail = Buffer.from(r.LogResult!, 'base64').toString('utf8');
    expect(tail).toMatch(/START RequestId: [0-9a-f-]{36} Version: \$LATEST/);
    expect(tail).toContain('Invoke Error');
    expect(tail).toMatch(/REPORT RequestId: /);
    expect(Buffer.from(r.LogResult!, 'base64').length).toBeLessThanOrEqual(4096);
  });

  it('uses the Invoke request id as the handler awsRequestId, and records the invocation', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: JSON.stringify({ x: 1 }) }));
    const body = JSON.parse(text(r.Payload)) as { awsRequestId: string; env: Record<string, string> };
    expect(r.$metadata.requestId).toBe(body.awsRequestId);
    expect(body.env.AWS_ENDPOINT_URL).toBe(em.endpoint);
    expect(body.env.AWS_ACCESS_KEY_ID).toBe('LAMBDA_warm');
    const records = invocationsOf('warm');
    const rec = records.find((i) => i.requestId === body.awsRequestId);
    expect(rec).toMatchObject({ invocationType: 'RequestResponse', coldStart: records.length === 1 });
    expect(rec?.logs).toContain('event {"x":1}');
  });

  it('answers DryRun with 204 without running the function', async () => {
    const before = invocationsOf('warm').length;
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'warm', InvocationType: 'DryRun' }));
    expect(r.StatusCode).toBe(204);
    expect(invocationsOf('warm').length).toBe(before);
  });

  it('queues Event invocations (202) and retries a failing one twice, 1 and 2 minutes apart (virtual time)', async () => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'errors', InvocationType: 'Event', Payload: JSON.stringify({ kind: 'type' }) }));
    expect(r.StatusCode).toBe(202);
    const attempts = await waitFor(() => {
      const async = invocationsOf('errors').filter((i) => i.invocationType === 'Event');
      return async.length >= 3 ? async : undefined;
    }, 'three asynchronous attempts');
    expect(attempts.map((a) => a.error?.errorType)).toEqual(['TypeError', 'TypeError', 'TypeError']);
    expect(new Set(attempts.map((a) => a.requestId)).size).toBe(1);
    expect(attempts[1]!.startTime - attempts[0]!.startTime).toBe(60_000);
    expect(attempts[2]!.startTime - attempts[1]!.startTime).toBe(120_000);
    await new Promise((res) => setTimeout(res, 300));
    expect(invocationsOf('errors').filter((i) => i.invocationType === 'Event')).toHaveLength(3);
  });

  it('throttles beyond ReservedConcurrentExecutions with TooManyRequestsException (429)', async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'warm', ReservedConcurrentExecutions: 0 }));
    const err = await lambda.send(new InvokeCommand({ FunctionName: 'warm' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    expect((err as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    expect((err as TooManyRequestsException).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect((err as TooManyRequestsException).message).toBe('Rate Exceeded.');

    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'warm', ReservedConcurrentExecutions: 1 }));
    const results = await Promise.allSettled([
      lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: JSON.stringify({ waitMs: 1500 }) })),
      new Promise((res) => setTimeout(res, 100)).then(() => lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: '{}' }))),
    ]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1].status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsException);
    expect(em.observations.snapshot().functionConcurrency.warm).toBe(1);

    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'warm' }));
    const both = await Promise.all([1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: JSON.stringify({ waitMs: 300 }) }))));
    expect(both.every((b) => b.StatusCode === 200 && !b.FunctionError)).toBe(true);
    expect(em.observations.snapshot().functionConcurrency.warm).toBe(2);
  });
});

describe('function faults', () => {
  beforeAll(async () => {
    await createZipFunction('faulty', ['index.mjs=crash.mjs'], 'index.handler', { Timeout: 30 });
  });

  it('throws Lambda.* service errors, function errors, timeouts, latency and crashes by invocation number', async () => {
    em.faults.install({
      functions: [
        { function: 'faulty', invocations: [1], throw: { errorType: 'Lambda.TooManyRequestsException', message: 'throttled' } },
        { function: 'faulty', invocations: [2], throw: { errorType: 'Lambda.ServiceException' } },
        { function: 'faulty', invocations: [3], throw: { errorType: 'States.TaskFailed', message: 'injected' } },
        { function: 'faulty', invocations: [4], timeout: true },
        { function: 'faulty', invocations: [5], latencyMs: 5000 },
        { function: 'faulty', invocations: ['6'], crash: true },
      ],
    });
    const throttled = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' })).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect((throttled as Error).message).toBe('throttled');

    const service = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' })).catch((e: unknown) => e);
    expect((service as Error).name).toBe('ServiceException');
    expect((service as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(500);

    const fnError = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' }));
    expect(fnError.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(fnError.Payload))).toEqual({ errorType: 'States.TaskFailed', errorMessage: 'injected', trace: [] });

    const started = Date.now();
    const timedOut = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' }));
    expect(Date.now() - started).toBeLessThan(10_000); // 30 s of virtual time
    expect(JSON.parse(text(timedOut.Payload))).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(JSON.parse(text(timedOut.Payload)).errorMessage).toMatch(/Task timed out after 30\.00 seconds$/);

    const slow = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' }));
    expect(slow.FunctionError).toBeUndefined();

    const crashed = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' }));
    expect(JSON.parse(text(crashed.Payload))).toMatchObject({ errorType: 'Runtime.ExitError' });

    const healthy = await lambda.send(new InvokeCommand({ FunctionName: 'faulty' }));
    expect(healthy.FunctionError).toBeUndefined();

    const records = invocationsOf('faulty');
    expect(records.map((r) => r.invocationNumber)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(records.map((r) => r.fault)).toEqual([
      'throw Lambda.TooManyRequestsException',
      'throw Lambda.ServiceException',
      'throw States.TaskFailed',
      'timeout',
      'latency 5000ms',
      'crash',
      undefined,
    ]);
    expect(records[0]!.error).toEqual({ errorType: 'Lambda.TooManyRequestsException', errorMessage: 'throttled' });
    expect(records[3]!.endTime! - records[3]!.startTime).toBe(30_000);
    expect(records[4]!.endTime! - records[4]!.startTime).toBeGreaterThanOrEqual(5000);
    expect(records[4]!.coldStart).toBe(true);
    expect(records[5]!.error?.errorType).toBe('Runtime.ExitError');
    expect(records[6]!.coldStart).toBe(true);
    em.faults.clear();
  });
});

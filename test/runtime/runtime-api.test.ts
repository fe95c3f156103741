/** The Runtime API surface itself: path parsing, and what an environment gets for bad calls. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRuntimeApiPath, RUNTIME_API_PREFIX } from '../../harness/runtime/index.ts';
import { parseRuntimeApiCall } from '../../harness/runtime/runtime-api.ts';
import { startRuntime, type RuntimeFixture } from './support.ts';

describe('parseRuntimeApiCall', () => {
  it('recognises the four Runtime API calls under an environment prefix', () => {
    expect(parseRuntimeApiCall('GET', '/lambda-runtime/abc/2018-06-01/runtime/invocation/next')).toEqual({ envId: 'abc', kind: 'next' });
    expect(parseRuntimeApiCall('POST', '/lambda-runtime/abc/2018-06-01/runtime/invocation/req-1/response')).toEqual({ envId: 'abc', kind: 'response', requestId: 'req-1' });
    expect(parseRuntimeApiCall('POST', '/lambda-runtime/abc/2018-06-01/runtime/invocation/req-1/error')).toEqual({ envId: 'abc', kind: 'error', requestId: 'req-1' });
    expect(parseRuntimeApiCall('POST', '/lambda-runtime/abc/2018-06-01/runtime/init/error')).toEqual({ envId: 'abc', kind: 'init-error' });
  });

  it('rejects wrong methods, versions and paths', () => {
    expect(parseRuntimeApiCall('POST', '/lambda-runtime/abc/2018-06-01/runtime/invocation/next')).toBeUndefined();
    expect(parseRuntimeApiCall('GET', '/lambda-runtime/abc/2018-06-01/runtime/invocation/r/response')).toBeUndefined();
    expect(parseRuntimeApiCall('GET', '/lambda-runtime/abc/2020-01-01/runtime/invocation/next')).toBeUndefined();
    expect(parseRuntimeApiCall('GET', '/2018-06-01/runtime/invocation/next')).toBeUndefined();
    expect(isRuntimeApiPath(`${RUNTIME_API_PREFIX}x/2018-06-01/runtime/invocation/next`)).toBe(true);
    expect(isRuntimeApiPath('/2015-03-31/functions')).toBe(false);
  });
});

describe('Runtime API over HTTP', () => {
  let rt: RuntimeFixture;
  let runtimeApi: string;
  beforeAll(async () => {
    rt = await startRuntime();
    const r = await rt.invoke(rt.spec('api', { handler: 'warm.handler' }), {});
    runtimeApi = (JSON.parse(r.payload) as { env: { AWS_LAMBDA_RUNTIME_API: string } }).env.AWS_LAMBDA_RUNTIME_API;
  });
  afterAll(async () => {
    await rt?.[Symbol.asyncDispose]();
  });

  it('hands each environment an AWS_LAMBDA_RUNTIME_API naming it', () => {
    expect(runtimeApi).toMatch(/^127\.0\.0\.1:\d+\/lambda-runtime\/[0-9a-f]{24}$/);
  });

  it('answers a response for an unknown request id with 400 InvalidRequestID', async () => {
    const res = await fetch(`http://${runtimeApi}/2018-06-01/runtime/invocation/not-a-request/response`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errorMessage: 'Invalid request ID: not-a-request', errorType: 'InvalidRequestID' });
  });

  it('answers calls from an environment that does not exist with 410', async () => {
    const host = runtimeApi.split('/')[0];
    const res = await fetch(`http://${host}/lambda-runtime/ffffffffffffffffffffffff/2018-06-01/runtime/invocation/next`);
    expect(res.status).toBe(410);
  });

  it('answers an unknown Runtime API path with 404', async () => {
    const res = await fetch(`http://${runtimeApi}/2018-06-01/runtime/invocation/next/extra`);
    expect(res.status).toBe(404);
  });
});

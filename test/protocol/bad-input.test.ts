/**
 * Bad input, per protocol, over real HTTP: every malformed request gets the
 * AWS error a client would get from AWS (never a 500), and the next valid
 * request still works. awsJson / query / restJson1 use small test services
 * (the protocol layer is what is under test); restXml uses the real S3.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError, createIdSource, SystemClock } from '../../harness/core/index.ts';
import { FaultRegistry } from '../../harness/emulator/faults.ts';
import { startEmulator, type Emulator } from '../../harness/emulator/index.ts';
import { createProtocolHandler } from '../../harness/protocol/http-handler.ts';
import type { JsonProtocolService, QueryProtocolService, RestProtocolService } from '../../harness/protocol/service.ts';

const jsonService: JsonProtocolService = {
  kind: 'json',
  signingName: 'fake',
  targetPrefix: 'FakeService_20240101',
  jsonVersion: '1.0',
  operations: {
    Echo: (input) => {
      if (input.Name === undefined) throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
      if (typeof input.Name !== 'string') throw new AwsServiceError('ValidationException', `Value at 'name' must be a string, got ${typeof input.Name}`);
      return { Name: input.Name };
    },
    Boom: () => {
      throw new TypeError('a bug in the service');
    },
  },
};

const queryService: QueryProtocolService = {
  kind: 'query',
  signingName: 'sns',
  xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  operations: {
    Ping: (params) => {
      if (!params.Name) throw new AwsServiceError('InvalidParameter', 'Invalid parameter: Name');
      return { Pong: params.Name, Tags: [{ Key: 'a', Value: 'b' }], Attributes: new Map([['k', 'v']]) };
    },
  },
};

const restJsonService: RestProtocolService = {
  kind: 'rest',
  signingName: 'lambda',
  protocol: 'restJson1',
  matches: (r) => r.path.startsWith('/2015-03-31/'),
  handle: async (req) => {
    let input: unknown;
    try {
      input = JSON.parse(req.body.toString() || '{}');
    } catch {
      throw new AwsServiceError('InvalidRequestContentException', 'Could not parse request body into json');
    }
    if (typeof (input as { FunctionName?: unknown }).FunctionName !== 'string') throw new AwsServiceError('InvalidParameterValueException', 'FunctionName must be a string');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) };
  },
};

let fake: Server;
let fakeUrl: string;
let em: Emulator;

beforeAll(async () => {
  const handler = createProtocolHandler({
    services: [jsonService, queryService, restJsonService],
    region: 'us-east-1',
    accountId: '000000000000',
    ids: createIdSource(1),
    clock: new SystemClock(),
    faults: new FaultRegistry(),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    endpoint: () => fakeUrl,
  });
  fake = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  em = await startEmulator({ services: ['s3'], log: false });
  await fetch(`${em.endpoint}/bad-input`, { method: 'PUT' });
});
afterAll(async () => {
  await new Promise((r) => fake.close(r));
  await em?.dispose();
});

interface Req {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: string, r: Req): Promise<Res> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: r.method ?? 'POST', path: r.path, headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

const json = (op: string, body: string, version = '1.0'): Req => ({
  path: '/',
  headers: { 'x-amz-target': `FakeService_20240101.${op}`, 'content-type': `application/x-amz-json-${version}` },
  body,
});
const form = (body: string): Req => ({ path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });

interface Case {
  name: string;
  req: Req;
  status: number;
  code: string;
}

const jsonCases: Case[] = [
  { name: 'malformed JSON', req: json('Echo', '{"Name": '), status: 400, code: 'SerializationException' },
  { name: 'JSON that is not an object', req: json('Echo', '[1,2]'), status: 400, code: 'SerializationException' },
  { name: 'unknown operation', req: json('Nope', '{}'), status: 400, code: 'UnknownOperationException' },
  { name: 'unknown target prefix', req: { ...json('Echo', '{}'), headers: { 'x-amz-target': 'NoSuchService.Echo' } }, status: 400, code: 'UnknownOperationException' },
  { name: 'inherited property as operation', req: json('constructor', '{}'), status: 400, code: 'UnknownOperationException' },
  { name: 'missing required field', req: json('Echo', '{}'), status: 400, code: 'ValidationException' },
  { name: 'wrong type', req: json('Echo', '{"Name": 42}'), status: 400, code: 'ValidationException' },
  { name: 'oversize body', req: json('Echo', `{"Name":"${'x'.repeat(11 * 1024 * 1024)}"}`), status: 413, code: 'RequestEntityTooLargeException' },
  { name: 'a bug in the service is a 500 InternalFailure, not a crash', req: json('Boom', '{}'), status: 500, code: 'InternalFailure' },
];

/**
 * Each case twice: a plain POST to `/`, and the same request with a query string in its URL (which awsJson
 * ignores). Both must answer alike.
 */
const bothPaths = jsonCases.flatMap((c) => [c, { ...c, name: `${c.name} (with a query string)`, req: { ...c.req, path: '/?via=general' } }]);

describe('awsJson 1.0', () => {
  it.each(bothPaths)('$name → $status $code, then a valid request works', async ({ req, status, code }) => {
    const r = await send(fakeUrl, req);
    expect(r.status).toBe(status);
    expect(r.headers['x-amzn-errortype']).toBe(code);
    expect(JSON.parse(r.body)).toMatchObject({ __type: code });
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const ok = await send(fakeUrl, json('Echo', '{"Name":"ok"}'));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ Name: 'ok' });
    expect(ok.headers['content-type']).toBe('application/x-amz-json-1.0');
  });
});

describe('query protocol', () => {
  const cases: Case[] = [
    { name: 'missing Action', req: form('Version=2010-03-31&Name=x'), status: 400, code: 'MissingAction' },
    { name: 'unknown Action', req: form('Action=Explode&Version=2010-03-31'), status: 400, code: 'InvalidAction' },
    { name: 'missing parameter', req: form('Action=Ping&Version=2010-03-31'), status: 400, code: 'InvalidParameter' },
    { name: 'broken percent-encoding is read leniently, still answered', req: form('Action=Ping&Name=%ZZ'), status: 200, code: '' },
  ];
  it.each(cases)('$name → $status $code, then a valid request works', async ({ req, status, code }) => {
    const r = await send(fakeUrl, req);
    expect(r.status).toBe(status);
    if (code) {
      expect(r.body).toContain(`<Code>${code}</Code>`);
      expect(r.body).toContain('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>');
    }
    const ok = await send(fakeUrl, form('Action=Ping&Version=2010-03-31&Name=hi%20there'));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain(
      '<PingResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PingResult><Pong>hi there</Pong><Tags><member><Key>a</Key><Value>b</Value></member></Tags><Attributes><entry><key>k</key><value>v</value></entry></Attributes></PingResult><ResponseMetadata><RequestId>',
    );
  });
});

describe('restJson1', () => {
  const cases: Case[] = [
    { name: 'malformed JSON', req: { path: '/2015-03-31/functions', body: '{oops' }, status: 400, code: 'InvalidRequestContentException' },
    { name: 'wrong type', req: { path: '/2015-03-31/functions', body: '{"FunctionName": 1}' }, status: 400, code: 'InvalidParameterValueException' },
    { name: 'oversize body', req: { path: '/2015-03-31/functions', body: Buffer.alloc(81 * 1024 * 1024, 0x20) }, status: 413, code: 'RequestTooLargeException' },
  ];
  it.each(cases)('$name → $status $code (x-amzn-errortype + JSON body), then a valid request works', async ({ req, status, code }) => {
    const r = await send(fakeUrl, req);
    expect(r.status).toBe(status);
    expect(r.headers['x-amzn-errortype']).toBe(code);
    expect(JSON.parse(r.body)).toMatchObject({ Type: 'User' });
    const ok = await send(fakeUrl, { path: '/2015-03-31/functions', body: '{"FunctionName":"f"}' });
    expect(ok.status).toBe(200);
  });
});

/** A multipart/form-data body (boundary `zz`) with `fields` and a one-byte file part. */
function postForm(fields: Record<string, string>): string {
  const parts = Object.entries(fields).map(([k, v]) => `--zz\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return `${parts.join('')}--zz\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nx\r\n--zz--\r\n`;
}

/** A presigned-looking query (signature not checked without --verify-signatures), with `overrides` applied. */
function presigned(overrides: Record<string, string>): string {
  const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const q = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `test/${now.slice(0, 8)}/us-east-1/s3/aws4_request`,
    'X-Amz-Date': now,
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': 'f'.repeat(64),
    ...overrides,
  });
  return q.toString();
}

describe('restXml (S3)', () => {
  const longKey = 'k'.repeat(1025);
  const cases: Case[] = [
    { name: 'malformed XML (DeleteObjects)', req: { method: 'POST', path: '/bad-input?delete', body: '<Delete><Object><Key>a</Key></Delete>' }, status: 400, code: 'MalformedXML' },
    { name: 'missing required element (DeleteObjects without Object)', req: { method: 'POST', path: '/bad-input?delete', body: '<Delete></Delete>' }, status: 400, code: 'MalformedXML' },
    { name: 'malformed XML (notification configuration)', req: { method: 'PUT', path: '/bad-input?notification', body: '<<<' }, status: 400, code: 'MalformedXML' },
    { name: 'malformed XML (CreateBucket configuration)', req: { method: 'PUT', path: '/another-bucket', body: '<CreateBucketConfiguration>' }, status: 400, code: 'MalformedXML' },
    { name: 'unknown notification event', req: { method: 'PUT', path: '/bad-input?notification', body: '<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:Nope</Event></CloudFunctionConfiguration></NotificationConfiguration>' }, status: 400, code: 'InvalidArgument' },
    { name: 'wrong type (max-keys=abc)', req: { method: 'GET', path: '/bad-input?list-type=2&max-keys=abc' }, status: 400, code: 'InvalidArgument' },
    { name: 'wrong type (continuation-token garbage)', req: { method: 'GET', path: '/bad-input?list-type=2&continuation-token=%%%' }, status: 400, code: 'InvalidArgument' },
    { name: 'key longer than 1024 bytes', req: { method: 'PUT', path: `/bad-input/${longKey}`, body: 'x' }, status: 400, code: 'KeyTooLongError' },
    { name: 'bad bucket name', req: { method: 'PUT', path: '/UPPER_case' }, status: 400, code: 'InvalidBucketName' },
    { name: 'broken percent-encoding in the path', req: { method: 'GET', path: '/bad-input/%E0%A4%A' }, status: 400, code: 'InvalidURI' },
    { name: 'unsupported subresource', req: { method: 'GET', path: '/bad-input?acl' }, status: 501, code: 'NotImplemented' },
    { name: 'unknown upload id', req: { method: 'PUT', path: '/bad-input/k?partNumber=1&uploadId=nope', body: 'x' }, status: 404, code: 'NoSuchUpload' },
    { name: 'presigned URL valid for more than 7 days', req: { method: 'GET', path: `/bad-input/after?${presigned({ 'X-Amz-Expires': '604801' })}` }, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'presigned URL without X-Amz-Signature', req: { method: 'GET', path: `/bad-input/after?${presigned({ 'X-Amz-Signature': '' })}` }, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'presigned URL with X-Amz-Expires not a number', req: { method: 'GET', path: `/bad-input/after?${presigned({ 'X-Amz-Expires': 'never' })}` }, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'expired presigned URL', req: { method: 'GET', path: `/bad-input/after?${presigned({ 'X-Amz-Date': '20200101T000000Z', 'X-Amz-Credential': 'test/20200101/us-east-1/s3/aws4_request' })}` }, status: 403, code: 'AccessDenied' },
    { name: 'expired SigV2 presigned URL', req: { method: 'GET', path: '/bad-input/after?AWSAccessKeyId=test&Signature=abc%3D&Expires=1577836800' }, status: 403, code: 'AccessDenied' },
    { name: 'PUT without Content-Length', req: { method: 'PUT', path: '/bad-input/unsized', headers: { 'transfer-encoding': 'chunked' }, body: 'x' }, status: 411, code: 'MissingContentLength' },
    { name: 'checksum header that is not base64', req: { method: 'PUT', path: '/bad-input/ck', headers: { 'x-amz-checksum-sha256': 'not base64!' }, body: 'x' }, status: 400, code: 'InvalidRequest' },
    { name: 'checksum header of the wrong length', req: { method: 'PUT', path: '/bad-input/ck', headers: { 'x-amz-checksum-sha256': 'AAAA' }, body: 'x' }, status: 400, code: 'BadDigest' },
    { name: 'GetObject partNumber beyond the parts', req: { method: 'GET', path: '/bad-input/after?partNumber=2' }, status: 400, code: 'InvalidPartNumber' },
    { name: 'malformed versionId', req: { method: 'GET', path: '/bad-input/after?versionId=nope' }, status: 400, code: 'InvalidArgument' },
    { name: 'unknown versionId', req: { method: 'GET', path: `/bad-input/after?versionId=${'A'.repeat(32)}` }, status: 404, code: 'NoSuchVersion' },
    { name: 'versioning status that is not Enabled/Suspended', req: { method: 'PUT', path: '/bad-input?versioning', body: '<VersioningConfiguration><Status>On</Status></VersioningConfiguration>' }, status: 400, code: 'MalformedXML' },
    { name: 'version-id-marker without key-marker', req: { method: 'GET', path: `/bad-input?versions&version-id-marker=${'A'.repeat(32)}` }, status: 400, code: 'InvalidArgument' },
    { name: 'eleven object tags', req: { method: 'PUT', path: '/bad-input/tagged', headers: { 'x-amz-tagging': Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&') }, body: 'x' }, status: 400, code: 'InvalidTag' },
    { name: 'tag key with the aws: prefix', req: { method: 'PUT', path: '/bad-input/after?tagging', body: '<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet></Tagging>' }, status: 400, code: 'InvalidTag' },
    { name: 'malformed Tagging XML', req: { method: 'PUT', path: '/bad-input/after?tagging', body: '<Tagging><Tag>' }, status: 400, code: 'MalformedXML' },
    { name: 'bucket without tags', req: { method: 'GET', path: '/bad-input?tagging' }, status: 404, code: 'NoSuchTagSet' },
    { name: 'bucket without CORS', req: { method: 'GET', path: '/bad-input?cors' }, status: 404, code: 'NoSuchCORSConfiguration' },
    { name: 'CORS rule with an unsupported method', req: { method: 'PUT', path: '/bad-input?cors', body: '<CORSConfiguration><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>' }, status: 400, code: 'InvalidRequest' },
    { name: 'OPTIONS without Origin', req: { method: 'OPTIONS', path: '/bad-input/after' }, status: 400, code: 'BadRequest' },
    { name: 'OPTIONS on a bucket without CORS', req: { method: 'OPTIONS', path: '/bad-input/after', headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' } }, status: 403, code: 'AccessForbidden' },
    { name: 'GetObjectAttributes without attributes', req: { method: 'GET', path: '/bad-input/after?attributes' }, status: 400, code: 'InvalidArgument' },
    { name: 'POST object that is not multipart', req: { method: 'POST', path: '/bad-input', headers: { 'content-type': 'text/plain' }, body: 'x' }, status: 412, code: 'PreconditionFailed' },
    { name: 'POST object with a broken multipart body', req: { method: 'POST', path: '/bad-input', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="key"\r\n\r\nk' }, status: 400, code: 'MalformedPOSTRequest' },
    { name: 'POST object without a file', req: { method: 'POST', path: '/bad-input', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--zz--\r\n' }, status: 400, code: 'InvalidArgument' },
    { name: 'POST object policy that is not JSON', req: { method: 'POST', path: '/bad-input', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: postForm({ key: 'k', AWSAccessKeyId: 'test', signature: 'x', policy: 'bm9wZQ==' }) }, status: 400, code: 'InvalidPolicyDocument' },
    { name: 'POST object with an expired policy', req: { method: 'POST', path: '/bad-input', headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: postForm({ key: 'k', AWSAccessKeyId: 'test', signature: 'x', policy: Buffer.from('{"expiration":"2020-01-01T00:00:00Z","conditions":[{"key":"k"}]}').toString('base64') }) }, status: 403, code: 'AccessDenied' },
    { name: 'declared body beyond 5 GiB', req: { method: 'PUT', path: '/bad-input/huge', headers: { 'content-length': String(6 * 1024 ** 3) } }, status: 400, code: 'EntityTooLarge' },
  ];
  it.each(cases)('$name → $status $code with RequestId, then a valid request works', async ({ req, status, code }) => {
    const r = await send(em.endpoint, req);
    expect(r.status).toBe(status);
    expect(r.body).toContain(`<Error><Code>${code}</Code>`);
    expect(r.body).toMatch(/<RequestId>[0-9A-F]{16}<\/RequestId>/);
    const put = await send(em.endpoint, { method: 'PUT', path: '/bad-input/after', body: 'still fine' });
    expect(put.status).toBe(200);
    const get = await send(em.endpoint, { method: 'GET', path: '/bad-input/after' });
    expect(get.body).toBe('still fine');
  });

  it('path-traversal keys are ordinary keys: stored, listed and read back as themselves', async () => {
    for (const key of ['../../etc/passwd', '/abs/olute', 'a/./b/../c', '..']) {
      const path = `/bad-input/${key.split('/').map(encodeURIComponent).join('/')}`;
      expect((await send(em.endpoint, { method: 'PUT', path, body: `bytes of ${key}` })).status).toBe(200);
      expect((await send(em.endpoint, { method: 'GET', path })).body).toBe(`bytes of ${key}`);
    }
    const list = await send(em.endpoint, { method: 'GET', path: '/bad-input?list-type=2' });
    expect(list.body).toContain('<Key>../../etc/passwd</Key>');
    expect(list.body).toContain('<Key>/abs/olute</Key>');
  });

  it('HEAD errors are a bare status (no body), as in AWS', async () => {
    const r = await send(em.endpoint, { method: 'HEAD', path: '/bad-input/absent' });
    expect(r.status).toBe(404);
    expect(r.body).toBe('');
    expect(r.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('garbage that is not HTTP gets a 400 and the endpoint keeps serving', async () => {
    const url = new URL(em.endpoint);
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(Number(url.port), url.hostname, () => sock.write('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      sock.on('data', (d) => (out += d.toString()));
      sock.on('close', () => resolve(out));
      sock.on('error', () => resolve(out));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${em.endpoint}/_rehearse/health`)).status).toBe(200);
  });
});

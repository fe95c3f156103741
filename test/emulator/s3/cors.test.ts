/**
 * CORS: Put/Get/DeleteBucketCors with SDK v3, the preflight OPTIONS answered
 * per S3's rules, and Access-Control-* on actual responses (errors included).
 * The browser itself is exercised in browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  GetBucketVersioningCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutBucketCorsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ControlClient } from '../../../harness/backends/control-client.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { s3Client } from '../../support/clients.ts';

let em: Emulator;
let s3: S3Client;
const RULES = [
  { ID: 'app', AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['PUT', 'GET'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag', 'x-amz-version-id'], MaxAgeSeconds: 600 },
  { AllowedOrigins: ['https://*.partner.example'], AllowedMethods: ['GET'], AllowedHeaders: [], ExposeHeaders: [] },
  { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'], AllowedHeaders: [], ExposeHeaders: [] },
];

beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false });
  s3 = s3Client(em.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'cors-bucket' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'no-cors' }));
  await s3.send(new PutObjectCommand({ Bucket: 'cors-bucket', Key: 'a.txt', Body: 'a' }));
});
afterAll(async () => {
  s3?.destroy();
  await em?.dispose();
});

const preflight = (path: string, headers: Record<string, string>) => fetch(`${em.endpoint}${path}`, { method: 'OPTIONS', headers });
const code = async (r: Response) => /<Code>([^<]*)<\/Code>/.exec(await r.text())?.[1];

describe('CORS configuration', () => {
  it('NoSuchCORSConfiguration until set; Put/Get round-trips every field; Delete removes it', async () => {
    await expect(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-bucket' }))).rejects.toMatchObject({ name: 'NoSuchCORSConfiguration', $metadata: { httpStatusCode: 404 } });
    await s3.send(new PutBucketCorsCommand({ Bucket: 'cors-bucket', CORSConfiguration: { CORSRules: RULES } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: 'cors-bucket' }));
    expect(got.CORSRules?.[0]).toEqual(RULES[0]);
    expect(got.CORSRules).toHaveLength(3);
  });

  it('refuses rules S3 refuses: an unsupported method, two wildcards, no origin', async () => {
    const put = (rule: Record<string, unknown>) => s3.send(new PutBucketCorsCommand({ Bucket: 'no-cors', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], ...rule }] } }));
    const errorName = async (p: Promise<unknown>) => p.then(() => 'ok', (e: S3ServiceException) => `${e.name} ${e.$metadata.httpStatusCode}`);
    expect(await errorName(put({ AllowedMethods: ['PATCH'] }))).toBe('InvalidRequest 400');
    expect(await errorName(put({ AllowedOrigins: ['https://*.*.example'] }))).toBe('InvalidRequest 400');
    expect(await errorName(put({ AllowedOrigins: [] }))).toBe('MalformedXML 400');
    expect(await errorName(s3.send(new DeleteBucketCorsCommand({ Bucket: 'no-cors' })))).toBe('ok');
  });
});

describe('preflight OPTIONS', () => {
  it('an allowed origin, method and headers: 200 with the Access-Control-* answer', async () => {
    const r = await preflight('/cors-bucket/photo.jpg', { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, X-Amz-Meta-Owner' });
    expect(r.status).toBe(200);
    expect(Object.fromEntries([...r.headers].filter(([k]) => k.startsWith('access-control-') || k === 'vary'))).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'PUT, GET',
      'access-control-allow-headers': 'content-type, x-amz-meta-owner',
      'access-control-expose-headers': 'ETag, x-amz-version-id',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
  });

  it('rules are tried in order: a wildcard subdomain, a * origin (no credentials)', async () => {
    const sub = await preflight('/cors-bucket/a.txt', { origin: 'https://shop.partner.example', 'access-control-request-method': 'GET' });
    expect(sub.headers.get('access-control-allow-origin')).toBe('https://shop.partner.example');
    const any = await preflight('/cors-bucket/a.txt', { origin: 'https://anyone.example', 'access-control-request-method': 'HEAD' });
    expect(any.headers.get('access-control-allow-origin')).toBe('*');
    expect(any.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('no rule matches: 403 AccessForbidden; no CORS configuration: 403; no Origin: 400 (not 405)', async () => {
    for (const [headers, bucket] of [
      [{ origin: 'https://evil.example', 'access-control-request-method': 'PUT' }, 'cors-bucket'],
      [{ origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' }, 'cors-bucket'],
      [{ origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization' }, 'cors-bucket'],
      [{ origin: 'https://app.example.com', 'access-control-request-method': 'PUT' }, 'no-cors'],
    ] as const) {
      const r = await preflight(`/${bucket}/k`, headers);
      expect([r.status, await code(r)]).toEqual([403, 'AccessForbidden']);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    }
    const bare = await preflight('/cors-bucket/k', {});
    expect([bare.status, await code(bare)]).toEqual([400, 'BadRequest']);
    const noMethod = await preflight('/cors-bucket/k', { origin: 'https://app.example.com' });
    expect(noMethod.status).toBe(400);
  });
});

describe('actual requests', () => {
  it('carry Access-Control-* for an allowed Origin — on errors too (an expired presigned link is readable by the page)', async () => {
    const ok = await fetch(`${em.endpoint}/cors-bucket/a.txt`, { headers: { origin: 'https://app.example.com' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-expose-headers')).toBe('ETag, x-amz-version-id');
    const missing = await fetch(`${em.endpoint}/cors-bucket/none.txt`, { headers: { origin: 'https://app.example.com' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const url = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'cors-bucket', Key: 'late.txt' }), { expiresIn: 1, signingDate: new Date(Date.now() - 60_000) }));
    const expired = await fetch(url, { method: 'PUT', body: 'x', headers: { origin: 'https://app.example.com' } });
    expect(expired.status).toBe(403);
    expect(expired.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await fetch(`${em.endpoint}/cors-bucket/a.txt`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('snapshot and restore', () => {
  it('CORS rules, versioning, versions and object tags are part of the S3 snapshot', async () => {
    const control = new ControlClient(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'snap' }));
    await s3.send(new PutObjectCommand({ Bucket: 'snap', Key: 'k', Body: 'before', Tagging: 'state=before' }));
    const id = await control.snapshot();
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'snap', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'snap', Key: 'k', Body: 'after' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'snap', Key: 'k', VersionId: 'null', Tagging: { TagSet: [{ Key: 'state', Value: 'changed' }] } }));
    await s3.send(new PutBucketCorsCommand({ Bucket: 'snap', CORSConfiguration: { CORSRules: RULES } }));
    await control.restore(id);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'snap' }))).Status).toBeUndefined();
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: 'snap' }))).Versions?.map((v) => v.VersionId)).toEqual(['null']);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'snap', Key: 'k' }))).TagSet).toEqual([{ Key: 'state', Value: 'before' }]);
    await expect(s3.send(new GetBucketCorsCommand({ Bucket: 'snap' }))).rejects.toMatchObject({ name: 'NoSuchCORSConfiguration' });
  });
});

/**
 * POST object (HTML form uploads) with policies from `@aws-sdk/s3-presigned-post`
 * and boto3 `generate_presigned_post`, and S3's error for every violated rule.
 * Signatures are verified (the endpoint runs with --verify-signatures).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { hasBoto3, runBoto3, s3Client } from '../../support/clients.ts';

let em: Emulator;
let s3: S3Client;

beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false, verifySignatures: true });
  s3 = s3Client(em.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
});
afterAll(async () => {
  s3?.destroy();
  await em?.dispose();
});

/** Posts `fields` then the file part, the order a browser form sends them. */
function post(url: string, fields: Record<string, string>, file: { name: string; type: string; data: string | Buffer } | undefined, extra?: (f: FormData) => void): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  extra?.(form);
  if (file) form.append('file', new Blob([file.data], { type: file.type }), file.name);
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' });
}

async function errorOf(r: Response): Promise<{ status: number; code: string; message: string }> {
  const body = await r.text();
  const tag = (t: string) => (new RegExp(`<${t}>([^<]*)</${t}>`).exec(body)?.[1] ?? '').replace(/&quot;/g, '"').replace(/&apos;/g, "'");
  return { status: r.status, code: tag('Code'), message: tag('Message') };
}

const sdkPost = (options: Partial<Parameters<typeof createPresignedPost>[1]> = {}) =>
  createPresignedPost(s3, {
    Bucket: 'uploads',
    Key: 'photos/${filename}',
    Conditions: [['starts-with', '$key', 'photos/'], ['content-length-range', 1, 1024], ['starts-with', '$Content-Type', 'image/'], { 'x-amz-meta-owner': 'ada' }],
    Fields: { 'x-amz-meta-owner': 'ada' },
    Expires: 600,
    ...options,
  });

describe('@aws-sdk/s3-presigned-post', () => {
  it('uploads through the form: ${filename} in the key, Content-Type and metadata fields, 204 by default', async () => {
    const { url, fields } = await sdkPost();
    const r = await post(url, { ...fields, 'Content-Type': 'image/png' }, { name: 'C:\\Users\\ada\\cat.png', type: 'image/png', data: 'png bytes' });
    expect(r.status).toBe(204);
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.png' }));
    expect(head.ContentType).toBe('image/png');
    expect(head.Metadata).toEqual({ owner: 'ada' });
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.png' }))).Body!.transformToString()).toBe('png bytes');
  });

  it('success_action_status 201 answers a PostResponse; success_action_redirect a 303 with bucket, key and etag', async () => {
    const created = await sdkPost({ Conditions: [['starts-with', '$key', 'photos/'], { success_action_status: '201' }, ['starts-with', '$Content-Type', '']], Fields: { success_action_status: '201' } });
    const r = await post(created.url, { ...created.fields, 'Content-Type': 'image/jpeg' }, { name: 'a.jpg', type: 'image/jpeg', data: 'a' });
    expect(r.status).toBe(201);
    const xml = await r.text();
    expect(xml).toContain('<PostResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(xml).toContain('<Bucket>uploads</Bucket><Key>photos/a.jpg</Key><ETag>');
    const back = 'http://app.example/done';
    const redirected = await sdkPost({ Conditions: [['starts-with', '$key', 'photos/'], { success_action_redirect: back }, ['starts-with', '$Content-Type', '']], Fields: { success_action_redirect: back } });
    const r2 = await post(redirected.url, { ...redirected.fields, 'Content-Type': 'image/jpeg' }, { name: 'b.jpg', type: 'image/jpeg', data: 'b' });
    expect(r2.status).toBe(303);
    const location = new URL(r2.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(back);
    expect(Object.fromEntries(location.searchParams)).toEqual({ bucket: 'uploads', key: 'photos/b.jpg', etag: r2.headers.get('etag') });
  });

  it('every violated rule is S3\'s error, and nothing is stored', async () => {
    const { url, fields } = await sdkPost();
    const ok = { ...fields, 'Content-Type': 'image/png' };
    const file = { name: 'x.png', type: 'image/png', data: 'x' };
    const cases: Array<[string, Promise<Response>, number, string, string | RegExp]> = [
      ['key outside starts-with', post(url, { ...ok, key: 'elsewhere/${filename}' }, file), 403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "photos/"]'],
      ['metadata not as eq demands', post(url, { ...ok, 'x-amz-meta-owner': 'eve' }, file), 403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-owner", "ada"]'],
      ['a field no condition names', post(url, { ...ok, 'x-amz-meta-extra': '1' }, file), 403, 'AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-extra'],
      ['file too large', post(url, ok, { ...file, data: Buffer.alloc(1025) }), 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'],
      ['file too small', post(url, ok, { ...file, data: '' }), 400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size'],
      ['tampered signature', post(url, { ...ok, 'X-Amz-Signature': '0'.repeat(64) }, file), 403, 'SignatureDoesNotMatch', /signature/],
      ['tampered policy', post(url, { ...ok, Policy: Buffer.from(JSON.stringify({ expiration: '2099-01-01T00:00:00Z', conditions: [['starts-with', '$key', '']] })).toString('base64') }, file), 403, 'SignatureDoesNotMatch', /signature/],
      ['no key field', post(url, Object.fromEntries(Object.entries(ok).filter(([k]) => k !== 'key')), file), 400, 'InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields."],
      ['no file', post(url, ok, undefined), 400, 'InvalidArgument', 'POST requires exactly one file upload per request.'],
      ['policy not JSON', post(url, { ...ok, Policy: Buffer.from('{nope').toString('base64') }, file), 400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.'],
      ['not multipart', fetch(url, { method: 'POST', body: 'key=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'],
    ];
    for (const [name, response, status, code, message] of cases) {
      const err = await errorOf(await response);
      expect({ name, status: err.status, code: err.code }).toEqual({ name, status, code });
      if (typeof message === 'string') expect(err.message, name).toBe(message);
      else expect(err.message, name).toMatch(message);
    }
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'elsewhere/x.png' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('an expired policy is AccessDenied "Policy expired."', async () => {
    const { url, fields } = await sdkPost({ Expires: -60 });
    expect(await errorOf(await post(url, { ...fields, 'Content-Type': 'image/png' }, { name: 'late.png', type: 'image/png', data: 'x' }))).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
  });

  it('policy documents S3 refuses: missing expiration, conditions, unknown keys (InvalidPolicyDocument, 400)', async () => {
    // Hand-signed SigV4 policies (the SDK always writes a valid one).
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const credential = `test/${date.slice(0, 8)}/us-east-1/s3/aws4_request`;
    const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
    const key = hmac(hmac(hmac(hmac('AWS4test', date.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request');
    const form = (doc: unknown) => {
      const policy = Buffer.from(JSON.stringify(doc)).toString('base64');
      return { key: 'k.txt', Policy: policy, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': credential, 'X-Amz-Date': date, 'X-Amz-Signature': createHmac('sha256', key).update(policy).digest('hex') };
    };
    const file = { name: 'k.txt', type: 'text/plain', data: 'k' };
    const url = `${em.endpoint}/uploads`;
    const conditions = [{ bucket: 'uploads' }, { key: 'k.txt' }, { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': date }];
    expect((await errorOf(await post(url, form({ conditions }), file))).message).toBe('Invalid Policy: Policy missing expiration.');
    expect((await errorOf(await post(url, form({ expiration: '2099-01-01T00:00:00Z' }), file))).message).toBe('Invalid Policy: Policy missing conditions.');
    expect((await errorOf(await post(url, form({ EXPIRATION: '2099-01-01T00:00:00Z', conditions }), file))).message).toBe('Invalid Policy: Unexpected: "EXPIRATION"');
    expect((await errorOf(await post(url, form({ expiration: '2099-01-01 00:00:00', conditions }), file))).message).toBe("Invalid Policy: Invalid 'expiration' value: '2099-01-01 00:00:00'");
    expect((await post(url, form({ expiration: '2099-01-01T00:00:00.000Z', conditions }), file)).status).toBe(204);
  });
});

describe.skipIf(!hasBoto3)('boto3 generate_presigned_post (skipped: no boto3)', () => {
  it('SigV2 (its default here) and SigV4 policies upload, with tagging and metadata fields', async () => {
    const r = await runBoto3(
      em.endpoint,
      `
import urllib.request, uuid
from botocore.config import Config
def upload(s3, key):
    p = s3.generate_presigned_post('uploads', key, Fields={'x-amz-meta-by': 'boto3'}, Conditions=[{'x-amz-meta-by': 'boto3'}], ExpiresIn=300)
    boundary = uuid.uuid4().hex
    body = b''
    for k, v in p['fields'].items():
        body += ('--%s\\r\\nContent-Disposition: form-data; name="%s"\\r\\n\\r\\n%s\\r\\n' % (boundary, k, v)).encode()
    body += ('--%s\\r\\nContent-Disposition: form-data; name="file"; filename="f.txt"\\r\\nContent-Type: text/plain\\r\\n\\r\\n' % boundary).encode() + b'posted by boto3\\r\\n--' + boundary.encode() + b'--\\r\\n'
    req = urllib.request.Request(p['url'], data=body, method='POST', headers={'Content-Type': 'multipart/form-data; boundary=' + boundary})
    return {'status': urllib.request.urlopen(req).status, 'auth': 'x-amz-signature' in p['fields'] and 'v4' or 'v2'}
v4 = boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1', config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
print(json.dumps({'v2': upload(client('s3'), 'boto/v2.txt'), 'v4': upload(v4, 'boto/v4.txt')}))
`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ v2: { status: 204, auth: 'v2' }, v4: { status: 204, auth: 'v4' } });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: 'boto/v4.txt' }));
    expect(head.Metadata).toEqual({ by: 'boto3' });
  });
});

describe('tagging field', () => {
  it('a POST with a tagging field (Tagging XML) tags the object', async () => {
    const tagging = '<Tagging><TagSet><Tag><Key>source</Key><Value>form</Value></Tag></TagSet></Tagging>';
    const { url, fields } = await createPresignedPost(s3, { Bucket: 'uploads', Key: 'tagged.txt', Conditions: [{ tagging }], Fields: { tagging } });
    expect((await post(url, fields, { name: 't.txt', type: 'text/plain', data: 't' })).status).toBe(204);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: 'tagged.txt' }))).TagSet).toEqual([{ Key: 'source', Value: 'form' }]);
  });
});

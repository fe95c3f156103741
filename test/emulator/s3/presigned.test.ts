/**
 * Presigned (query-string SigV4) URLs from three presigners nobody here wrote:
 * `@aws-sdk/s3-request-presigner`, boto3 `generate_presigned_url` and
 * `aws s3 presign`. Expiry is checked on the endpoint's (virtual) clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { REAL_CLOCK, VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { hasAwsCli, hasBoto3, runAwsCli, runBoto3, s3Client } from '../../support/clients.ts';

const MINUTE = 60_000;

let em: Emulator;
let clock: VirtualClock;
let s3: S3Client;
let verifying: Emulator;
let s3v: S3Client;

beforeAll(async () => {
  clock = new VirtualClock({ autoAdvance: 'off' });
  em = await startEmulator({ services: ['s3'], log: false, clock });
  s3 = s3Client(em.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'links' }));
  await s3.send(new PutObjectCommand({ Bucket: 'links', Key: 'photo.jpg', Body: 'jpeg bytes' }));
  verifying = await startEmulator({ services: ['s3'], log: false, verifySignatures: true });
  s3v = s3Client(verifying.endpoint);
  await s3v.send(new CreateBucketCommand({ Bucket: 'links' }));
  await s3v.send(new PutObjectCommand({ Bucket: 'links', Key: 'photo.jpg', Body: 'jpeg bytes' }));
});
afterAll(async () => {
  s3?.destroy();
  s3v?.destroy();
  await em?.dispose();
  await verifying?.dispose();
});

function unescapeXml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

async function errorOf(r: Response): Promise<{ status: number; code: string; message: string; body: string }> {
  const body = await r.text();
  const text = (tag: string) => unescapeXml(new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1] ?? '');
  return { status: r.status, code: text('Code'), message: text('Message'), body };
}

describe('@aws-sdk/s3-request-presigner', () => {
  it('a presigned PUT uploads and a presigned GET downloads', async () => {
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'links', Key: 'up.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
    expect(new URL(put).searchParams.get('X-Amz-Expires')).toBe('300');
    expect((await fetch(put, { method: 'PUT', body: 'uploaded by link', headers: { 'content-type': 'text/plain' } })).status).toBe(200);
    const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'links', Key: 'up.txt' }), { expiresIn: 300 });
    const r = await fetch(get);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toBe('uploaded by link');
  });

  it('expires on the virtual clock: valid at 15 minutes, AccessDenied "Request has expired" one second later', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'links', Key: 'photo.jpg' }), { expiresIn: 900, signingDate: new Date(clock.now()) });
    await clock.advance(15 * MINUTE);
    expect((await fetch(url)).status).toBe(200);
    await clock.advance(1000);
    const err = await errorOf(await fetch(url));
    expect(err).toMatchObject({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
    expect(err.body).toContain('<X-Amz-Expires>900</X-Amz-Expires>');
    expect(err.body).toMatch(/<Expires>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expires><ServerTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/ServerTime>/);
    // A presigned PUT expires the same way and stores nothing.
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'links', Key: 'late.txt' }), { expiresIn: 60, signingDate: new Date(clock.now()) });
    await clock.advance(61_000);
    const late = await errorOf(await fetch(put, { method: 'PUT', body: 'too late' }));
    expect(late, late.body).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect((await fetch(`${em.endpoint}/links/late.txt`)).status).toBe(404);
  });

  it('a URL signed with the wall clock after virtual time jumped ahead is valid for its whole lifetime, then expires', async () => {
    await clock.advance(3 * 60 * MINUTE); // e.g. a Wait state of 3 hours; the signer (a Lambda handler) still reads real time
    // X-Amz-Date has whole seconds: sign in a later second than the jump (at most one real second of waiting).
    await REAL_CLOCK.sleep(1000 - (REAL_CLOCK.now() % 1000) + 5);
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'links', Key: 'photo.jpg' }), { expiresIn: 600 });
    expect((await fetch(url)).status).toBe(200);
    await clock.advance(9 * MINUTE);
    expect((await fetch(url)).status).toBe(200);
    await clock.advance(2 * MINUTE);
    expect((await errorOf(await fetch(url))).code).toBe('AccessDenied');
  });

  it('X-Amz-Expires over 7 days, not a number, or missing parameters: AuthorizationQueryParametersError', async () => {
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'links', Key: 'photo.jpg' }), { expiresIn: 604800 }));
    expect((await fetch(url)).status).toBe(200);
    const cases: Array<[string, (u: URL) => void, string]> = [
      ['8 days', (u) => u.searchParams.set('X-Amz-Expires', '691200'), 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds'],
      ['not a number', (u) => u.searchParams.set('X-Amz-Expires', 'soon'), 'X-Amz-Expires should be a number'],
      ['negative', (u) => u.searchParams.set('X-Amz-Expires', '-5'), 'X-Amz-Expires must be non-negative'],
      ['no signature', (u) => u.searchParams.delete('X-Amz-Signature'), 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.'],
      ['bad date', (u) => u.searchParams.set('X-Amz-Date', '2024-01-01T00:00:00Z'), `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`],
      ['bad algorithm', (u) => u.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA1'), 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'],
    ];
    for (const [name, mutate, message] of cases) {
      const u = new URL(url);
      mutate(u);
      expect({ name, ...(await errorOf(await fetch(u))) }).toMatchObject({ name, status: 400, code: 'AuthorizationQueryParametersError', message });
    }
  });

  it('with --verify-signatures: a tampered signature, key or method is SignatureDoesNotMatch; the untouched URL works', async () => {
    const url = new URL(await getSignedUrl(s3v, new GetObjectCommand({ Bucket: 'links', Key: 'photo.jpg' }), { expiresIn: 60 }));
    expect(await (await fetch(url)).text()).toBe('jpeg bytes');
    const sig = url.searchParams.get('X-Amz-Signature')!;
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Signature', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    expect(await errorOf(await fetch(tampered))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    const otherKey = new URL(url);
    otherKey.pathname = '/links/other.jpg';
    expect((await errorOf(await fetch(otherKey))).code).toBe('SignatureDoesNotMatch');
    expect((await errorOf(await fetch(url, { method: 'PUT', body: 'overwrite' }))).code).toBe('SignatureDoesNotMatch');
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '3600');
    expect((await errorOf(await fetch(longer))).code).toBe('SignatureDoesNotMatch');
  });
});

describe.skipIf(!hasBoto3)('boto3 generate_presigned_url (skipped: no boto3)', () => {
  it('SigV2 (its default here) and SigV4 URLs: PUT and GET verified; a tampered or expired one refused', async () => {
    const r = await runBoto3(
      verifying.endpoint,
      `
import http.client, urllib.request, urllib.error, urllib.parse
from botocore.config import Config
out = {}
def put(url, body):
    # http.client sends no Content-Type (urllib would add one the URL did not sign)
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request('PUT', u.path + '?' + u.query, body=body)
    return c.getresponse().status
def get(url):
    try:
        return urllib.request.urlopen(url).read().decode()
    except urllib.error.HTTPError as e:
        return e.code
for name, s3 in [('v2', client('s3')), ('v4', boto3.client('s3', endpoint_url=ENDPOINT, region_name='us-east-1', config=Config(signature_version='s3v4', s3={'addressing_style': 'path'})))]:
    up = s3.generate_presigned_url('put_object', Params={'Bucket': 'links', 'Key': name + '.txt'}, ExpiresIn=120)
    down = s3.generate_presigned_url('get_object', Params={'Bucket': 'links', 'Key': name + '.txt'}, ExpiresIn=120)
    out[name] = {'auth': 'X-Amz-Signature' in up and 'v4' or 'Signature=' in up and 'v2', 'put': put(up, b'from boto3 ' + name.encode()), 'get': get(down),
                 'tampered': get(down.replace('links/', 'links/x'))}
# SigV2 expiry is an absolute time: one already past is refused (SigV4 expiry is covered with the SDK above).
out['v2']['expired'] = get(client('s3').generate_presigned_url('get_object', Params={'Bucket': 'links', 'Key': 'v2.txt'}, ExpiresIn=-10))
print(json.dumps(out))
`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      v2: { auth: 'v2', put: 200, get: 'from boto3 v2', tampered: 403, expired: 403 },
      v4: { auth: 'v4', put: 200, get: 'from boto3 v4', tampered: 403 },
    });
  });
});

describe.skipIf(!hasAwsCli)('aws s3 presign (skipped: no /usr/bin/aws)', () => {
  it('prints a URL that downloads the object (signatures verified) and carries --expires-in', async () => {
    const r = await runAwsCli(verifying.endpoint, ['s3', 'presign', 's3://links/photo.jpg', '--expires-in', '90']);
    expect(r.exitCode).toBe(0);
    const url = new URL(r.stdout.trim());
    expect(url.searchParams.get('X-Amz-Expires')).toBe('90');
    expect(await (await fetch(url)).text()).toBe('jpeg bytes');
  });
});

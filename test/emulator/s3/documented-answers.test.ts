/**
 * Answers S3 documents (or real S3 gives) where the embedded S3 used to
 * differ, each stated as S3's behaviour. Real clients: SDK v3 with default
 * settings and boto3; raw HTTP only where a client cannot send the request.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { hasBoto3, runBoto3, s3Client } from '../../support/clients.ts';

const BUCKET = 'answers';
const MiB = 1024 * 1024;

let em: Emulator;
let s3: S3Client;

beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false });
  s3 = s3Client(em.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  s3?.destroy();
  await em?.dispose();
});

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(S3ServiceException);
    const err = e as S3ServiceException;
    return { name: err.name, status: err.$metadata.httpStatusCode };
  }
  throw new Error('expected an S3 error, but the call succeeded');
}

function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(em.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function twoPartUpload(key: string): Promise<{ uploadId: string; etags: string[]; bytes: Buffer[] }> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const bytes = [Buffer.alloc(5 * MiB, 'a'), Buffer.from('tail')];
  const etags: string[] = [];
  for (const [i, b] of bytes.entries()) etags.push((await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1, Body: b }))).ETag!);
  return { uploadId: UploadId!, etags, bytes };
}

describe('checksums', () => {
  it('a wrong x-amz-checksum-sha256 is BadDigest (400), a well-formed value of the wrong length too; on PutObject and UploadPart', async () => {
    const wrong = Buffer.alloc(32, 7).toString('base64');
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'c', Body: 'abc', ChecksumSHA256: wrong })))).toEqual({ name: 'BadDigest', status: 400 });
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'c', Body: 'abc', ChecksumSHA256: 'AAAA' })))).toEqual({ name: 'BadDigest', status: 400 });
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mc', ChecksumAlgorithm: 'SHA256' }));
    expect(await errorOf(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mc', UploadId, PartNumber: 1, Body: 'part', ChecksumSHA256: wrong })))).toEqual({ name: 'BadDigest', status: 400 });
    expect((await raw('GET', `/${BUCKET}/c`, {})).status).toBe(404);
  });
});

describe('multipart', () => {
  it('CompleteMultipartUpload retried after it succeeded answers 200 with the same result (an SDK retry after a lost response)', async () => {
    const { uploadId, etags } = await twoPartUpload('retried');
    const complete = () => s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'retried', UploadId: uploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    const first = await complete();
    const again = await complete();
    expect(again.ETag).toBe(first.ETag);
    expect(again.ETag).toMatch(/-2"$/);
  });

  it('a part number listed twice (a re-uploaded part) counts once, with its last entry', async () => {
    const { uploadId, etags, bytes } = await twoPartUpload('reuploaded');
    const newer = Buffer.from('new tail');
    const reupload = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'reuploaded', UploadId: uploadId, PartNumber: 2, Body: newer }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'reuploaded',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ ETag: etags[0], PartNumber: 1 }, { ETag: etags[1], PartNumber: 2 }, { ETag: reupload.ETag, PartNumber: 2 }] },
      }),
    );
    const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'reuploaded' }))).Body!.transformToByteArray());
    expect(got.equals(Buffer.concat([bytes[0]!, newer]))).toBe(true);
  });

  it('GetObject with a PartNumber beyond the parts is 400 InvalidPartNumber (not 416)', async () => {
    const { uploadId, etags } = await twoPartUpload('parts');
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'parts', UploadId: uploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'parts', PartNumber: 2 }))).ContentLength).toBe(4);
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'parts', PartNumber: 3 })))).toEqual({ name: 'InvalidPartNumber', status: 400 });
  });

  it('UploadPartCopy takes only x-amz-copy-source-range bytes=first-last inside the source: others InvalidArgument, past the end InvalidRange', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'five', Body: '12345' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copied' }));
    const copy = (range: string) => s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'copied', UploadId, PartNumber: 1, CopySource: `${BUCKET}/five`, CopySourceRange: range }));
    for (const range of ['bytes=3-1', 'bytes=0-', 'bytes=-2', '0-3', 'bytes=0-1,3-4']) expect({ range, ...(await errorOf(copy(range))) }).toEqual({ range, name: 'InvalidArgument', status: 400 });
    expect(await errorOf(copy('bytes=0-21'))).toEqual({ name: 'InvalidRange', status: 416 });
    expect((await copy('bytes=1-3')).CopyPartResult?.ETag).toBe('"' + (await import('node:crypto')).createHash('md5').update('234').digest('hex') + '"');
  });
});

describe('listing', () => {
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'answers-list' }));
    for (const key of ['asdf', 'boo/bar', 'boo/baz/xyzzy', 'cquux/thud', 'cquux/bla', 'a b+c/x']) await s3.send(new PutObjectCommand({ Bucket: 'answers-list', Key: key, Body: 'x' }));
  });

  it('ListObjects (v1) with a delimiter pages through common prefixes: NextMarker, IsTruncated and the next page are right', async () => {
    const page = async (Prefix: string, Marker: string, MaxKeys: number) => {
      const r = await s3.send(new ListObjectsCommand({ Bucket: 'answers-list', Prefix, Delimiter: '/', Marker, MaxKeys }));
      return { keys: (r.Contents ?? []).map((c) => c.Key), prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix), truncated: r.IsTruncated, next: r.NextMarker };
    };
    expect(await page('', '', 1)).toEqual({ keys: [], prefixes: ['a b+c/'], truncated: true, next: 'a b+c/' }); // 'a b+c/' < 'asdf'
    expect(await page('', 'a b+c/', 1)).toEqual({ keys: ['asdf'], prefixes: [], truncated: true, next: 'asdf' });
    expect(await page('', 'asdf', 1)).toEqual({ keys: [], prefixes: ['boo/'], truncated: true, next: 'boo/' });
    expect(await page('', 'boo/', 1)).toEqual({ keys: [], prefixes: ['cquux/'], truncated: false, next: undefined });
    expect(await page('boo/', '', 1)).toEqual({ keys: ['boo/bar'], prefixes: [], truncated: true, next: 'boo/bar' });
    expect(await page('boo/', 'boo/bar', 1)).toEqual({ keys: [], prefixes: ['boo/baz/'], truncated: false, next: undefined });
  });

  it('ListObjectsV2 with an empty ContinuationToken starts from the beginning and echoes it', async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: 'answers-list', ContinuationToken: '' }));
    expect(r.ContinuationToken).toBe('');
    expect(r.KeyCount).toBe(6);
    expect(r.IsTruncated).toBe(false);
  });

  it.skipIf(!hasBoto3)('boto3 (which asks for encoding-type=url itself) gets Prefix back as it sent it, v1 and v2', async () => {
    const r = await runBoto3(
      em.endpoint,
      `
s3 = client('s3')
v1 = s3.list_objects(Bucket='answers-list', Prefix='a b+c/', Delimiter='/')
v2 = s3.list_objects_v2(Bucket='answers-list', Prefix='a b+c/')
print(json.dumps({'v1': v1['Prefix'], 'v1keys': [c['Key'] for c in v1['Contents']], 'v2': v2['Prefix'], 'v2keys': [c['Key'] for c in v2['Contents']]}))
`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ v1: 'a b+c/', v1keys: ['a b+c/x'], v2: 'a b+c/', v2keys: ['a b+c/x'] });
  });
});

describe('request framing', () => {
  it('PUT without Content-Length (chunked transfer encoding) is 411 MissingContentLength and stores nothing', async () => {
    const r = await raw('PUT', `/${BUCKET}/unsized`, { 'transfer-encoding': 'chunked' }, 'some bytes');
    expect(r.status).toBe(411);
    expect(r.body).toContain('<Code>MissingContentLength</Code>');
    expect((await raw('GET', `/${BUCKET}/unsized`, {})).status).toBe(404);
  });

  it('an empty Expect header is ignored (not 417)', async () => {
    expect((await raw('PUT', `/${BUCKET}/expect`, { expect: '', 'content-length': '2' }, 'ok')).status).toBe(200);
    expect((await raw('GET', `/${BUCKET}/expect`, {})).body).toBe('ok');
  });
});

describe('user metadata outside US-ASCII', () => {
  it('comes back RFC 2047-encoded (=?UTF-8?B?…?=), which SDK v3 shows as is; an encoded-word sent is stored decoded', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta', Body: 'x', Metadata: { city: 'Zürich', plain: 'ascii only', sent: '=?UTF-8?B?5pel5pys?=' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta' }));
    expect(head.Metadata).toEqual({ city: `=?UTF-8?B?${Buffer.from('Zürich').toString('base64')}?=`, plain: 'ascii only', sent: '=?UTF-8?B?5pel5pys?=' });
    // Stored decoded: what comes back is S3's own B encoding, not an echo of the Q-encoded input.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta-q', Body: 'x', Metadata: { word: '=?UTF-8?Q?caf=C3=A9?=' } }));
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta-q' }))).Metadata).toEqual({ word: `=?UTF-8?B?${Buffer.from('café').toString('base64')}?=` });
  });

  it.skipIf(!hasBoto3)('boto3 shows the same encoded-word', async () => {
    const r = await runBoto3(em.endpoint, `print(json.dumps(client('s3').head_object(Bucket='${BUCKET}', Key='meta')['Metadata']))`);
    expect(JSON.parse(r.stdout).city).toBe(`=?UTF-8?B?${Buffer.from('Zürich').toString('base64')}?=`);
  });
});

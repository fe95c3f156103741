/** S3 driven by AWS SDK for JavaScript v3 with its newest defaults (flexible checksums, aws-chunked streams). */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { s3Client } from '../../support/clients.ts';

let em: Emulator;
let s3: S3Client;
let dir: string;

beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false });
  s3 = s3Client(em.endpoint);
  dir = mkdtempSync(join(tmpdir(), 'rehearse-s3-sdk-'));
  await s3.send(new CreateBucketCommand({ Bucket: 'sdk-bucket' }));
});
afterAll(async () => {
  s3?.destroy();
  await em?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function expectAwsError(p: Promise<unknown>, name: string, status: number): Promise<S3ServiceException> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(S3ServiceException);
    const err = e as S3ServiceException;
    expect({ name: err.name, status: err.$metadata.httpStatusCode }).toEqual({ name, status });
    return err;
  }
  throw new Error(`expected ${name}, but the call succeeded`);
}

const md5 = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

describe('objects', () => {
  it('PUT a Buffer and GET it back with metadata, content type, ETag and CRC32 (ChecksumMode)', async () => {
    const body = Buffer.from('hello, rehearse');
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'greeting.txt', Body: body, ContentType: 'text/plain', Metadata: { Owner: 'team-a' } }));
    expect(put.ETag).toBe(md5(body));
    expect(put.ChecksumCRC32).toBeDefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'greeting.txt', ChecksumMode: 'ENABLED' }));
    expect(await got.Body!.transformToString()).toBe('hello, rehearse');
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ owner: 'team-a' });
    expect(got.ETag).toBe(md5(body));
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    expect(got.ContentLength).toBe(body.length);
  });

  it('PUT a file stream (aws-chunked with a trailing checksum) stores exactly the file bytes', async () => {
    const bytes = randomBytes(300_000);
    const file = join(dir, 'upload.bin');
    writeFileSync(file, bytes);
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'file.bin', Body: createReadStream(file), ContentLength: bytes.length }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'file.bin' }));
    const back = Buffer.from(await got.Body!.transformToByteArray());
    expect(back.length).toBe(bytes.length);
    expect(back.equals(bytes)).toBe(true);
    expect(got.ETag).toBe(md5(bytes));
  });

  it('uploads a stream of unknown length with lib-storage (single part and multipart)', async () => {
    const small = randomBytes(1000);
    const pass = new PassThrough();
    const up = new Upload({ client: s3, params: { Bucket: 'sdk-bucket', Key: 'unknown-small', Body: pass } });
    pass.end(small);
    await up.done();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'unknown-small' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(small)).toBe(true);

    const big = randomBytes(11 * 1024 * 1024 + 123);
    const chunks = Readable.from((function* () {
      for (let i = 0; i < big.length; i += 64 * 1024) yield big.subarray(i, i + 64 * 1024);
    })());
    const res = await new Upload({ client: s3, params: { Bucket: 'sdk-bucket', Key: 'unknown-big', Body: chunks } }).done();
    expect(res.ETag).toMatch(/-3"$/);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'unknown-big', ChecksumMode: 'ENABLED' }));
    expect(head.ContentLength).toBe(big.length);
    const gotBig = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'unknown-big', ChecksumMode: 'ENABLED' }));
    const backBig = Buffer.from(await gotBig.Body!.transformToByteArray());
    expect(createHash('sha256').update(backBig).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it.each(['CRC32C', 'SHA1', 'SHA256'] as const)('stores and returns a %s checksum the SDK validates', async (alg) => {
    const body = randomBytes(5000);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: `ck-${alg}`, Body: body, ChecksumAlgorithm: alg }));
    const field = `Checksum${alg}` as const;
    expect(put[field]).toBeDefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: `ck-${alg}`, ChecksumMode: 'ENABLED' }));
    expect(got[field]).toBe(put[field]);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('a wrong checksum is BadDigest and stores nothing', async () => {
    await expectAwsError(
      s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'bad-digest', Body: 'abc', ChecksumCRC32: 'AAAAAA==' })),
      'BadDigest',
      400,
    );
    await expectAwsError(s3.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'bad-digest' })), 'NotFound', 404);
  });

  it('Range reads return 206 with Content-Range; an unsatisfiable range is InvalidRange', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Body: '0123456789' }));
    const mid = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=2-5' }));
    expect(await mid.Body!.transformToString()).toBe('2345');
    expect(mid.ContentRange).toBe('bytes 2-5/10');
    expect(mid.$metadata.httpStatusCode).toBe(206);
    const tail = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=-3' }));
    expect(await tail.Body!.transformToString()).toBe('789');
    const open = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=7-' }));
    expect(await open.Body!.transformToString()).toBe('789');
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'digits', Range: 'bytes=10-' })), 'InvalidRange', 416);
  });

  it('conditional GETs: If-None-Match → 304, If-Match mismatch → PreconditionFailed, If-Modified-Since', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'cond', Body: 'v1' }));
    // 304 has no body (as in AWS), so the SDK can only name it 'Unknown'; the status is what matters.
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'cond', IfNoneMatch: put.ETag })), 'Unknown', 304);
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'cond', IfMatch: '"nope"' })), 'PreconditionFailed', 412);
    const ok = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'cond', IfMatch: put.ETag }));
    expect(await ok.Body!.transformToString()).toBe('v1');
    const future = new Date(Date.now() + 3600_000);
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'cond', IfModifiedSince: future })), 'Unknown', 304);
  });

  it('conditional writes: If-None-Match * refuses to overwrite', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    await expectAwsError(s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'once', Body: 'second', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'once' }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  it('NoSuchKey on GET (typed), bare 404 on HEAD, delete of a missing key succeeds', async () => {
    const err = await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'missing/key' })), 'NoSuchKey', 404);
    expect((err as unknown as { Key?: string }).Key).toBe('missing/key');
    await expectAwsError(s3.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'missing/key' })), 'NotFound', 404);
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'sdk-bucket', Key: 'missing/key' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
  });

  it('CopyObject copies bytes and metadata (COPY) or replaces them (REPLACE); self-copy without change is InvalidRequest', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'src key+special', Body: 'copy me', ContentType: 'text/x-src', Metadata: { a: '1' } }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst', CopySource: `sdk-bucket/${encodeURIComponent('src key+special')}` }));
    expect(copied.CopyObjectResult?.ETag).toBe(md5(Buffer.from('copy me')));
    const dst = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst' }));
    expect(await dst.Body!.transformToString()).toBe('copy me');
    expect(dst.ContentType).toBe('text/x-src');
    expect(dst.Metadata).toEqual({ a: '1' });
    await s3.send(new CopyObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst2', CopySource: 'sdk-bucket/dst', MetadataDirective: 'REPLACE', ContentType: 'text/y', Metadata: { b: '2' } }));
    const dst2 = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst2' }));
    expect(dst2.ContentType).toBe('text/y');
    expect(dst2.Metadata).toEqual({ b: '2' });
    await expectAwsError(s3.send(new CopyObjectCommand({ Bucket: 'sdk-bucket', Key: 'dst', CopySource: 'sdk-bucket/dst' })), 'InvalidRequest', 400);
    await expectAwsError(s3.send(new CopyObjectCommand({ Bucket: 'sdk-bucket', Key: 'x', CopySource: 'sdk-bucket/absent' })), 'NoSuchKey', 404);
  });
});

describe('listing and batch delete', () => {
  it('ListObjectsV2 with prefix, delimiter and paging returns every key once, in order', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'list-bucket' }));
    const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'd/x/y', 'e', 'ünïcode', 'with space'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'list-bucket', Key: k, Body: k }));
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', MaxKeys: 2, ContinuationToken: token }));
      all.push(...(page.Contents ?? []).map((c) => c.Key!));
      expect(page.KeyCount).toBe((page.Contents ?? []).length);
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    expect(all).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    expect(pages).toBe(5);

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['c', 'e', 'with space', 'ünïcode']);

    // Common prefixes count toward MaxKeys and paging never repeats one.
    const seen: string[] = [];
    token = undefined;
    do {
      const page: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', Delimiter: '/', MaxKeys: 1, ContinuationToken: token }));
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(seen).toEqual(['a/', 'b/', 'c', 'd/', 'e', 'with space', 'ünïcode']);

    const inA = await s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', Prefix: 'a/', Delimiter: '/' }));
    expect(inA.Contents?.map((c) => c.Key)).toEqual(['a/1', 'a/2']);
    expect(inA.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/b/']);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', StartAfter: 'd/x/y' }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['e', 'with space', 'ünïcode']);
  });

  it('DeleteObjects removes the listed keys and reports them', async () => {
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: 'list-bucket', Delete: { Objects: [{ Key: 'a/1' }, { Key: 'a/2' }, { Key: 'never-existed' }] } }));
    expect(res.Deleted?.map((d) => d.Key).sort()).toEqual(['a/1', 'a/2', 'never-existed']);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'list-bucket', Prefix: 'a/' }));
    expect(left.Contents?.map((c) => c.Key)).toEqual(['a/b/3']);
  });
});

describe('buckets', () => {
  it('create / head / list / delete, with AWS errors for bad names, non-empty and missing buckets', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'short-lived' }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain('short-lived');
    await expectAwsError(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })), 'InvalidBucketName', 400);
    await expectAwsError(s3.send(new CreateBucketCommand({ Bucket: '192.168.1.1' })), 'InvalidBucketName', 400);
    await s3.send(new PutObjectCommand({ Bucket: 'short-lived', Key: 'k', Body: 'x' }));
    await expectAwsError(s3.send(new DeleteBucketCommand({ Bucket: 'short-lived' })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'short-lived', Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'short-lived' }));
    await expectAwsError(s3.send(new HeadBucketCommand({ Bucket: 'short-lived' })), 'NotFound', 404);
    await expectAwsError(s3.send(new GetObjectCommand({ Bucket: 'short-lived', Key: 'k' })), 'NoSuchBucket', 404);
  });

  it('virtual-host style (`<bucket>.localhost`) reaches the same bucket as path style', async () => {
    const port = new URL(em.endpoint).port;
    const vhost = s3Client(`http://localhost:${port}`, { virtualHost: true });
    await vhost.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'via/vhost.txt', Body: 'virtual host' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'via/vhost.txt' }));
    expect(await got.Body!.transformToString()).toBe('virtual host');
    const listed = await vhost.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', Prefix: 'via/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['via/vhost.txt']);
    vhost.destroy();
  });
});

describe('operation faults', () => {
  it('a fault plan makes the 2nd GetObject fail with the injected error, once', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'faulty', Body: 'ok' }));
    em.faults.install({ operations: [{ service: 's3', operation: 'GetObject', invocations: [2], error: { code: 'SlowDown', message: 'Please reduce your request rate.' } }] });
    try {
      const noRetry = s3Client(em.endpoint, { extra: { maxAttempts: 1 } });
      await noRetry.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'faulty' }));
      await expectAwsError(noRetry.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'faulty' })), 'SlowDown', 503);
      const third = await noRetry.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'faulty' }));
      expect(await third.Body!.transformToString()).toBe('ok');
      noRetry.destroy();
    } finally {
      em.faults.clear();
    }
  });
});

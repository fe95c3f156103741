/**
 * Large S3 uploads through the endpoint with the SDK's defaults, on both
 * hashing paths: a lone upload is hashed in-thread as it arrives; uploads that
 * overlap other requests get their MD5 from the digest worker. Either way the
 * ETag is the MD5 of the bytes (what `aws s3 sync` compares) and a checksum
 * that does not match is BadDigest with nothing stored.
 */
import { createHash } from 'node:crypto';
import { request, type ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { checksumOf } from '../../../harness/protocol/checksums.ts';
import { sharedDigestWorker } from '../../../harness/protocol/digest-worker.ts';
import { s3Client } from '../../support/clients.ts';
import { payload } from '../../support/bytes.ts';

let em: Emulator;
let s3: S3Client;
beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false });
  s3 = s3Client(em.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
  // Jobs are only given to a worker that is online (the first upload after start-up is hashed in-thread).
  expect(await sharedDigestWorker().ready()).toBe(true);
});
afterAll(async () => {
  s3?.destroy();
  await em?.dispose();
});

const etagOf = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

/**
 * A request held open on the endpoint (headers sent with `Expect: 100-continue`,
 * body not yet): while it is in flight, other uploads overlap it and go to the
 * worker. Resolves once the endpoint has started handling it (it sent 100 Continue).
 */
async function holdRequestOpen(): Promise<{ release(): Promise<number> }> {
  const url = new URL(em.endpoint);
  let req!: ClientRequest;
  const status = new Promise<number>((resolve, reject) => {
    req = request({ host: url.hostname, port: url.port, method: 'PUT', path: '/big/held', headers: { 'content-length': '4', expect: '100-continue' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
  await new Promise<void>((resolve) => req.once('continue', () => resolve()));
  return {
    release: async () => {
      req.end('held');
      return status;
    },
  };
}

async function bodyOf(key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

async function expectBadDigest(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3ServiceException);
  expect((err as S3ServiceException).name).toBe('BadDigest');
}

describe('large PUTs', () => {
  it('a lone 3 MiB PUT (hashed in-thread): ETag is the MD5, bytes and CRC32 round-trip', async () => {
    const data = payload(3 * 1024 * 1024 + 17, 1);
    const before = sharedDigestWorker().jobsBegun;
    const put = await s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'lone', Body: data }));
    expect(put.ETag).toBe(etagOf(data));
    expect(put.ChecksumCRC32).toBe(checksumOf('CRC32', data));
    expect(sharedDigestWorker().jobsBegun).toBe(before);
    expect((await bodyOf('lone')).equals(data)).toBe(true);
  });

  it('PUTs overlapping another request go through the worker: right ETags, CRC32 verified, BadDigest still raised', async () => {
    const held = await holdRequestOpen();
    const before = sharedDigestWorker().jobsBegun;
    const a = payload(2 * 1024 * 1024, 2);
    const b = payload(1024 * 1024 + 1, 3);
    // Buffer bodies (CRC32 header) and a stream of known length (aws-chunked, CRC32 trailer), concurrently.
    const [pa, pb] = await Promise.all([
      s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'a', Body: a })),
      s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'b', Body: Readable.from([b.subarray(0, 300_001), b.subarray(300_001)]), ContentLength: b.length })),
    ]);
    expect(pa.ETag).toBe(etagOf(a));
    expect(pb.ETag).toBe(etagOf(b));
    expect(pb.ChecksumCRC32).toBe(checksumOf('CRC32', b));
    expect(sharedDigestWorker().jobsBegun - before).toBe(2);

    // A CRC32 that is not the body's: the checksum is still verified on the worker path.
    const c = payload(1024 * 1024, 4);
    await expectBadDigest(s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'c', Body: c, ChecksumCRC32: checksumOf('CRC32', a) })));
    // And a Content-MD5 that is not the body's (the MD5 itself comes from the worker).
    await expectBadDigest(s3.send(new PutObjectCommand({ Bucket: 'big', Key: 'c', Body: c, ContentMD5: createHash('md5').update(a).digest('base64') })));
    expect(sharedDigestWorker().jobsBegun - before).toBe(4);
    await expect(bodyOf('c')).rejects.toThrow();

    expect(await held.release()).toBe(200);
    expect((await bodyOf('a')).equals(a)).toBe(true);
    expect((await bodyOf('b')).equals(b)).toBe(true);
  });
});

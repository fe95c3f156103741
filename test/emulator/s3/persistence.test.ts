/** --data-dir: write, stop, start on the same directory, read back byte for byte; no key escapes the directory. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { startEmulator } from '../../../harness/emulator/index.ts';
import { s3Client } from '../../support/clients.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('S3 persistence', () => {
  it('survives a restart byte for byte: objects, metadata, checksums, multipart ETags, notification config', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rehearse-persist-'));
    roots.push(root);
    const dataDir = join(root, 'data');
    const nastyKeys = ['../../outside.txt', '/etc/passwd', 'nul\u0000byte', `long-${'x'.repeat(1000)}`, 'ünï/cödé ✓', 'plain/key.bin'];
    const written = new Map<string, Buffer>();

    {
      await using em = await startEmulator({ services: ['s3'], dataDir, log: false });
      const s3 = s3Client(em.endpoint);
      await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
      for (const key of nastyKeys) {
        const body = randomBytes(1000 + key.length);
        written.set(key, body);
        await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: key, Body: body, ContentType: 'application/x-test', Metadata: { k: key.length.toString() }, ChecksumAlgorithm: 'SHA256' }));
      }
      // Overwrite and delete also persist.
      const v2 = Buffer.from('second version');
      await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'plain/key.bin', Body: v2 }));
      written.set('plain/key.bin', v2);
      await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'gone', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'durable', Key: 'gone' }));
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'durable',
          NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'n1', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }] } } }] },
        }),
      );
      s3.destroy();
    }

    // Every file lives under <dataDir>/s3/buckets/durable, named by hash — nothing escaped.
    const files = walk(root).map((f) => relative(root, f));
    expect(files.every((f) => f.startsWith(join('data', 's3', 'buckets', 'durable')))).toBe(true);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(nastyKeys.length);
    expect(files.every((f) => /bucket\.json$|objects\/[0-9a-f]{64}(\.[0-9a-f]+\.bin|\.json)$/.test(f))).toBe(true);

    {
      await using em = await startEmulator({ services: ['s3'], dataDir, log: false });
      const s3 = s3Client(em.endpoint);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'durable' }));
      expect(listed.Contents?.map((c) => c.Key).sort()).toEqual([...written.keys()].sort());
      for (const [key, body] of written) {
        const got = await s3.send(new GetObjectCommand({ Bucket: 'durable', Key: key, ChecksumMode: 'ENABLED' }));
        const back = Buffer.from(await got.Body!.transformToByteArray());
        expect(back.equals(body)).toBe(true);
        if (key !== 'plain/key.bin') {
          expect(got.ContentType).toBe('application/x-test');
          expect(got.Metadata).toEqual({ k: key.length.toString() });
          expect(got.ChecksumSHA256).toBeDefined();
        }
      }
      const n = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'durable' }));
      expect(n.LambdaFunctionConfigurations?.[0]).toMatchObject({ Id: 'n1', Events: ['s3:ObjectCreated:*'] });
      s3.destroy();
    }
  });

  it('reset empties the data directory too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rehearse-persist-reset-'));
    roots.push(dataDir);
    {
      await using em = await startEmulator({ services: ['s3'], dataDir, log: false });
      const s3 = s3Client(em.endpoint);
      await s3.send(new CreateBucketCommand({ Bucket: 'temp' }));
      await s3.send(new PutObjectCommand({ Bucket: 'temp', Key: 'k', Body: 'v' }));
      await em.reset();
      s3.destroy();
    }
    await using em2 = await startEmulator({ services: ['s3'], dataDir, log: false });
    const s3 = s3Client(em2.endpoint);
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'temp' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    s3.destroy();
  });
});

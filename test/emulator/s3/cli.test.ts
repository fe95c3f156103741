/** S3 driven by the Debian AWS CLI v2 (`/usr/bin/aws`): mb / cp (incl. multipart-sized) / ls / rm. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { hasAwsCli, runAwsCli } from '../../support/clients.ts';

describe.skipIf(!hasAwsCli)('S3 with the AWS CLI v2 (skipped: /usr/bin/aws not installed)', () => {
  let em: Emulator;
  let dir: string;
  beforeAll(async () => {
    em = await startEmulator({ services: ['s3'], log: false });
    dir = mkdtempSync(join(tmpdir(), 'rehearse-cli-'));
  });
  afterAll(async () => {
    await em?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mb, cp up and down (small and 9 MiB multipart), ls, rm', { timeout: 400_000 }, async () => {
    const mb = await runAwsCli(em.endpoint, ['s3', 'mb', 's3://cli-bucket']);
    expect(mb.stderr).toBe('');
    expect(mb.exitCode).toBe(0);
    expect(mb.stdout).toContain('make_bucket: cli-bucket');

    const small = join(dir, 'small.txt');
    writeFileSync(small, 'hello from the cli\n');
    const big = join(dir, 'big.bin');
    const bigBytes = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < bigBytes.length; i += 4) bigBytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(big, bigBytes);

    expect((await runAwsCli(em.endpoint, ['s3', 'cp', small, 's3://cli-bucket/docs/small.txt'])).exitCode).toBe(0);
    const upBig = await runAwsCli(em.endpoint, ['s3', 'cp', big, 's3://cli-bucket/data/big.bin']);
    expect(upBig.stderr).toBe('');
    expect(upBig.exitCode).toBe(0);

    // The CLI really used multipart for the 9 MiB file (threshold 8 MiB): the ETag says so.
    const head = await runAwsCli(em.endpoint, ['s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'data/big.bin']);
    expect(head.exitCode).toBe(0);
    const headJson = JSON.parse(head.stdout) as { ETag: string; ContentLength: number };
    expect(headJson.ContentLength).toBe(bigBytes.length);
    expect(headJson.ETag).toMatch(/-2"$/);

    const ls = await runAwsCli(em.endpoint, ['s3', 'ls', 's3://cli-bucket/', '--recursive']);
    expect(ls.exitCode).toBe(0);
    expect(ls.stdout).toMatch(/\s19 docs\/small\.txt/);
    expect(ls.stdout).toContain(`${bigBytes.length} data/big.bin`);
    const lsTop = await runAwsCli(em.endpoint, ['s3', 'ls', 's3://cli-bucket/']);
    expect(lsTop.stdout).toContain('PRE docs/');
    expect(lsTop.stdout).toContain('PRE data/');

    const back = join(dir, 'back.bin');
    expect((await runAwsCli(em.endpoint, ['s3', 'cp', 's3://cli-bucket/data/big.bin', back])).exitCode).toBe(0);
    expect(createHash('sha256').update(readFileSync(back)).digest('hex')).toBe(createHash('sha256').update(bigBytes).digest('hex'));
    const backSmall = join(dir, 'back.txt');
    expect((await runAwsCli(em.endpoint, ['s3', 'cp', 's3://cli-bucket/docs/small.txt', backSmall])).exitCode).toBe(0);
    expect(readFileSync(backSmall, 'utf8')).toBe('hello from the cli\n');

    expect((await runAwsCli(em.endpoint, ['s3', 'rm', 's3://cli-bucket/docs/small.txt'])).exitCode).toBe(0);
    const ls2 = await runAwsCli(em.endpoint, ['s3', 'ls', 's3://cli-bucket/', '--recursive']);
    expect(ls2.stdout).not.toContain('small.txt');
    expect((await runAwsCli(em.endpoint, ['s3', 'rm', 's3://cli-bucket/', '--recursive'])).exitCode).toBe(0);
    expect((await runAwsCli(em.endpoint, ['s3', 'rb', 's3://cli-bucket'])).exitCode).toBe(0);
    const lsBuckets = await runAwsCli(em.endpoint, ['s3', 'ls']);
    expect(lsBuckets.stdout).not.toContain('cli-bucket');
  });

  it('a missing key is a 404 the CLI reports, and a missing bucket NoSuchBucket', { timeout: 200_000 }, async () => {
    await runAwsCli(em.endpoint, ['s3', 'mb', 's3://cli-errors']);
    const r = await runAwsCli(em.endpoint, ['s3api', 'get-object', '--bucket', 'cli-errors', '--key', 'nope', join(dir, 'x')]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('NoSuchKey');
    const r2 = await runAwsCli(em.endpoint, ['s3', 'ls', 's3://no-such-bucket-here']);
    expect(r2.exitCode).not.toBe(0);
    expect(r2.stderr).toContain('NoSuchBucket');
  });
});

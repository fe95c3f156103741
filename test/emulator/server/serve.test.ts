/** `rehearse serve` as a real child process: prints its URL, serves, stops on SIGTERM/SIGINT and releases the port. */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../support/clients.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function serve(args: string[]): { child: ResultPromise; url: Promise<string> } {
  // Own process group, signalled as a whole — what a terminal's Ctrl+C or a supervisor's SIGTERM does
  // (npx → tsx → node are three processes).
  const child = execa('npx', ['tsx', 'harness/cli/entry.ts', 'serve', '--port', '0', ...args], { cwd: ROOT, reject: false, buffer: true, detached: true, forceKillAfterDelay: false });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
      if (m) resolve(m[1]!);
    });
    void child.then((r) => reject(new Error(`serve exited early (${r.exitCode}): ${String(r.stderr)}`)));
  });
  return { child, url };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('rehearse serve (child process)', () => {
  it('prints the URL, serves S3 + the control API, exits 0 on SIGTERM and frees the port', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rehearse-serve-'));
    dirs.push(dataDir);
    const { child, url } = serve(['--data-dir', dataDir, '--clock', 'virtual', '--seed', '7']);
    const endpoint = await url;
    const health = (await (await fetch(`${endpoint}/_rehearse/health`)).json()) as { status: string; clock: string; services: string[] };
    expect(health.status).toBe('ok');
    expect(health.clock).toBe('virtual');
    expect(health.services).toContain('s3');

    const s3 = s3Client(endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'served' }));
    await s3.send(new PutObjectCommand({ Bucket: 'served', Key: 'k', Body: 'persist me' }));
    s3.destroy();

    process.kill(-child.pid!, 'SIGTERM');
    const result = await child;
    // Our process logs its clean shutdown; the npx wrapper either exits 0 or re-raises the signal it got too.
    expect(String(result.stderr)).toContain('stopped');
    expect(result.exitCode === 0 || result.signal === 'SIGTERM').toBe(true);
    const port = Number(new URL(endpoint).port);
    expect(await portFree(port)).toBe(true);

    // Same data dir, new process: the object survived.
    const again = serve(['--data-dir', dataDir]);
    const endpoint2 = await again.url;
    const s3b = s3Client(endpoint2);
    const got = await s3b.send(new GetObjectCommand({ Bucket: 'served', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('persist me');
    s3b.destroy();
    process.kill(-again.child.pid!, 'SIGINT');
    const second = await again.child;
    expect(String(second.stderr)).toContain('stopped');
  }, 180_000);

  it('rejects bad flags with exit code 2 and a message naming the flag', async () => {
    const r = await execa('npx', ['tsx', 'harness/cli/entry.ts', 'serve', '--clock', 'sometimes'], { cwd: ROOT, reject: false });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('--clock must be real or virtual');
  }, 120_000);
});

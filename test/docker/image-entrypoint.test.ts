/**
 * What the rehearse image runs, without Docker: the Dockerfile's exec-form
 * ENTRYPOINT + CMD as a separate process (host/port swapped for loopback and a
 * free port), its HEALTHCHECK command against it, and the `endpoint=URL`
 * backend on top — the harness reaching a separate `rehearse serve` only
 * through the AWS APIs and /_rehearse.
 */
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../harness/backends/index.ts';
import { DOCKERFILE, REPO_ROOT } from '../../harness/backends/images.ts';

const text = readFileSync(DOCKERFILE, 'utf8');
const execForm = (op: string): string[] => JSON.parse(new RegExp(`^${op}\\s+(\\[.*\\])\\s*$`, 'm').exec(text)![1]!) as string[];
const healthcheck = JSON.parse(/^\s*CMD\s+(\[.*\])\s*$/m.exec(text.slice(text.indexOf('HEALTHCHECK')))![1]!) as string[];

describe('the image entry point, run as a plain process', () => {
  it('serves, passes its own HEALTHCHECK, and works as --backend endpoint=URL', async () => {
    const [cmd, ...entryArgs] = execForm('ENTRYPOINT');
    const args = [...entryArgs, ...execForm('CMD')];
    args[args.indexOf('--host') + 1] = '127.0.0.1';
    args[args.indexOf('--port') + 1] = '0';
    expect(cmd).toBe('node');
    const serve = execa(process.execPath, args, { cwd: REPO_ROOT, reject: false, env: { NODE_ENV: 'production' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: serve.stdout! });
        lines.once('line', (l) => resolve(l.trim()));
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = new URL(url).port;

      // The HEALTHCHECK command, pointed at this port, must succeed — and fail when nothing listens.
      const probe = (p: string) => healthcheck.map((a) => a.replace('127.0.0.1:4566', `127.0.0.1:${p}`));
      const [node, ...hcArgs] = probe(port);
      expect(node).toBe('node');
      expect((await execa(process.execPath, hcArgs, { reject: false })).exitCode).toBe(0);

      await using backend = await createBackend(`endpoint=${url}`);
      expect(backend.controlUrl).toBe(`${url}/_rehearse`);
      // `serve` defaults to the wall clock, and a loopback endpoint can read local code dirs.
      expect(backend.capabilities).toMatchObject({ virtualTime: false, operationFaults: true, observations: true, localCodeDirectories: true });
      const s3 = new S3Client({ endpoint: backend.endpoint, region: backend.region, credentials: backend.credentials, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'separate-process' }));
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain('separate-process');
      s3.destroy();
    } finally {
      serve.kill('SIGTERM');
    }
    const done = await serve;
    expect(done.exitCode).toBe(0);
    const [, ...deadArgs] = healthcheck.map((a) => a.replace('127.0.0.1:4566', '127.0.0.1:1'));
    expect((await execa(process.execPath, deadArgs, { reject: false })).exitCode).toBe(1);
  });
});

/**
 * `npm run bench -- scenario`, in one run:
 *  1. image-processor end to end on a 4000×3000 JPEG (PutObject → notification →
 *     Step Functions → five Lambdas → SUCCEEDED, warm) vs the same sharp work
 *     (validate, resize, filters, optimize) called directly in this process.
 *     Goal: ≤ 1.3×.
 *  2. the whole scenarios/ suite's wall time (BENCH_SKIP_SUITE=1 skips it).
 *  3. BENCH_UPLOADS (default 200) uploads at once: all complete; peak memory of
 *     the harness process and of all Lambda environments together.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import sharp from 'sharp';
import { createBackend } from '../harness/backends/index.ts';
import type { Backend } from '../harness/backends/backend.ts';
import { deploy } from '../harness/deploy/index.ts';
import { generateImage } from '../harness/scenario/images.ts';
import { runSuite } from '../harness/scenario/suite.ts';

const ROOT = join(import.meta.dirname, '..');
const TEMPLATE = join(ROOT, 'workflows', 'template.yaml');
const CONFIG = { targetWidth: 800, targetHeight: 600, fit: 'cover', outputFormat: 'webp', quality: 80, filters: [{ name: 'greyscale' }] };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** RSS (bytes) of every descendant process of this one — the Lambda execution environments. */
function descendantsRss(): number {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${c}/status`, 'utf8'));
        total += Number(m?.[1] ?? 0) * 1024;
      } catch {
        /* gone */
      }
      walk(c);
    }
  };
  walk(process.pid);
  return total;
}

function clients(b: Backend) {
  const cfg = { endpoint: b.endpoint, region: b.region, credentials: b.credentials, maxAttempts: 1 };
  return { s3: new S3Client({ ...cfg, forcePathStyle: true }), sfn: new SFNClient(cfg) };
}

async function processorArn(sfn: SFNClient): Promise<string> {
  const out = await sfn.send(new ListStateMachinesCommand({}));
  return out.stateMachines!.find((m) => m.name === 'image-processor')!.stateMachineArn!;
}

/** Waits until `count` executions of image-processor have finished; returns their statuses. */
async function waitForExecutions(sfn: SFNClient, arn: string, count: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken, maxResults: 1000 }));
      for (const e of page.executions ?? []) list.push(String(e.status));
      nextToken = page.nextToken;
    } while (nextToken);
    if (list.length >= count && list.every((s) => s !== 'RUNNING')) return list;
    if (Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function direct(body: Buffer): Promise<void> {
  await sharp(body, { limitInputPixels: false }).metadata();
  await sharp(body, { limitInputPixels: 50_000_000, failOn: 'error' }).stats();
  const resized = await sharp(body).autoOrient().resize({ width: 800, height: 600, fit: 'cover' }).jpeg().toBuffer();
  await sharp(body).greyscale().jpeg().toBuffer();
  await sharp(resized).webp({ quality: 80 }).toBuffer();
}

async function endToEnd(): Promise<void> {
  const big = (await generateImage({ format: 'jpeg', width: 4000, height: 3000, pattern: 'photo' }, 'bench')).body;
  const runs = 3;
  const directTimes: number[] = [];
  await direct(big);
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await direct(big);
    directTimes.push(performance.now() - t);
  }
  const backend = await createBackend('embedded', { seed: 'bench' });
  try {
    await deploy(TEMPLATE, backend, { secrets: { 'image-processor/config': CONFIG } });
    const { s3, sfn } = clients(backend);
    const arn = await processorArn(sfn);
    const e2eTimes: number[] = [];
    // Upload i+1 (the first warms every function's execution environment).
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      await s3.send(new PutObjectCommand({ Bucket: 'images', Key: `raw/big-${i}.jpg`, Body: big, ContentType: 'image/jpeg' }));
      const statuses = await waitForExecutions(sfn, arn, i + 1, 300_000);
      if (statuses.some((s) => s !== 'SUCCEEDED')) throw new Error(`end-to-end run ${i}: ${statuses.join(', ')}`);
      if (i > 0) e2eTimes.push(performance.now() - t);
      else console.log(`  cold first run: ${(performance.now() - t).toFixed(0)} ms`);
    }
    const d = median(directTimes);
    const e = median(e2eTimes);
    console.log(`  4000×3000 JPEG, sharp direct (validate+resize+filters+optimize): ${d.toFixed(0)} ms (median of ${runs})`);
    console.log(`  4000×3000 JPEG, image-processor end to end (warm):              ${e.toFixed(0)} ms (median of ${runs})`);
    console.log(`  ratio: ${(e / d).toFixed(2)}× (goal ≤ 1.3×)`);
    s3.destroy();
    sfn.destroy();
  } finally {
    await backend.dispose();
  }
}

async function suite(): Promise<void> {
  if (process.env.BENCH_SKIP_SUITE) {
    console.log('  scenarios/ suite: skipped (BENCH_SKIP_SUITE)');
    return;
  }
  const t = performance.now();
  const report = await runSuite({ paths: ['scenarios'], cwd: ROOT, seed: 'bench' });
  const s = report.summary;
  console.log(`  scenarios/ suite: ${s.total} scenarios, ${s.passed} passed, ${s.failed + s.errors} failed, ${s.skipped} skipped in ${((performance.now() - t) / 1000).toFixed(1)} s wall`);
}

async function manyUploads(): Promise<void> {
  const n = Number(process.env.BENCH_UPLOADS ?? 200);
  const backend = await createBackend('embedded', { seed: 'bench-many' });
  let peakChildren = 0;
  const sampler = setInterval(() => {
    peakChildren = Math.max(peakChildren, descendantsRss());
  }, 250);
  try {
    await deploy(TEMPLATE, backend, { secrets: { 'image-processor/config': CONFIG } });
    const { s3, sfn } = clients(backend);
    const arn = await processorArn(sfn);
    const img = (await generateImage({ format: 'jpeg', width: 640, height: 480, pattern: 'photo' }, 'many')).body;
    const t = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => s3.send(new PutObjectCommand({ Bucket: 'images', Key: `raw/many-${i}.jpg`, Body: img, ContentType: 'image/jpeg' }))));
    const statuses = await waitForExecutions(sfn, arn, n, 30 * 60_000);
    const ok = statuses.filter((s) => s === 'SUCCEEDED').length;
    console.log(`  ${n} uploads at once: ${ok}/${n} SUCCEEDED (${statuses.length} executions) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    console.log(`  peak memory: harness process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; Lambda environments together ${(peakChildren / 1024 / 1024).toFixed(0)} MB`);
    s3.destroy();
    sfn.destroy();
  } finally {
    clearInterval(sampler);
    await backend.dispose();
  }
}

export async function run(): Promise<void> {
  console.log('end to end vs direct sharp:');
  await endToEnd();
  console.log('suite:');
  await suite();
  console.log('concurrent uploads:');
  await manyUploads();
}

/**
 * `npm run bench -- scenario`, in one run:
 *  1. image-processor end to end on a 4000×3000 JPEG (PutObject → notification →
 *     Step Functions → six Lambdas → SUCCEEDED, warm) vs the same sharp work
 *     called directly in this process. Goal: ≤ 1.3×.
 *     The baseline calls the very functions the handlers call after fetching
 *     their input (checkImage, resizeImage, applyFilters, optimizeImage from
 *     lambdas/), with the same configuration, each on its own copy of the
 *     bytes (each Lambda downloads its own), so both sides do the same work:
 *     full decode with failOn/animated, mozjpeg encodes, the configured filters.
 *     It is timed twice — sequential, and with resize ∥ filters as the
 *     workflow's Parallel state runs them — and the faster one is the baseline.
 *     Rounds interleave direct and end-to-end runs so load changes hit both.
 *  2. the whole scenarios/ suite's wall time (BENCH_SKIP_SUITE=1 skips it).
 *  3. BENCH_UPLOADS (default 200) uploads at once: all complete; peak memory of
 *     the harness process and of all Lambda environments together.
 *
 * BENCH_RUNS (default 5) sets the number of warm rounds in part 1.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, ListStateMachinesCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { createBackend } from '../harness/backends/index.ts';
import type { Backend } from '../harness/backends/backend.ts';
import { ControlClient } from '../harness/backends/control-client.ts';
import { deploy } from '../harness/deploy/index.ts';
import type { InvocationRecord } from '../harness/emulator/observations.ts';
import { DEFAULT_MAX_ENVIRONMENTS } from '../harness/runtime/index.ts';
import { generateImage } from '../harness/scenario/images.ts';
import { runSuite } from '../harness/scenario/suite.ts';
import { applyFilters } from '../lambdas/apply-filters/filters.ts';
import { optimizeImage } from '../lambdas/optimize-image/optimize.ts';
import { resizeImage } from '../lambdas/resize-image/resize.ts';
import { parseConfig, type AppConfig } from '../lambdas/shared/config.ts';
import { checkImage } from '../lambdas/validate-image/check.ts';

const ROOT = join(import.meta.dirname, '..');
const TEMPLATE = join(ROOT, 'workflows', 'template.yaml');
const SECRET_ID = 'image-processor/config';
const CONFIG = { targetWidth: 800, targetHeight: 600, fit: 'cover', outputFormat: 'webp', quality: 80, filters: [{ name: 'greyscale' }] };
/** What every handler gets from getConfig(): the secret parsed, defaults filled in. */
const APP_CONFIG: AppConfig = parseConfig(JSON.stringify(CONFIG), SECRET_ID);
const SHARP_FUNCTIONS = ['validate-image', 'resize-image', 'apply-filters', 'optimize-image'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`;
}

/** RSS (bytes) and count of every descendant process of this one — the Lambda execution environments. */
function descendants(): { rss: number; count: number } {
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
  let rss = 0;
  let count = 0;
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${c}/status`, 'utf8'));
        rss += Number(m?.[1] ?? 0) * 1024;
        count++;
      } catch {
        /* gone */
      }
      walk(c);
    }
  };
  walk(process.pid);
  return { rss, count };
}

function clients(b: Backend) {
  const cfg = { endpoint: b.endpoint, region: b.region, credentials: b.credentials, maxAttempts: 1 };
  return { s3: new S3Client({ ...cfg, forcePathStyle: true }), sfn: new SFNClient(cfg) };
}

async function processorArn(sfn: SFNClient): Promise<string> {
  const out = await sfn.send(new ListStateMachinesCommand({}));
  return out.stateMachines!.find((m) => m.name === 'image-processor')!.stateMachineArn!;
}

/**
 * Waits until `count` executions of image-processor have finished. The caller
 * reads each execution's own stopDate for timing, so the poll interval adds
 * no error to the figures; it is kept coarse so polling takes little CPU from
 * the Lambdas on a 2-core machine.
 */
async function waitForExecutions(sfn: SFNClient, arn: string, count: number, timeoutMs: number, intervalMs: number): Promise<ExecutionListItem[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken, maxResults: 1000 }));
      list.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (list.length >= count && list.every((e) => e.status !== 'RUNNING')) return list;
    if (Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

interface DirectTimes {
  validate: number;
  resize: number;
  filters: number;
  optimize: number;
  total: number;
}

/**
 * The handlers' image work in this process. Each step reads its own copy of
 * the upload, as each Lambda reads its own download (and no libvips cache entry
 * keyed on the same buffer can be reused). `parallel` runs resize ∥ filters.
 */
async function direct(upload: Buffer, parallel: boolean): Promise<DirectTimes> {
  const [forValidate, forResize, forFilters] = [Buffer.from(upload), Buffer.from(upload), Buffer.from(upload)];
  const t0 = performance.now();
  const check = await checkImage(forValidate, APP_CONFIG);
  if (!check.isValid) throw new Error(`baseline: the image is invalid: ${check.reason}`);
  const t1 = performance.now();
  let resizeMs = 0;
  let filtersMs = 0;
  const resize = async () => {
    const t = performance.now();
    const r = await resizeImage(forResize, APP_CONFIG);
    resizeMs = performance.now() - t;
    return r;
  };
  const filters = async () => {
    const t = performance.now();
    const r = await applyFilters(forFilters, APP_CONFIG);
    filtersMs = performance.now() - t;
    return r;
  };
  let resized;
  if (parallel) [resized] = await Promise.all([resize(), filters()]);
  else {
    resized = await resize();
    await filters();
  }
  const t2 = performance.now();
  await optimizeImage(resized.data, APP_CONFIG);
  const t3 = performance.now();
  return { validate: t1 - t0, resize: resizeMs, filters: filtersMs, optimize: t3 - t2, total: t3 - t0 };
}

/** One warm end-to-end run's wall time and what each function's handler took (REPORT Duration). */
interface EndToEndRun {
  wallMs: number;
  handlerMs: Record<string, number>;
  initMs: Record<string, number>;
}

function byFunction(invocations: InvocationRecord[], pick: (r: InvocationRecord) => number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of invocations) {
    const v = pick(r);
    if (v !== undefined) out[r.functionName] = (out[r.functionName] ?? 0) + v;
  }
  return out;
}

async function endToEnd(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const upload = (await generateImage({ format: 'jpeg', width: 4000, height: 3000, pattern: 'photo' }, 'bench')).body;
  console.log(`  upload: 4000×3000 JPEG, ${(upload.length / 1024 / 1024).toFixed(1)} MiB`);
  // Real time, so the execution's own startDate/stopDate are wall-clock instants
  // (on the virtual clock they stand still while Lambdas work). The workflow has
  // no Wait or retry on this path, so the clock choice changes nothing else.
  const backend = await createBackend('embedded', { seed: 'bench', realTime: true });
  const control = new ControlClient(backend.controlUrl!);
  const seq: DirectTimes[] = [];
  const par: DirectTimes[] = [];
  const e2e: EndToEndRun[] = [];
  try {
    await deploy(TEMPLATE, backend, { secrets: { [SECRET_ID]: CONFIG } });
    const { s3, sfn } = clients(backend);
    const arn = await processorArn(sfn);
    const runOnce = async (i: number): Promise<EndToEndRun> => {
      const before = (await control.observations()).invocations.length;
      const t0 = Date.now();
      await s3.send(new PutObjectCommand({ Bucket: 'images', Key: `raw/big-${i}.jpg`, Body: upload, ContentType: 'image/jpeg' }));
      const list = await waitForExecutions(sfn, arn, i + 1, 300_000, 100);
      // Runs are one at a time: this upload's execution is the latest started.
      const mine = list.reduce((a, b) => (b.startDate!.getTime() > a.startDate!.getTime() ? b : a));
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: mine.executionArn }));
      if (d.status !== 'SUCCEEDED') throw new Error(`end-to-end run ${i}: ${d.status} ${d.error ?? ''} ${d.cause ?? ''}`);
      const invocations = (await control.observations()).invocations.slice(before);
      return {
        wallMs: d.stopDate!.getTime() - t0,
        handlerMs: byFunction(invocations, (r) => r.durationMs),
        initMs: byFunction(invocations, (r) => {
          const m = /Init Duration: ([\d.]+) ms/.exec(r.logs ?? '');
          return m ? Number(m[1]) : undefined;
        }),
      };
    };
    const cold = await runOnce(0);
    console.log(`  cold first run: ${ms(cold.wallMs)} (Init Duration per function: ${Object.entries(cold.initMs).map(([f, v]) => `${f} ${v.toFixed(0)}`).join(', ')} ms)`);
    await direct(upload, false); // sharp's own first-use costs, outside the timed rounds
    for (let i = 1; i <= runs; i++) {
      seq.push(await direct(upload, false));
      par.push(await direct(upload, true));
      e2e.push(await runOnce(i));
    }
    s3.destroy();
    sfn.destroy();
  } finally {
    await backend.dispose();
  }
  const col = (xs: DirectTimes[], k: keyof DirectTimes) => median(xs.map((x) => x[k]));
  const seqTotal = col(seq, 'total');
  const parTotal = col(par, 'total');
  const baseline = Math.min(seqTotal, parTotal);
  const wall = median(e2e.map((r) => r.wallMs));
  const handler = (f: string) => median(e2e.map((r) => r.handlerMs[f] ?? 0));
  console.log(`  sharp direct, sequential (validate ${ms(col(seq, 'validate'))} + resize ${ms(col(seq, 'resize'))} + filters ${ms(col(seq, 'filters'))} + optimize ${ms(col(seq, 'optimize'))}): ${ms(seqTotal)} (median of ${runs})`);
  console.log(`  sharp direct, resize ∥ filters as the workflow runs them:  ${ms(parTotal)} (median of ${runs})`);
  console.log(`  image-processor end to end (warm; PutObject → execution stopDate): ${ms(wall)} (median of ${runs}; runs: ${e2e.map((r) => r.wallMs).join(', ')})`);
  console.log(`  ratio: ${(wall / baseline).toFixed(2)}× the faster baseline (goal ≤ 1.3×); ${(wall / seqTotal).toFixed(2)}× the sequential one`);
  // Where the rest goes: each sharp handler's REPORT Duration (download, image
  // work, upload, config) against its direct image work, and what lies outside
  // every handler on the critical path (notification, engine, Invoke plumbing).
  const directOf: Record<string, number> = {
    'validate-image': col(par, 'validate'),
    'resize-image': col(par, 'resize'),
    'apply-filters': col(par, 'filters'),
    'optimize-image': col(par, 'optimize'),
  };
  console.log(`  per handler, REPORT Duration vs the same image work direct (∥ baseline): ${SHARP_FUNCTIONS.map((f) => `${f} ${ms(handler(f))} vs ${ms(directOf[f]!)}`).join('; ')}`);
  const outside = median(
    e2e.map((r) => {
      const h = (f: string) => r.handlerMs[f] ?? 0;
      const criticalPath = h('start-processing') + h('validate-image') + Math.max(h('resize-image'), h('apply-filters')) + h('optimize-image') + h('notify-success');
      return r.wallMs - criticalPath;
    }),
  );
  console.log(`  outside the handlers on the critical path (PutObject, notification, engine, Invoke, event delivery): ${ms(outside)} (median)`);
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
  if (n <= 0) {
    console.log('  concurrent uploads: skipped (BENCH_UPLOADS=0)');
    return;
  }
  const backend = await createBackend('embedded', { seed: 'bench-many' });
  let peakChildren = 0;
  let peakProcesses = 0;
  const sampler = setInterval(() => {
    const d = descendants();
    peakChildren = Math.max(peakChildren, d.rss);
    peakProcesses = Math.max(peakProcesses, d.count);
  }, 250);
  try {
    await deploy(TEMPLATE, backend, { secrets: { [SECRET_ID]: CONFIG } });
    const { s3, sfn } = clients(backend);
    const arn = await processorArn(sfn);
    const img = (await generateImage({ format: 'jpeg', width: 640, height: 480, pattern: 'photo' }, 'many')).body;
    const t = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => s3.send(new PutObjectCommand({ Bucket: 'images', Key: `raw/many-${i}.jpg`, Body: img, ContentType: 'image/jpeg' }))));
    const executions = await waitForExecutions(sfn, arn, n, 30 * 60_000, 500);
    const ok = executions.filter((e) => e.status === 'SUCCEEDED').length;
    const others = executions.filter((e) => e.status !== 'SUCCEEDED').map((e) => e.status);
    console.log(
      `  ${n} uploads at once: ${ok}/${n} SUCCEEDED (${executions.length} executions${others.length ? `; others: ${others.join(', ')}` : ''}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const invocations = (await new ControlClient(backend.controlUrl!).observations()).invocations;
    const cold = invocations.filter((r) => r.coldStart).length;
    console.log(`  ${invocations.length} Lambda invocations, ${cold} of them cold starts (an environment cap of ${DEFAULT_MAX_ENVIRONMENTS} shared by the workflow's six functions)`);
    console.log(
      `  peak memory: harness process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; Lambda environments together ${(peakChildren / 1024 / 1024).toFixed(0)} MB (at most ${peakProcesses} processes at once)`,
    );
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

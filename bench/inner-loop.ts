/**
 * `npm run bench -- inner-loop`: the figures of issue 16, each beside a
 * baseline measured in the same run (BENCH_RUNS, default 3, repetitions):
 *  1. `rehearse --help` from the sources through tsx, through bin/rehearse.mjs
 *     (what `npm run scenario` starts: compiled while dist/ is fresh) and
 *     through the compiled dist/cli/entry.js when `npm run build` made it, vs
 *     `node -e 0`. Goal ≤ 3×.
 *  2. the first console line of `rehearse run` after the command (goal ≤ 300 ms).
 *  3. `rehearse run scenarios/review-approved.yaml` wall, command to exit (goal ≤ 1.0 s).
 *  4. `rehearse run scenarios/happy-path-jpeg.yaml` wall vs a plain Node script
 *     doing the same four sharp steps on the same image (goal ≤ 2×).
 *  5. the whole scenarios/ suite, once: wall (goal ≤ 20 s on 2 cores), and each
 *     scenario of 3-4 inside the suite vs alone.
 * Every `rehearse run` figure prints the handlers' own time beside it (the sum
 * of their REPORT Durations, `handlerMs` in the JSON report).
 * The `rehearse` figures use the compiled CLI when dist/ exists (what an
 * installed package runs), else the checkout's tsx path; each line says which.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImage } from '../harness/scenario/images.ts';
import { distIsFresh } from '../scripts/source-hash.mjs';
import type { RunReport } from '../harness/scenario/results.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ENV = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Wall time to exit, and to the first byte on stdout, of one command. */
function timed(args: string[], env: NodeJS.ProcessEnv = ENV): Promise<{ wallMs: number; firstLineMs: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstLineMs = Number.NaN;
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => (firstLineMs = performance.now() - t0));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => resolve({ wallMs: performance.now() - t0, firstLineMs, code }));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function medianOf(args: string[], pick: 'wallMs' | 'firstLineMs' = 'wallMs'): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(args);
    if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}`);
    xs.push(r[pick]);
  }
  return median(xs);
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

/** One `rehearse run` with a JSON report: its wall time, and the report (scenario durations, handler time). */
async function rehearseRun(cli: string, paths: string[]): Promise<{ wallMs: number; report: RunReport }> {
  const out = mkdtempSync(join(tmpdir(), 'bench-inner-'));
  const r = await timed([cli, 'run', ...paths, '--seed', '1', '--reporter', 'json', '--out', out]);
  if (r.code !== 0) throw new Error(`rehearse run ${paths.join(' ')} exited ${r.code}`);
  return { wallMs: r.wallMs, report: JSON.parse(readFileSync(join(out, 'rehearse-report.json'), 'utf8')) as RunReport };
}

const handlerSum = (report: RunReport) => report.scenarios.reduce((sum, s) => sum + (s.handlerMs ?? 0), 0);

/** Median wall of RUNS runs of one scenario file, with the handler time and the scenario's own duration of the median run. */
async function scenarioFigures(cli: string, file: string): Promise<{ wallMs: number; handlerMs: number; scenarioMs: number }> {
  const runs: Array<{ wallMs: number; report: RunReport }> = [];
  for (let i = 0; i < RUNS; i++) runs.push(await rehearseRun(cli, [file]));
  runs.sort((a, b) => a.wallMs - b.wallMs);
  const mid = runs[Math.floor(runs.length / 2)]!;
  return { wallMs: mid.wallMs, handlerMs: handlerSum(mid.report), scenarioMs: mid.report.scenarios[0]!.durationMs };
}

/**
 * Standby processes on vs off (REHEARSE_STANDBY=0), RUNS interleaved pairs of
 * one scenario file: the medians and their ratio. The first run of a pair
 * leaves the standby counts for the next (harness/runtime/standby.ts).
 */
async function standbyPairs(cli: string, file: string): Promise<{ on: number; off: number }> {
  const args = [cli, 'run', file, '--seed', '1'];
  const on: number[] = [];
  const off: number[] = [];
  await timed(args);
  for (let i = 0; i < RUNS; i++) {
    on.push((await timed(args)).wallMs);
    off.push((await timed(args, { ...ENV, REHEARSE_STANDBY: '0' })).wallMs);
  }
  return { on: median(on), off: median(off) };
}

export async function run(): Promise<void> {
  const node = await medianOf(['-e', '0']);
  console.log(`  node -e 0: ${ms(node)} (median of ${RUNS})`);
  const tsxHelp = await medianOf(['--import', 'tsx', 'harness/cli/entry.ts', '--help']);
  console.log(`  rehearse --help from the sources through tsx: ${ms(tsxHelp)} = ${(tsxHelp / node).toFixed(2)}× node -e 0 (goal ≤ 3×)`);
  // What `npm run scenario` starts: the compiled CLI while dist/ is fresh, else the sources through tsx.
  const binHelp = await medianOf(['bin/rehearse.mjs', '--help']);
  console.log(`  rehearse --help via bin/rehearse.mjs (dist/ ${distIsFresh(ROOT) ? 'fresh: compiled' : 'stale or absent: tsx'}): ${ms(binHelp)} = ${(binHelp / node).toFixed(2)}× node -e 0`);
  const compiled = existsSync(join(ROOT, 'dist/cli/entry.js'));
  if (compiled) {
    const distHelp = await medianOf(['dist/cli/entry.js', '--help']);
    console.log(`  rehearse --help via dist/cli/entry.js (compiled): ${ms(distHelp)} = ${(distHelp / node).toFixed(2)}× node -e 0 (goal ≤ 3×)`);
  } else console.log('  compiled CLI: no dist/ (npm run build makes it); the figures below use the tsx path');
  const cli = compiled ? 'dist/cli/entry.js' : 'bin/rehearse.mjs';
  const via = compiled ? 'compiled' : 'tsx';
  const first = await medianOf([cli, 'run', 'scenarios/review-approved.yaml', '--seed', '1'], 'firstLineMs');
  console.log(`  first console line of rehearse run (${via}): ${ms(first)} (goal ≤ 300 ms; node -e 0 exits in ${ms(node)})`);

  const review = await scenarioFigures(cli, 'scenarios/review-approved.yaml');
  console.log(`  rehearse run scenarios/review-approved.yaml (${via}): ${ms(review.wallMs)} wall (goal ≤ 1,000 ms) = ${(review.wallMs / node).toFixed(1)}× node -e 0; handlers ${ms(review.handlerMs)}`);

  const image = join(mkdtempSync(join(tmpdir(), 'bench-image-')), 'cat.jpg');
  writeFileSync(image, (await generateImage({ format: 'jpeg', width: 1600, height: 1200, pattern: 'photo' }, 'bench')).body);
  const sharpOnly = await medianOf(['bench/_image-steps-baseline.mjs', image]);
  const jpeg = await scenarioFigures(cli, 'scenarios/happy-path-jpeg.yaml');
  console.log(`  plain Node + sharp, the four image steps on the same 1600×1200 JPEG: ${ms(sharpOnly)} wall`);
  console.log(`  rehearse run scenarios/happy-path-jpeg.yaml (${via}): ${ms(jpeg.wallMs)} wall = ${(jpeg.wallMs / sharpOnly).toFixed(2)}× the plain script (goal ≤ 2×); handlers ${ms(jpeg.handlerMs)}`);

  for (const file of ['scenarios/review-approved.yaml', 'scenarios/happy-path-jpeg.yaml']) {
    const p = await standbyPairs(cli, file);
    console.log(`  ${file} with standby processes: ${ms(p.on)}, without (REHEARSE_STANDBY=0): ${ms(p.off)} = ${(p.on / p.off).toFixed(3)}×`);
  }

  const suite = await rehearseRun(cli, ['scenarios']);
  const n = suite.report.scenarios.length;
  console.log(`  rehearse run scenarios (${n} scenarios, ${via}): ${ms(suite.wallMs)} wall (goal ≤ 20,000 ms); handlers ${ms(handlerSum(suite.report))} in all`);
  for (const [file, alone] of [['review-approved.yaml', review], ['happy-path-jpeg.yaml', jpeg]] as const) {
    const inSuite = suite.report.scenarios.find((s) => s.file.endsWith(file));
    if (inSuite) console.log(`    ${file}: ${ms(inSuite.durationMs)} inside the suite, ${ms(alone.scenarioMs)} alone (${(alone.scenarioMs / inSuite.durationMs).toFixed(2)}×; goal: alone no slower)`);
  }
}

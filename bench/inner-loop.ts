/**
 * `npm run bench -- inner-loop`: the figures of issue 16, each beside a
 * baseline measured in the same run (BENCH_RUNS, default 3, repetitions):
 *  1. `rehearse --help` through bin/rehearse.mjs (the checkout's tsx path) and
 *     through the compiled dist/cli/entry.js when `npm run build` made it, vs
 *     `node -e 0`. Goal ≤ 3×.
 *  2. the first console line of `rehearse run` after the command (goal ≤ 300 ms).
 *  3. `rehearse run scenarios/review-approved.yaml` wall, command to exit (goal ≤ 1.0 s).
 *  4. `rehearse run scenarios/happy-path-jpeg.yaml` wall.
 * Not yet here: the direct-sharp baseline for 4, the suite wall and the sum of
 * the handlers' REPORT durations (docs/benchmarks.md says so).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ENV = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Wall time to exit, and to the first byte on stdout, of one command. */
function timed(args: string[]): Promise<{ wallMs: number; firstLineMs: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstLineMs = Number.NaN;
    const child = spawn(process.execPath, args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'ignore'] });
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

export async function run(): Promise<void> {
  const node = await medianOf(['-e', '0']);
  console.log(`  node -e 0: ${ms(node)} (median of ${RUNS})`);
  const tsxHelp = await medianOf(['bin/rehearse.mjs', '--help']);
  console.log(`  rehearse --help via bin/rehearse.mjs (tsx): ${ms(tsxHelp)} = ${(tsxHelp / node).toFixed(2)}× node -e 0 (goal ≤ 3×)`);
  if (existsSync(join(ROOT, 'dist/cli/entry.js'))) {
    const distHelp = await medianOf(['dist/cli/entry.js', '--help']);
    console.log(`  rehearse --help via dist/cli/entry.js (compiled): ${ms(distHelp)} = ${(distHelp / node).toFixed(2)}× node -e 0 (goal ≤ 3×)`);
  } else console.log('  compiled CLI: no dist/ (npm run build makes it)');
  const first = await medianOf(['bin/rehearse.mjs', 'run', 'scenarios/review-approved.yaml', '--seed', '1'], 'firstLineMs');
  console.log(`  first console line of rehearse run: ${ms(first)} (goal ≤ 300 ms; node -e 0 exits in ${ms(node)})`);
  const review = await medianOf(['bin/rehearse.mjs', 'run', 'scenarios/review-approved.yaml', '--seed', '1']);
  console.log(`  rehearse run scenarios/review-approved.yaml: ${ms(review)} wall (goal ≤ 1,000 ms) = ${(review / node).toFixed(1)}× node -e 0`);
  const jpeg = await medianOf(['bin/rehearse.mjs', 'run', 'scenarios/happy-path-jpeg.yaml', '--seed', '1']);
  console.log(`  rehearse run scenarios/happy-path-jpeg.yaml: ${ms(jpeg)} wall = ${(jpeg / node).toFixed(1)}× node -e 0`);
}

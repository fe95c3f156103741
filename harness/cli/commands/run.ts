/**
 * `rehearse run [files|dirs] [--backend embedded|localstack|stepfunctions-local|endpoint=URL]
 *   [--filter TEXT] [--reporter console,json,junit,html] [--out DIR] [--real-time]
 *   [--seed N] [--shard i/n] [--workers N] [--watch]`
 *
 * Exit codes: 0 all passed, 1 a scenario failed, 2 bad input, 3 the backend
 * could not start — each with a one-line reason on stderr.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, REAL_CLOCK, RehearseError } from '../../core/index.ts';
import { consoleReporter, parseReporters, writeReports, type ReporterName } from '../../report/index.ts';
import { parseShard, runSuite } from '../../scenario/suite.ts';
import type { RunReport } from '../../scenario/results.ts';
import type { CliIo } from '../io.ts';

const HELP = `usage: rehearse run [files|dirs] [options]     (default: scenarios/)

options:
  --backend NAME     embedded (default) | localstack | stepfunctions-local | endpoint=URL
  --filter TEXT      only scenarios whose name or file contains TEXT
  --reporter LIST    console,json,junit,html (default: console)
  --out DIR          where json/junit/html reports go (default: out/)
  --real-time        wall-clock time instead of virtual time
  --seed N           ids, tokens and jitter from this seed (printed on every run)
  --shard i/n        run the i-th of n slices (CI parallelism)
  --workers N        scenarios at once (embedded backend; default: CPU count, max 2)
  --timeout S        wall-clock limit for each wait step (default 60)
  --watch            run again when scenarios, workflows or lambdas change

exit codes: 0 all passed, 1 a scenario failed, 2 bad input, 3 backend could not start`;

export interface RunFlags {
  paths: string[];
  backend: string;
  filter?: string;
  reporters: ReporterName[];
  out: string;
  realTime: boolean;
  seed?: string;
  shard?: { index: number; count: number };
  workers?: number;
  waitTimeoutMs?: number;
  watch: boolean;
  help: boolean;
}

export function parseRunFlags(argv: string[], cwd: string): RunFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        backend: { type: 'string' },
        filter: { type: 'string' },
        reporter: { type: 'string' },
        out: { type: 'string' },
        'real-time': { type: 'boolean' },
        seed: { type: 'string' },
        shard: { type: 'string' },
        workers: { type: 'string' },
        timeout: { type: 'string' },
        watch: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${(e as Error).message.split('\n')[0]} (rehearse run --help)`);
  }
  const v = parsed.values;
  const int = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new RehearseError('ERR_BAD_INPUT', `--${name} ${text}: expected a number ≥ ${min}`);
    return n;
  };
  if (v.seed !== undefined && !/^[\w.-]+$/.test(v.seed)) throw new RehearseError('ERR_BAD_INPUT', `--seed ${v.seed}: use letters, digits, . _ -`);
  const workers = int('workers', v.workers, 1);
  const timeout = int('timeout', v.timeout, 0.001);
  return {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['scenarios'],
    backend: v.backend ?? 'embedded',
    ...(v.filter !== undefined ? { filter: v.filter } : {}),
    reporters: parseReporters(v.reporter ?? 'console'),
    out: resolve(cwd, v.out ?? 'out'),
    realTime: v['real-time'] ?? false,
    ...(v.seed !== undefined ? { seed: v.seed } : {}),
    ...(v.shard !== undefined ? { shard: parseShard(v.shard) } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(timeout !== undefined ? { waitTimeoutMs: timeout * 1000 } : {}),
    watch: v.watch ?? false,
    help: v.help ?? false,
  };
}

function validateBackend(spec: string): void {
  if (spec === 'embedded' || spec === 'localstack' || spec === 'stepfunctions-local') return;
  if (spec.startsWith('endpoint=')) {
    try {
      const u = new URL(spec.slice('endpoint='.length));
      if (u.protocol === 'http:' || u.protocol === 'https:') return;
    } catch {
      /* fall through */
    }
    throw new RehearseError('ERR_BAD_INPUT', `--backend ${spec}: expected endpoint=http://HOST:PORT`);
  }
  throw new RehearseError('ERR_BAD_INPUT', `--backend ${spec}: expected embedded, localstack, stepfunctions-local or endpoint=URL`);
}

async function runOnce(flags: RunFlags, io: CliIo): Promise<{ code: number; report: RunReport }> {
  const reporter = consoleReporter({ out: io.stdout, isTTY: io.isTTY });
  // Ctrl-C / SIGTERM: stop starting scenarios, abort the running ones, dispose their backends.
  const stop = new AbortController();
  void io.interrupted?.then(() => stop.abort(new Error('interrupted')));
  const report = await runSuite({
    signal: stop.signal,
    paths: flags.paths,
    cwd: io.cwd,
    backend: flags.backend,
    ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    realTime: flags.realTime,
    ...(flags.shard ? { shard: flags.shard } : {}),
    ...(flags.workers ? { workers: flags.workers } : {}),
    ...(flags.waitTimeoutMs ? { waitTimeoutMs: flags.waitTimeoutMs } : {}),
    reporter,
    thumbnails: flags.reporters.includes('html'),
  });
  const written = await writeReports(report, flags.reporters, flags.out, io.cwd);
  if (stop.signal.aborted) {
    io.stderr.write(`rehearse run: interrupted after ${report.summary.total} scenario(s)\n`);
    return { code: EXIT_CODES.ERR_SCENARIO_FAILED, report };
  }
  for (const w of written) io.stdout.write(`report: ${w}\n`);
  const s = report.summary;
  if (s.total === 0) {
    io.stderr.write(`rehearse run: no scenario matched${flags.filter ? ` --filter ${flags.filter}` : ''}${flags.shard ? ` in shard ${flags.shard.index}/${flags.shard.count}` : ''}\n`);
    return { code: EXIT_CODES.ERR_BAD_INPUT, report };
  }
  if (s.failed + s.errors > 0) {
    const names = report.scenarios.filter((x) => x.status === 'failed' || x.status === 'error').map((x) => x.name);
    io.stderr.write(`rehearse run: ${names.length} of ${s.total} scenario(s) failed: ${names.join(', ')} (seed ${report.seed})\n`);
    return { code: EXIT_CODES.ERR_SCENARIO_FAILED, report };
  }
  return { code: 0, report };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const flags = parseRunFlags(argv, io.cwd);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  validateBackend(flags.backend);
  if (!flags.watch) return (await runOnce(flags, io)).code;

  // --watch: run, then again on every change until interrupted.
  let last = (await runOnce(flags, io).catch((e: unknown) => reportError(e, io))).code;
  const dirs = [...flags.paths.map((p) => resolve(io.cwd, p)), join(io.cwd, 'workflows'), join(io.cwd, 'lambdas')];
  let pending: { cancel(): void } | undefined;
  let running = Promise.resolve();
  const watchers: FSWatcher[] = [];
  const trigger = () => {
    pending?.cancel();
    pending = REAL_CLOCK.setTimer(200, () => {
      running = running.then(async () => {
        io.stdout.write('\nchange detected — running again\n');
        last = (await runOnce(flags, io).catch((e: unknown) => reportError(e, io))).code;
      });
    });
  };
  for (const d of dirs) {
    try {
      watchers.push(watch(d, { recursive: true }, trigger));
    } catch {
      /* a missing directory is not watched */
    }
  }
  io.stdout.write(`watching ${dirs.length} path(s); Ctrl-C to stop\n`);
  await (io.interrupted ?? new Promise<void>(() => {}));
  pending?.cancel();
  for (const w of watchers) w.close();
  await running;
  return last;
}

function reportError(e: unknown, io: CliIo): { code: number; report: RunReport } {
  const empty: RunReport = { schemaVersion: 1, backend: '', seed: '', durationMs: 0, summary: { total: 0, passed: 0, failed: 0, skipped: 0, errors: 0 }, scenarios: [] };
  if (e instanceof RehearseError) {
    io.stderr.write(`rehearse run: ${e.message}\n`);
    return { code: EXIT_CODES[e.code], report: empty };
  }
  io.stderr.write(`rehearse run: internal error: ${String(e)}\n`);
  return { code: EXIT_CODES.ERR_INTERNAL, report: empty };
}

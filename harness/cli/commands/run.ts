/**
 * `rehearse run [files|dirs] [--backend embedded|localstack|stepfunctions-local|endpoint=URL]
 *   [--filter TEXT] [--reporter console,json,junit,html] [--out DIR] [--real-time]
 *   [--seed N] [--shard i/n] [--workers N] [--watch]
 *   [--coverage] [--coverage-dir DIR] [--coverage-threshold states=100,transitions=90]`
 *
 * Exit codes: 0 all passed, 1 a scenario failed (or coverage fell below
 * --coverage-threshold), 2 bad input, 3 the backend
 * could not start — each with a one-line reason on stderr.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, REAL_CLOCK, RehearseError } from '../../core/index.ts';
import { consoleReporter } from '../../report/console.ts';
import { fileReporters, parseReporters, type ReporterName } from '../../report/reporters.ts';
import { parseThresholds, type Thresholds } from '../../report/coverage/threshold.ts';
import { parseShard, runSuite } from '../../scenario/suite.ts';
import type { RunReport } from '../../scenario/results.ts';
import { findScenarioFiles } from '../../scenario/loader.ts';
import { findConfigFile } from '../../project/config.ts';
import { ProjectResolver, type ProjectFlags } from '../../project/resolve.ts';
import { projectPaths } from '../../project/watch-paths.ts';
import type { CliIo } from '../io.ts';
import { warmRememberedStandbys } from '../../runtime/spawner.ts';

const HELP = `usage: rehearse run [files|dirs] [options]     (default: the config's scenarios folder, else scenarios/)

project (docs/configuration.md; flags > rehearse.config.* > samconfig.toml > the template):
  --template FILE    the SAM/CloudFormation template, or a CDK cdk.out/ (default: rehearse.config.yaml's,
                     else samconfig's template_file, else template.yaml|yml|json found upward)
  --config FILE      the rehearse.config.yaml to use (default: the nearest at or above each scenario)
  --parameter-overrides 'Key=Value …'
                     template parameters (over the config's and samconfig.toml's; repeatable)
  --env-vars FILE    Lambda environment variables in sam local's env.json format

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
  --watch            run again when a scenario, the template, a path it names (code, definitions,
                     layers) or the config changes (one run per burst of changes, never two at
                     once; Ctrl-C stops, exiting with the last run's code)

workflow coverage (docs/coverage.md):
  --coverage         count the states, transitions (Next, Choice rules, Default, Catch), retriers
                     and branches the run exercised, per state machine: a table on the console, a
                     coverage section in the JSON and HTML reports, lcov.info and
                     cobertura-coverage.xml mapped onto the definition files
  --coverage-dir DIR where lcov.info and cobertura-coverage.xml go (default: <out>/coverage;
                     implies --coverage)
  --coverage-threshold LIST
                     fail (exit 1) when a state machine is below any of these percentages, naming
                     what it missed: states, transitions, choices, catches, retries
                     (e.g. states=100,transitions=90; implies --coverage)

exit codes: 0 all passed, 1 a scenario failed or coverage was below --coverage-threshold,
            2 bad input, 3 backend could not start`;

export interface RunFlags {
  /** Empty: the project's scenarios folder. */
  paths: string[];
  project: ProjectFlags;
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
  /** Collect workflow coverage (--coverage, or implied by --coverage-threshold). */
  coverage: boolean;
  coverageDir: string;
  coverageThresholds?: Thresholds;
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
        coverage: { type: 'boolean' },
        'coverage-dir': { type: 'string' },
        'coverage-threshold': { type: 'string' },
        template: { type: 'string' },
        config: { type: 'string' },
        'parameter-overrides': { type: 'string', multiple: true },
        'env-vars': { type: 'string' },
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
  const out = resolve(cwd, v.out ?? 'out');
  const thresholds = v['coverage-threshold'] !== undefined ? parseThresholds(v['coverage-threshold']) : undefined;
  return {
    paths: parsed.positionals,
    project: {
      ...(v.template !== undefined ? { template: v.template } : {}),
      ...(v.config !== undefined ? { config: v.config } : {}),
      ...(v['parameter-overrides'] !== undefined ? { parameterOverrides: v['parameter-overrides'] } : {}),
      ...(v['env-vars'] !== undefined ? { envVars: v['env-vars'] } : {}),
    },
    backend: v.backend ?? 'embedded',
    ...(v.filter !== undefined ? { filter: v.filter } : {}),
    reporters: parseReporters(v.reporter ?? 'console'),
    out,
    realTime: v['real-time'] ?? false,
    ...(v.seed !== undefined ? { seed: v.seed } : {}),
    ...(v.shard !== undefined ? { shard: parseShard(v.shard) } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(timeout !== undefined ? { waitTimeoutMs: timeout * 1000 } : {}),
    watch: v.watch ?? false,
    coverage: (v.coverage ?? false) || thresholds !== undefined || v['coverage-dir'] !== undefined,
    coverageDir: v['coverage-dir'] !== undefined ? resolve(cwd, v['coverage-dir']) : join(out, 'coverage'),
    ...(thresholds ? { coverageThresholds: thresholds } : {}),
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
  // Lambda processes booted while this process reads and checks (harness/runtime/standby.ts).
  if (flags.backend === 'embedded') warmRememberedStandbys(io.cwd);
  const report = await runSuite({
    signal: stop.signal,
    paths: flags.paths,
    project: flags.project,
    notice: (line) => io.stdout.write(`${line}\n`),
    warn: (message) => io.stderr.write(`rehearse run: warning: ${message}\n`),
    cwd: io.cwd,
    backend: flags.backend,
    ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    realTime: flags.realTime,
    ...(flags.shard ? { shard: flags.shard } : {}),
    ...(flags.workers ? { workers: flags.workers } : {}),
    ...(flags.waitTimeoutMs ? { waitTimeoutMs: flags.waitTimeoutMs } : {}),
    reporter,
    // What only the HTML report shows.
    thumbnails: flags.reporters.includes('html'),
    tableContents: flags.reporters.includes('html'),
    ...(flags.coverage ? { coverage: true } : {}),
  });
  // Loaded only when asked for: the first line of a run comes before any of it (#16).
  const coverage = flags.coverage ? await import('../../report/coverage/index.ts') : undefined;
  if (coverage) report.coverage = coverage.computeCoverage(report, io.cwd);
  // The renderers likewise: only for a run that writes a file report.
  const written = fileReporters(flags.reporters).length > 0 ? await (await import('../../report/write.ts')).writeReports(report, flags.reporters, flags.out, io.cwd) : [];
  if (stop.signal.aborted) {
    io.stderr.write(`rehearse run: interrupted after ${report.summary.total} scenario(s)\n`);
    return { code: EXIT_CODES.ERR_SCENARIO_FAILED, report };
  }
  if (coverage && report.coverage) {
    io.stdout.write(`\n${coverage.renderCoverageTable(report.coverage)}`);
    written.push(...(await coverage.writeCoverageFiles(report.coverage, flags.coverageDir, { cwd: io.cwd, timestamp: REAL_CLOCK.now(), version: 'rehearse' })));
  }
  for (const w of written) io.stdout.write(`report: ${w}\n`);
  const misses = coverage && report.coverage && flags.coverageThresholds ? coverage.checkThresholds(report.coverage, flags.coverageThresholds) : [];
  for (const line of coverage?.describeMisses(misses) ?? []) io.stderr.write(`rehearse run: coverage below threshold: ${line}\n`);
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
  if (misses.length > 0) {
    io.stderr.write(`rehearse run: all scenarios passed, but ${misses.length} coverage threshold(s) were not met (--coverage-threshold)\n`);
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
  return watchAndRun(flags, io);
}

/** Changes within this long of each other make one run (an editor's save is often several events). */
export const WATCH_DEBOUNCE_MS = 200;

export interface WatchTarget {
  dir: string;
  recursive: boolean;
  /** Watching a file: its directory, filtered to this name (editors replace files on save, which ends a watch on the file itself). */
  only?: string;
}

/** What `--watch` watches: the scenario paths given, and `also` (the project's: harness/project/watch-paths.ts). */
export function watchTargets(paths: string[], cwd: string, also: string[] = []): WatchTarget[] {
  const targets: WatchTarget[] = [];
  const add = (t: WatchTarget) => {
    const covered = targets.some((x) => x.recursive && !x.only && (t.dir === x.dir || t.dir.startsWith(x.dir + sep)));
    if (!covered) targets.push(t);
  };
  // Directories first, so a file inside one is not watched twice.
  const all = [...paths.map((x) => resolve(cwd, x)), ...also];
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return undefined;
    }
  };
  all.sort((a, b) => Number(isDir(b) ?? false) - Number(isDir(a) ?? false) || a.length - b.length);
  for (const p of all) {
    const dir = isDir(p);
    if (dir === undefined) continue; // a missing path is not watched
    add(dir ? { dir: p, recursive: true } : { dir: dirname(p), recursive: false, only: basename(p) });
  }
  return targets;
}

/** The project paths of every scenario the run would load (template, what it names, config, samconfig, env-vars). */
async function projectWatchPaths(flags: RunFlags, cwd: string): Promise<string[]> {
  const projects = new ProjectResolver(flags.project, cwd);
  const paths = flags.paths.length > 0 ? flags.paths : [projects.at(cwd).scenariosDir];
  const dirs = new Set((await findScenarioFiles(paths, cwd).catch(() => [])).map((f) => dirname(f)));
  if (dirs.size === 0) dirs.add(cwd);
  const out = new Set<string>();
  for (const d of dirs) {
    try {
      for (const p of projectPaths(projects.at(d))) out.add(p);
    } catch {
      /* a broken config: the run says what is wrong; the config file is still watched below */
    }
  }
  const config = flags.project.config !== undefined ? resolve(cwd, flags.project.config) : findConfigFile(cwd);
  if (config) out.add(config);
  return [...out];
}

/**
 * Changes that must not start a run: the reports this very command writes
 * (otherwise `--out` inside a watched directory re-runs forever), installed
 * dependencies and version-control metadata.
 */
export function ignoredChange(path: string, outDir: string): boolean {
  if (path === outDir || path.startsWith(outDir + sep)) return true;
  return path.split(sep).some((segment) => segment === 'node_modules' || segment === '.git');
}

function summaryLine(code: number, report: RunReport): string {
  const s = report.summary;
  if (report.backend === '') return `could not run (exit ${code})`;
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.errors} error(s) (exit ${code})`;
}

/**
 * `--watch`: one run now, then one more after each burst of changes — never
 * two at once: changes during a run are collected and make one run after it.
 * Each run is announced and summed up on stdout. Returns, when interrupted,
 * the exit code of the last run.
 */
async function watchAndRun(flags: RunFlags, io: CliIo): Promise<number> {
  let runs = 0;
  let last = 0;
  let stopped = false;
  const changed = new Set<string>();
  let timer: { cancel(): void } | undefined;
  let running: Promise<void> | undefined;

  const runNow = async (why: string) => {
    const n = ++runs;
    io.stdout.write(`${n > 1 ? '\n' : ''}watch: run ${n} (${why})\n`);
    const { code, report } = await runOnce(flags, io).catch((e: unknown) => reportError(e, io));
    last = code;
    const added = await watchMore().catch(() => [] as WatchTarget[]);
    if (added.length > 0 && !stopped) io.stdout.write(`watch: now also watching ${added.map(shown).join(', ')}\n`);
    if (!stopped) io.stdout.write(`watch: run ${n} finished: ${summaryLine(code, report)}; waiting for changes (Ctrl-C to stop)\n`);
  };
  const start = () => {
    timer = undefined;
    if (running || stopped) return; // the running one looks at `changed` when it ends
    const files = [...changed].map((f) => relative(io.cwd, f) || f);
    changed.clear();
    launch(`changed: ${files.slice(0, 5).join(', ')}${files.length > 5 ? `, +${files.length - 5} more` : ''}`);
  };
  /** Starts a run; when it ends, changes made meanwhile schedule the next one. */
  const launch = (why: string) => {
    running = runNow(why).finally(() => {
      running = undefined;
      if (changed.size > 0 && !stopped) schedule();
    });
  };
  const schedule = () => {
    timer?.cancel();
    timer = REAL_CLOCK.setTimer(WATCH_DEBOUNCE_MS, start);
  };
  const onChange = (path: string) => {
    if (stopped || ignoredChange(path, flags.out) || (flags.coverage && ignoredChange(path, flags.coverageDir))) return;
    changed.add(path);
    if (!running) schedule();
  };

  const watchers = new Map<string, FSWatcher>();
  const shown = (t: WatchTarget) => relative(io.cwd, t.only ? join(t.dir, t.only) : t.dir) || '.';
  /** Watches what is not watched yet (a template edit may name a new code folder); returns what it added. */
  const watchMore = async (): Promise<WatchTarget[]> => {
    const defaults = flags.paths.length > 0 ? flags.paths : [new ProjectResolver(flags.project, io.cwd).at(io.cwd).scenariosDir];
    const added: WatchTarget[] = [];
    for (const t of watchTargets(defaults, io.cwd, await projectWatchPaths(flags, io.cwd).catch(() => []))) {
      const key = `${t.dir}\0${t.only ?? ''}\0${t.recursive}`;
      if (watchers.has(key) || stopped) continue;
      const w = startWatching(t);
      if (w) {
        watchers.set(key, w);
        added.push(t);
      }
    }
    return added;
  };
  const startWatching = (t: WatchTarget): FSWatcher | undefined => {
    try {
      const w = watch(t.dir, { recursive: t.recursive }, (_event, name) => {
        const file = name === null ? t.dir : join(t.dir, name.toString());
        if (t.only === undefined || basename(file) === t.only) onChange(file);
      });
      w.on('error', (e) => io.stderr.write(`rehearse run: no longer watching ${t.dir}: ${e.message}\n`));
      return w;
    } catch (e) {
      io.stderr.write(`rehearse run: cannot watch ${t.dir}: ${(e as Error).message}\n`);
      return undefined;
    }
  };
  const first = await watchMore().catch(() => [] as WatchTarget[]);
  io.stdout.write(`watching ${first.map(shown).join(', ')}; Ctrl-C to stop\n`);
  // Watching starts before the first run, so a change made while it runs is not lost.
  launch('start');

  await (io.interrupted ?? new Promise<void>(() => {}));
  stopped = true;
  timer?.cancel();
  for (const w of watchers.values()) w.close();
  await running;
  io.stdout.write(`watch: stopped after ${runs} run(s)\n`);
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

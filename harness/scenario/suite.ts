/**
 * Runs a set of scenario files: load them all (bad input stops everything
 * before anything runs), filter and shard, then run them in parallel workers —
 * on the embedded backend each worker has its own emulator and each scenario
 * starts from a restored snapshot of it (empty, or with the scenario's template
 * deployed: deployed once per worker and deploy key, deployed-states.ts); on
 * a shared backend they run one at a time with a reset in between.
 */
import { availableParallelism } from 'node:os';
import { basename, dirname } from 'node:path';
import type { Backend } from '../backends/backend.ts';
import { functionFaultsAsMocks } from '../backends/capabilities.ts';
import type { MockConfigFile } from '../backends/mock-config.ts';
import { createIdSource, REAL_CLOCK, RehearseError, trace, traced } from '../core/index.ts';
import type { ProgressReporter } from '../report/console.ts';
import { findScenarioFiles, loadScenario, ScenarioLoadError, type LoadedScenario } from './loader.ts';
import { summarize, type RunReport, type ScenarioResult } from './results.ts';
import { bootsWithMockConfig } from './given-mock-config.ts';
import type { MockPlan } from './mock-plan.ts';
import type { DeployFn } from './runner.ts';
import { createControlApi } from './control.ts';
import { DeployedStates } from './deployed-states.ts';
import { describeProject, ProjectResolver, type ProjectFlags } from '../project/resolve.ts';

export interface BackendFactoryOptions {
  seed?: string;
  realTime?: boolean;
  /** For backends that read mocks at boot (LocalStack, Step Functions Local): the MockConfigFile to boot with. */
  mockConfig?: MockConfigFile;
}

export type BackendFactory = (spec: string, options: BackendFactoryOptions) => Promise<Backend>;

export interface SuiteOptions {
  /** Files or directories (none: the project's scenarios folder, `scenarios` by default). */
  paths: string[];
  /** Command-line flags for the project resolution (harness/project): --template, --config, --parameter-overrides, --env-vars. */
  project?: ProjectFlags;
  /** Told, before anything runs, which template each group of scenarios deploys and where it came from. */
  notice?: (line: string) => void;
  /** Told each warning once (a variable the template does not declare, …). */
  warn?: (message: string) => void;
  cwd: string;
  /** `embedded` | `localstack` | `stepfunctions-local` | `endpoint=URL`. */
  backend?: string;
  filter?: string;
  seed?: string;
  realTime?: boolean;
  /** 1-based shard index and count. */
  shard?: { index: number; count: number };
  workers?: number;
  reporter?: ProgressReporter;
  thumbnails?: boolean;
  /** Each scenario's table contents in its result (runner.ts RunnerOptions.tableContents; default true). */
  tableContents?: boolean;
  waitTimeoutMs?: number;
  signal?: AbortSignal;
  createBackend?: BackendFactory;
  deploy?: DeployFn;
  /** Record each scenario's state machines and their sources, for workflow coverage (harness/report/coverage). */
  coverage?: boolean;
}

export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RehearseError('ERR_BAD_INPUT', `--shard ${text}: expected i/n, e.g. 1/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new RehearseError('ERR_BAD_INPUT', `--shard ${text}: i must be between 1 and n`);
  return { index, count };
}

/**
 * Loads every file, reporting all problems of all files at once — the
 * scenarios' own, and (given a resolver) what their templates do not define.
 */
export async function loadAll(paths: string[], cwd: string, projects?: ProjectResolver): Promise<LoadedScenario[]> {
  const loaded = await loadScenarioFiles(paths, cwd);
  if (projects) await checkTemplates(loaded, projects, cwd);
  return loaded;
}

function badInput(problems: string[]): RehearseError {
  const count = problems.join('\n').split('\n').length;
  return new RehearseError('ERR_BAD_INPUT', `${count} problem(s) in scenario files:\n${problems.join('\n')}`);
}

/** The scenario files themselves: every file's problems at once, and no two scenarios of one name. */
async function loadScenarioFiles(paths: string[], cwd: string): Promise<LoadedScenario[]> {
  const files = await findScenarioFiles(paths, cwd);
  if (files.length === 0) throw new RehearseError('ERR_BAD_INPUT', `no scenario files (*.yaml) in ${paths.join(', ')}`);
  const loaded: LoadedScenario[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      loaded.push(await loadScenario(f));
    } catch (e) {
      if (e instanceof ScenarioLoadError || e instanceof RehearseError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length > 0) throw badInput(problems);
  const names = new Map<string, string>();
  for (const l of loaded) {
    const prev = names.get(l.spec.name);
    if (prev) throw new RehearseError('ERR_BAD_INPUT', `two scenarios are named '${l.spec.name}': ${prev} and ${l.file}`);
    names.set(l.spec.name, l.file);
  }
  return loaded;
}

/**
 * What the scenarios' templates do not define (workflows, functions, buckets…).
 * Reading a template's model brings the deploy code and the AWS SDK clients
 * with it, so it is loaded here, when needed, not when the suite module is.
 */
async function checkTemplates(loaded: LoadedScenario[], projects: ProjectResolver, cwd: string): Promise<void> {
  const { checkAgainstTemplates } = await import('./template-check.ts');
  let problems: string[];
  try {
    problems = await checkAgainstTemplates(loaded, projects, cwd);
  } catch (e) {
    if (e instanceof RehearseError) problems = [e.message];
    else throw e;
  }
  if (problems.length > 0) throw badInput(problems);
}

export function selectScenarios(all: LoadedScenario[], filter?: string, shard?: { index: number; count: number }): LoadedScenario[] {
  const f = filter?.toLowerCase();
  const filtered = f ? all.filter((s) => s.spec.name.toLowerCase().includes(f) || s.file.toLowerCase().includes(f)) : all;
  return shard ? filtered.filter((_, i) => i % shard.count === shard.index - 1) : filtered;
}

async function defaultFactory(spec: string, options: BackendFactoryOptions): Promise<Backend> {
  const mod = await import('../backends/index.ts');
  return mod.createBackend(spec, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.realTime ? { realTime: true } : {}),
    ...(options.mockConfig ? { mockConfig: options.mockConfig } : {}),
  });
}

/** Whether `--backend spec` injects function faults through a MockConfigFile read at boot (LocalStack). */
export function usesMockConfig(spec: string): boolean {
  return functionFaultsAsMocks(spec.trim());
}

function backendError(spec: string, e: unknown): RehearseError {
  if (e instanceof RehearseError) return e;
  return new RehearseError('ERR_BACKEND_UNAVAILABLE', `backend ${spec} could not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** One notice per template the selected scenarios deploy: which file, from where, with which overrides. */
function announceProjects(selected: LoadedScenario[], projects: ProjectResolver, options: SuiteOptions): void {
  if (!options.notice) return;
  const lines = new Map<string, number>();
  for (const l of selected) {
    if (l.spec.workflow === undefined && l.spec.deploy !== true) continue;
    if (l.spec.deploy === false) continue;
    const line = describeProject(projects.at(dirname(l.file)), options.cwd);
    lines.set(line, (lines.get(line) ?? 0) + 1);
  }
  for (const [line, n] of lines) options.notice(lines.size > 1 ? `${line} — ${n} scenario${n === 1 ? '' : 's'}` : line);
}

/**
 * A worker's endpoint on the embedded backend, snapshotted while empty: its
 * scenarios run one after the other on it, each from a restored snapshot
 * (deployed-states.ts), instead of each on an endpoint of its own.
 */
async function startWorkerEndpoint(factory: BackendFactory, spec: string, workerSeed: string, runSeed: string, realTime: boolean): Promise<{ backend: Backend; states: DeployedStates }> {
  const backend = await factory(spec, { seed: workerSeed, ...(realTime ? { realTime: true } : {}) });
  try {
    if (!backend.controlUrl) throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `backend ${spec} has no control API to snapshot and restore between scenarios`);
    return { backend, states: await DeployedStates.start(createControlApi(backend.controlUrl), runSeed) };
  } catch (e) {
    await backend.dispose().catch(() => undefined);
    throw e;
  }
}

export async function runSuite(options: SuiteOptions): Promise<RunReport> {
  const started = REAL_CLOCK.now();
  const backendSpec = options.backend ?? 'embedded';
  const seed = options.seed ?? createIdSource().hex(4);
  const projects = new ProjectResolver(options.project ?? {}, options.cwd);
  const paths = options.paths.length > 0 ? options.paths : [projects.at(options.cwd).scenariosDir];
  trace('suite starts');
  const all = await traced('scenario files loaded', () => loadScenarioFiles(paths, options.cwd));
  const selected = selectScenarios(all, options.filter, options.shard);
  // The first lines come before the template check, which loads the deploy code (a second on a busy machine).
  announceProjects(selected, projects, options);
  await traced('templates checked', () => checkTemplates(all, projects, options.cwd));
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (warned.has(m)) return;
    warned.add(m);
    options.warn?.(m);
  };
  const factory = options.createBackend ?? defaultFactory;
  // Embedded: an endpoint per worker, restored from a snapshot for each scenario. Other backends: one endpoint, reset between scenarios.
  const perWorker = backendSpec === 'embedded';
  const workers = perWorker ? Math.max(1, options.workers ?? Math.min(2, availableParallelism())) : 1;
  const reporter = options.reporter;
  // The MockConfigFile is read once when the backend boots: plan every scenario's test case first.
  const bootMocks = usesMockConfig(backendSpec) || (bootsWithMockConfig(backendSpec.trim()) && selected.some((l) => l.spec.given?.mockConfig));
  const mockPlan: MockPlan | undefined = bootMocks ? await (await import('./mock-plan.ts')).prepareMockPlan(selected, backendSpec.trim(), projects) : undefined;
  const mockConfig = mockPlan?.hasTestCases ? { mockConfig: mockPlan.config } : {};
  reporter?.started(selected.length);
  // The runner brings the AWS SDK clients and the deploy code — a second or more to load on a busy
  // machine — so it is loaded once the first lines are out, not before the command can say anything.
  const { runScenario } = await traced('runner loaded', () => import('./runner.ts'));

  let shared: Backend | undefined;
  if (!perWorker) {
    try {
      shared = await factory(backendSpec, { seed, ...(options.realTime ? { realTime: true } : {}), ...mockConfig });
    } catch (e) {
      throw backendError(backendSpec, e);
    }
  }
  const results: ScenarioResult[] = new Array(selected.length);
  let next = 0;
  let deploys = 0;
  let backendFailure: RehearseError | undefined;
  const worker = async (index: number) => {
    // The worker's own endpoint (embedded backend): started at its first scenario, snapshotted empty.
    let own: { backend: Backend; states: DeployedStates } | undefined;
    try {
      for (;;) {
        if (backendFailure || options.signal?.aborted) return;
        const i = next++;
        if (i >= selected.length) return;
        const loaded = selected[i]!;
        const scenarioSeed = `${seed}/${basename(loaded.file)}#${loaded.spec.name}`;
        reporter?.scenarioStarted(loaded.spec.name);
        if (!shared && !own) {
          try {
            own = await traced(`worker ${index + 1} endpoint started`, () => startWorkerEndpoint(factory, backendSpec, `${seed}/worker-${index + 1}`, seed, options.realTime === true));
          } catch (e) {
            backendFailure = backendError(backendSpec, e);
            return;
          }
        }
        trace(`scenario ${basename(loaded.file)} starts`);
        results[i] = await runScenario(loaded, {
          backend: shared ?? own!.backend,
          seed: scenarioSeed,
          cwd: options.cwd,
          projects,
          warn,
          ...(shared ? { reset: true } : { states: own!.states }),
          ...(reporter?.scenarioWaiting ? { onWaiting: (what: string, ms: number) => reporter.scenarioWaiting!(loaded.spec.name, what, ms) } : {}),
          ...(options.thumbnails ? { thumbnails: true } : {}),
          ...(options.tableContents === false ? { tableContents: false } : {}),
          ...(options.waitTimeoutMs ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.deploy ? { deploy: options.deploy } : {}),
          ...(options.coverage ? { coverage: true } : {}),
          ...(mockPlan?.assignments.has(loaded.file) ? { mock: mockPlan.assignments.get(loaded.file)! } : {}),
        });
        trace(`scenario ${basename(loaded.file)} ends`);
        reporter?.scenarioFinished(results[i]!);
      }
    } finally {
      if (own) {
        deploys += own.states.deploys;
        await own.backend.dispose().catch(() => undefined);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, selected.length) }, (_, w) => worker(w)));
  } finally {
    await shared?.dispose().catch(() => undefined);
  }
  if (backendFailure) throw backendFailure;
  const scenarios = results.filter((r): r is ScenarioResult => r !== undefined);
  const report: RunReport = {
    schemaVersion: 1,
    backend: backendSpec,
    seed,
    durationMs: REAL_CLOCK.now() - started,
    summary: summarize(scenarios),
    scenarios,
    ...(perWorker ? { deploys } : {}),
  };
  reporter?.finished(report);
  return report;
}

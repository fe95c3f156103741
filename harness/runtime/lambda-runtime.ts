/**
 * Runs Lambda handlers: keeps a pool of warm execution environments per
 * function, serves their Runtime API calls, and turns what an environment did
 * into the result Invoke reports (payload, function error, logs, REPORT line).
 * Wall-clock only: the function timeout is real time (REAL_CLOCK), whatever
 * clock the emulator runs on.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { REAL_CLOCK, type IdSource } from '../core/index.ts';
import { ExecutionEnvironment, type EnvironmentRun, type RuntimeApiResponse } from './environment.ts';
import { launchCommand, resolveNodeHandlerFile, runtimeFamily, type LaunchCommand } from './launch.ts';
import { billedDuration, endLine, reportLine, startLine } from './log-lines.ts';
import { FunctionPool } from './pool.ts';
import { HandlerCompiler } from './precompile.ts';
import { startSpawner, warmStandby } from './spawner.ts';
import { parseRuntimeApiCall, RUNTIME_API_PREFIX } from './runtime-api.ts';
import type { FunctionSpec, InvocationRequest, InvocationResult, InvocationStatus } from './types.ts';

export interface LambdaRuntimeOptions {
  region: string;
  /** `host:port` where environments reach the Runtime API (the emulator's port). */
  runtimeApiHost(): string;
  /** AWS_ENDPOINT_URL handed to handlers. */
  endpointUrl(): string;
  ids: IdSource;
  /** Idle environments are stopped after this long (real ms; default 10 minutes). */
  idleTimeoutMs?: number;
  /**
   * Most execution environments (child processes) alive at once, across all
   * functions (default 32). An invocation that finds every slot busy waits
   * for one instead of starting another process (first come first served,
   * with functions sharing the slots when they compete: see pump and overShare).
   */
  maxEnvironments?: number;
  /**
   * Compile TypeScript handlers with esbuild before their cold start instead
   * of loading them through tsx (default true; see precompile.ts). False runs
   * every `.ts` handler through tsx.
   */
  precompile?: boolean;
  /** The init phase's own limit, real ms (default INIT_TIMEOUT_MS, AWS's 10 s; tests lower it). */
  initTimeoutMs?: number;
}

export const DEFAULT_MAX_ENVIRONMENTS = 32;

/** An environment reserved for one invocation (from `acquire`, consumed by `invoke`). */
export interface EnvironmentLease {
  readonly env: ExecutionEnvironment;
  readonly coldStart: boolean;
}

/** A TypeScript handler compiled ahead of time (precompile.ts). */
interface PrecompiledHandler {
  module: string;
  nativeImports: boolean;
}

interface Waiter {
  spec: FunctionSpec;
  handlerModule: PrecompiledHandler | undefined;
  resolve(lease: EnvironmentLease): void;
  reject(err: Error): void;
}

export interface RuntimeApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class LambdaRuntime {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly environments = new Map<string, ExecutionEnvironment>();
  /** Latest spec per function, so a busy environment of an older revision is not reused. */
  private readonly current = new Map<string, FunctionSpec>();
  /** How each function's environments were last started: after a restart, standbys of those kinds wait (standby.ts). */
  private readonly launches = new Map<string, LaunchCommand>();
  /** Invocations waiting for an environment slot, oldest first. */
  private readonly waiting: Waiter[] = [];
  private readonly maxEnvironments: number;
  private readonly compiler: HandlerCompiler | undefined;
  private disposed = false;
  /**
   * Bumped by restart(): an invocation that began before it (queued for a
   * slot, compiling, or about to retry in a fresh environment) is refused
   * instead of starting an environment in the restored endpoint.
   */
  private generation = 0;

  constructor(private readonly options: LambdaRuntimeOptions) {
    const max = options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
    if (!Number.isInteger(max) || max < 1) {
      throw new Error(`LambdaRuntime: maxEnvironments must be an integer >= 1, got ${JSON.stringify(max)}`);
    }
    this.maxEnvironments = max;
    this.compiler = options.precompile === false ? undefined : new HandlerCompiler();
  }

  /**
   * Reserves an execution environment for one invocation: a warm idle one of
   * this revision, else a new one if a slot is free (idle environments of other
   * functions are stopped to make room), else waits for a slot (see pump). AWS would
   * just start another environment; a laptop cannot, so the invocation queues
   * — same outcome, later. Pass the lease to `invoke` at once.
   */
  async acquire(spec: FunctionSpec, options: { first?: boolean } = {}): Promise<EnvironmentLease> {
    if (this.disposed) throw new Error('the Lambda runtime has been disposed');
    const generation = this.generation;
    this.current.set(spec.functionName, spec);
    if (this.waiting.length === 0) {
      const warm = this.pool(spec.functionName).takeIdle(spec);
      if (warm) return { env: warm, coldStart: false };
    }
    // A cold start may follow: have the handler compiled first (a cache hit
    // costs a hash of its source files). Compiling is not init time, as
    // `sam build` is not on AWS.
    const handlerModule = await this.prepare(spec);
    if (this.disposed) throw new Error('the Lambda runtime has been disposed');
    if (generation !== this.generation) throw restartedError();
    if (this.waiting.length === 0) {
      const lease = this.tryAcquire(spec, handlerModule);
      if (lease) return lease;
    }
    return new Promise<EnvironmentLease>((resolve, reject) => {
      const waiter = { spec, handlerModule, resolve, reject };
      if (options.first) this.waiting.unshift(waiter);
      else this.waiting.push(waiter);
      this.pump();
    });
  }

  /**
   * Runs one invocation in a warm environment (or a new one) and reports it as
   * Invoke would. Without a lease it acquires one first (and may wait for a
   * slot); the function timeout starts only when the handler gets the event.
   */
  async invoke(spec: FunctionSpec, request: InvocationRequest, lease?: EnvironmentLease): Promise<InvocationResult> {
    if (this.disposed) {
      if (lease) this.releaseEnvironment(lease.env, undefined);
      throw new Error('the Lambda runtime has been disposed');
    }
    this.current.set(spec.functionName, spec);
    const generation = this.generation;
    let { env, coldStart } = lease ?? (await this.acquire(spec));
    let run: EnvironmentRun;
    try {
      run = await env.run(request, request.invokedFunctionArn ?? spec.functionArn);
      if (!coldStart && !run.delivered && run.outcome.kind === 'exit') {
        // Stopped by a restart (a snapshot restore), not exiting on its own: the event belongs to the world before it.
        if (generation !== this.generation) throw restartedError();
        // A warm environment that died before taking the event (it was exiting
        // after its previous invocation): the event runs in a fresh one instead,
        // ahead of anyone queued (it already had its turn).
        this.releaseEnvironment(env, undefined);
        ({ env, coldStart } = await this.acquire(spec, { first: true }));
        run = await env.run(request, request.invokedFunctionArn ?? spec.functionArn);
      }
    } catch (err) {
      this.releaseEnvironment(env, undefined);
      throw err;
    }
    const result = toResult(spec, request, run, coldStart);
    // A timed-out or out-of-memory environment is discarded, as AWS does.
    if (result.errorType === 'Runtime.OutOfMemory' || result.status === 'timeout') env.kill();
    this.releaseEnvironment(env, this.current.get(spec.functionName));
    return result;
  }

  /** Environments alive (all functions), the cap, and invocations waiting for a slot. */
  capacity(): { environments: number; maxEnvironments: number; waiting: number } {
    return { environments: this.environments.size, maxEnvironments: this.maxEnvironments, waiting: this.waiting.length };
  }

  /**
   * Starts compiling a TypeScript handler in the background (CreateFunction,
   * code updates), so its first cold start does not wait for it; and the
   * process spawner (spawner.ts), so the first cold start does not wait for
   * its Node to boot either.
   */
  prepareAhead(spec: FunctionSpec): void {
    if (this.disposed) return;
    startSpawner();
    // And a standby process of its kind (standby.ts), which needs to know whether the handler runs precompiled.
    void this.prepare(spec).then(
      (handlerModule) => {
        if (this.disposed) return;
        const launch = this.launchFor(spec, 'standby', handlerModule);
        this.launches.set(spec.functionName, launch);
        warmStandby(launch);
      },
      () => undefined,
    );
  }

  /** Code or configuration changed (or the function was deleted): no environment of the old revision is reused. */
  retire(functionName: string, spec?: FunctionSpec): void {
    if (spec) this.current.set(functionName, spec);
    else this.current.delete(functionName);
    this.pools.get(functionName)?.retireIdle();
  }

  stats(functionName: string): { environments: number; idle: number; busy: number; coldStarts: number } {
    return this.pools.get(functionName)?.stats() ?? { environments: 0, idle: 0, busy: 0, coldStarts: 0 };
  }

  /** Forget every function and stop every environment (control API reset). Queued invocations still run, in new environments. */
  async reset(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.current.clear();
    await Promise.all(pools.map((p) => p.dispose()));
  }

  /**
   * Stops every environment, busy ones included, and refuses every invocation
   * begun before (queued ones are rejected): a snapshot restore, after which
   * nothing of the previous scenario's invocations may run — its module state
   * and its events belong to a world that no longer exists.
   */
  async restart(): Promise<void> {
    this.generation++;
    for (const w of this.waiting.splice(0)) w.reject(restartedError());
    await this.reset();
    // The restored functions cold-start again, most of them like the ones before.
    for (const launch of this.launches.values()) warmStandby(launch);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('the Lambda runtime has been disposed'));
    await this.reset();
  }

  isRuntimeApiPath(path: string): boolean {
    return path.startsWith(RUNTIME_API_PREFIX);
  }

  /** Serves one Runtime API call; `next` stays pending until an invocation arrives (a long poll). */
  async handleRuntimeApi(req: RuntimeApiRequest): Promise<RuntimeApiResponse> {
    const call = parseRuntimeApiCall(req.method, req.path);
    if (!call) {
      return runtimeApiError(404, 'InvalidRequest', `${req.method} ${req.path} is not a Runtime API 2018-06-01 call`);
    }
    const env = this.environments.get(call.envId);
    if (!env) return runtimeApiError(410, 'EnvironmentGone', `execution environment ${call.envId} no longer exists`);
    const errorType = headerValue(req.headers['lambda-runtime-function-error-type']);
    switch (call.kind) {
      case 'next':
        return env.next();
      case 'response':
        return env.response(call.requestId, req.body);
      case 'error':
        return env.error(call.requestId, req.body, errorType, headerValue(req.headers['lambda-runtime-rehearse-exiting']) === '1');
      case 'init-error':
        return env.initError(req.body, errorType);
    }
  }

  private pool(functionName: string): FunctionPool {
    let pool = this.pools.get(functionName);
    if (!pool) {
      pool = new FunctionPool(this.options.idleTimeoutMs ?? 10 * 60_000);
      this.pools.set(functionName, pool);
    }
    return pool;
  }

  private releaseEnvironment(env: ExecutionEnvironment, spec: FunctionSpec | undefined): void {
    const pool = this.pools.get(env.spec.functionName);
    if (!pool) env.kill();
    else if (this.overShare(env.spec.functionName)) {
      // Its slot goes to a function that is short of environments (it is started when this one exits).
      pool.release(env, undefined);
    } else pool.release(env, spec);
    this.pump();
  }

  /**
   * With every slot taken, functions share the cap: each function with
   * environments or waiting invocations is entitled to an equal share of the slots. An
   * environment of a function above its share is stopped when it finishes if
   * another function below its share has invocations waiting for a new
   * environment — otherwise the function that filled the slots first (say the
   * first step of a workflow, under a burst of uploads) keeps them all, the
   * next steps wait for its whole queue to drain, and every drained function's
   * environments are stopped and cold-started again for the next one. AWS
   * would simply start more environments; this keeps the pipeline moving with
   * few cold starts.
   */
  private overShare(functionName: string): boolean {
    if (this.waiting.length === 0 || this.environments.size < this.maxEnvironments) return false;
    const { share, count } = this.shares();
    if (count(functionName) <= share) return false;
    return this.waiting.some((w) => w.spec.functionName !== functionName && count(w.spec.functionName) < share);
  }

  /** Each function's fair share of the slots (see overShare) and its count of live (not stopping) environments. */
  private shares(): { share: number; count(name: string): number } {
    const counts = new Map<string, number>();
    for (const env of this.environments.values()) {
      if (env.reusable) counts.set(env.spec.functionName, (counts.get(env.spec.functionName) ?? 0) + 1);
    }
    // Any environment counts, idle ones too: a step of a workflow between two
    // invocations still needs its share, and a share that flapped with each
    // momentarily empty queue would stop and restart environments for nothing.
    const demand = new Set([...this.waiting.map((w) => w.spec.functionName), ...counts.keys()]);
    return {
      share: Math.max(1, Math.floor(this.maxEnvironments / Math.max(1, demand.size))),
      count: (name) => counts.get(name) ?? 0,
    };
  }

  /** The next waiter to get a new environment: the oldest one of a function below its share, else the oldest. */
  private nextColdStart(): number {
    const { share, count } = this.shares();
    const i = this.waiting.findIndex((w) => count(w.spec.functionName) < share);
    return i >= 0 ? i : 0;
  }

  /** The precompiled module for a TypeScript Node handler; undefined runs the handler as it is (tsx for `.ts`). */
  private async prepare(spec: FunctionSpec): Promise<PrecompiledHandler | undefined> {
    if (!this.compiler || runtimeFamily(spec.runtime) !== 'node') return undefined;
    const file = resolveNodeHandlerFile(spec.codeDir, spec.handler);
    if (!file || !/\.m?ts$/.test(file)) return undefined;
    const outcome = await this.compiler.compile(file);
    return outcome.kind === 'fallback' ? undefined : { module: outcome.module, nativeImports: outcome.nativeImports };
  }

  /** A lease now, without waiting, or undefined when every slot is taken. */
  private tryAcquire(spec: FunctionSpec, handlerModule: PrecompiledHandler | undefined): EnvironmentLease | undefined {
    const pool = this.pool(spec.functionName);
    const warm = pool.takeIdle(spec);
    if (warm) return { env: warm, coldStart: false };
    // Dying processes still count: the cap is on processes that exist.
    if (this.environments.size >= this.maxEnvironments) return undefined;
    const env = this.start(spec, handlerModule);
    pool.adopt(env);
    return { env, coldStart: true };
  }

  /**
   * Serves queued invocations: first every one whose function has an idle
   * environment (a warm start takes no slot, so serving it out of turn delays
   * nobody), then the rest while slots are free — in order, those of
   * functions below their share of the slots first (see overShare); then, for
   * waiters entitled to a new environment, stops idle environments of functions
   * above their share (after the first pass no waiter's function has an idle one).
   */
  private pump(): void {
    if (this.disposed) return;
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      const warm = this.pool(w.spec.functionName).takeIdle(w.spec);
      if (!warm) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      w.resolve({ env: warm, coldStart: false });
    }
    while (this.waiting.length > 0) {
      const i = this.nextColdStart();
      const lease = this.tryAcquire(this.waiting[i]!.spec, this.waiting[i]!.handlerModule);
      if (!lease) break;
      this.waiting.splice(i, 1)[0]!.resolve(lease);
    }
    if (this.waiting.length === 0) return;
    // Every slot is taken. Waiters of a function below its share are entitled
    // to new environments (a function with none always to one, whatever the
    // rounding); the others wait for their own. Environments already on their
    // way out free a slot each when they exit; stop idle ones of functions above
    // their share (least recently used first) until that covers the entitled.
    let freeing = 0;
    for (const env of this.environments.values()) if (!env.reusable) freeing++;
    for (;;) {
      const { share, count } = this.shares();
      const wanted = new Map<string, number>();
      for (const w of this.waiting) wanted.set(w.spec.functionName, (wanted.get(w.spec.functionName) ?? 0) + 1);
      let entitled = 0;
      let starving = false;
      for (const [name, n] of wanted) {
        entitled += Math.min(n, Math.max(share - count(name), count(name) === 0 ? 1 : 0));
        if (count(name) === 0) starving = true;
      }
      if (freeing >= entitled) return;
      const oldestIdle = (eligible: (name: string) => boolean): FunctionPool | undefined => {
        let oldest: FunctionPool | undefined;
        for (const [name, pool] of this.pools) {
          const at = pool.oldestIdleRelease;
          if (at !== undefined && eligible(name) && (oldest === undefined || at < oldest.oldestIdleRelease!)) oldest = pool;
        }
        return oldest;
      };
      const victim = oldestIdle((name) => count(name) > share) ?? (starving ? oldestIdle(() => true) : undefined);
      if (!victim?.stopOldestIdle()) return;
      freeing++;
    }
  }

  private launchFor(spec: FunctionSpec, envId: string, handlerModule: PrecompiledHandler | undefined): LaunchCommand {
    return launchCommand(spec, {
      runtimeApi: `${this.options.runtimeApiHost()}${RUNTIME_API_PREFIX}${envId}`,
      endpointUrl: this.options.endpointUrl(),
      region: this.options.region,
      logStreamName: logStreamName(envId),
      ...(handlerModule ? { handlerModule: handlerModule.module, handlerResolvesNatively: handlerModule.nativeImports } : {}),
    });
  }

  private start(spec: FunctionSpec, handlerModule: PrecompiledHandler | undefined): ExecutionEnvironment {
    const envId = this.options.ids.hex(12);
    const launch = this.launchFor(spec, envId, handlerModule);
    this.launches.set(spec.functionName, launch);
    const env = new ExecutionEnvironment(
      envId,
      spec,
      launch,
      (dead) => {
        this.environments.delete(dead.id);
        this.pools.get(spec.functionName)?.forget(dead);
        // Its slot is free now.
        this.pump();
      },
      this.options.initTimeoutMs,
    );
    this.environments.set(envId, env);
    return env;
  }
}

function restartedError(): Error {
  return new Error('the Lambda execution environments were stopped by a snapshot restore');
}

function logStreamName(envId: string): string {
  const d = new Date(REAL_CLOCK.now()).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/[$LATEST]${envId.padEnd(32, '0').slice(0, 32)}`;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function runtimeApiError(status: number, errorType: string, errorMessage: string): RuntimeApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorMessage, errorType }) };
}

/** Go's names for the signals AWS's runtime supervisor reports ("Runtime exited with error: signal: killed"). */
const SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted (core dumped)',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGBUS: 'bus error',
};

function exitDescription(exitCode: number | null, signal: string | null): string {
  if (signal) return `signal: ${SIGNAL_NAMES[signal] ?? signal}`;
  return `exit status ${exitCode ?? 0}`;
}

interface Failure {
  status: InvocationStatus;
  errorType: string;
  errorMessage: string;
  payload: string;
  /** Extra platform log line (the timeout notice). */
  logLine?: string;
  reportStatus?: string;
}

function platformFailure(status: InvocationStatus, errorType: string, errorMessage: string): Failure {
  return { status, errorType, errorMessage, payload: JSON.stringify({ errorType, errorMessage }) };
}

function describeFailure(spec: FunctionSpec, request: InvocationRequest, run: EnvironmentRun): Failure | undefined {
  const id = request.requestId;
  const o = run.outcome;
  switch (o.kind) {
    case 'success':
      return undefined;
    case 'error':
    case 'init-error': {
      const parsed = parseErrorDocument(o.payload);
      return {
        status: o.kind === 'error' ? 'error' : 'init-error',
        errorType: parsed.errorType ?? o.errorType ?? 'Runtime.Unknown',
        errorMessage: parsed.errorMessage ?? '',
        payload: o.payload,
        ...(o.kind === 'init-error' ? { reportStatus: 'error' } : {}),
      };
    }
    case 'timeout': {
      // https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts
      const seconds = spec.timeoutSeconds.toFixed(2);
      const f = platformFailure('timeout', 'Sandbox.Timedout', `RequestId: ${id} Error: Task timed out after ${seconds} seconds`);
      f.logLine = `${new Date(REAL_CLOCK.now()).toISOString()} ${id} Task timed out after ${seconds} seconds\n`;
      f.reportStatus = 'timeout';
      return f;
    }
    case 'exit': {
      const type = o.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      const f = platformFailure('exit', type, `RequestId: ${id} Error: Runtime exited with error: ${exitDescription(o.exitCode, o.signal)}`);
      f.reportStatus = 'error';
      return f;
    }
  }
}

function toResult(spec: FunctionSpec, request: InvocationRequest, run: EnvironmentRun, coldStart: boolean): InvocationResult {
  let failure = describeFailure(spec, request, run);
  // Python has no heap flag to enforce MemorySize with: a run whose peak
  // resident memory exceeded it is reported as AWS would have killed it.
  if (!failure && runtimeFamily(spec.runtime) === 'python' && run.maxMemoryUsedMb > spec.memorySizeMb) {
    failure = platformFailure('exit', 'Runtime.OutOfMemory', `RequestId: ${request.requestId} Error: Runtime exited with error: signal: killed`);
    failure.reportStatus = 'error';
  }
  const durationMs = run.outcome.kind === 'timeout' && run.outcome.phase === 'invoke' ? Math.max(run.durationMs, spec.timeoutSeconds * 1000) : run.durationMs;
  const billedDurationMs = billedDuration(durationMs);
  const logs =
    run.preludeOutput +
    startLine(request.requestId, spec.version) +
    run.output +
    (failure?.logLine ?? '') +
    endLine(request.requestId) +
    reportLine({
      requestId: request.requestId,
      durationMs,
      billedDurationMs,
      memorySizeMb: spec.memorySizeMb,
      maxMemoryUsedMb: run.maxMemoryUsedMb,
      ...(run.initDurationMs !== undefined ? { initDurationMs: run.initDurationMs } : {}),
      ...(failure?.reportStatus ? { status: failure.reportStatus } : {}),
      ...(failure?.reportStatus && failure.status !== 'timeout' ? { errorType: failure.errorType } : {}),
    });
  const base = {
    requestId: request.requestId,
    coldStart,
    durationMs,
    billedDurationMs,
    maxMemoryUsedMb: run.maxMemoryUsedMb,
    logs,
    ...(run.initDurationMs !== undefined ? { initDurationMs: run.initDurationMs } : {}),
  };
  if (!failure) return { ...base, status: 'success', payload: run.outcome.kind === 'success' ? run.outcome.payload : 'null' };
  return {
    ...base,
    status: failure.status,
    payload: failure.payload,
    functionError: 'Unhandled',
    errorType: failure.errorType,
    errorMessage: failure.errorMessage,
  };
}

function parseErrorDocument(text: string): { errorType?: string; errorMessage?: string } {
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof doc.errorType === 'string' ? { errorType: doc.errorType } : {}),
      ...(typeof doc.errorMessage === 'string' ? { errorMessage: doc.errorMessage } : {}),
    };
  } catch {
    return {};
  }
}

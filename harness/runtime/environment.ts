/**
 * One execution environment: a child process running a bootstrap that speaks
 * the Lambda Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
 * It handles one invocation at a time and is reused while it stays healthy,
 * so module state survives between invocations as in AWS.
 *
 * Lifecycle: spawned → (first `next` = init done) → ready ⇄ busy → dead.
 * A timeout kills the process (AWS discards the environment too); so does a
 * crash, an init error, or the pool reaping an idle environment.
 */
import { readFileSync } from 'node:fs';
import { REAL_CLOCK, settle, trace, type Timer } from '../core/index.ts';
import type { LaunchCommand } from './launch.ts';
import { startProcess, type EnvironmentProcess } from './spawner.ts';
import type { FunctionSpec, InvocationRequest } from './types.ts';

/** A Runtime API answer (structurally a protocol-layer RestResponse). */
export interface RuntimeApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * AWS gives the init phase 10 s of its own before the invoke phase starts
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib).
 */
export const INIT_TIMEOUT_MS = 10_000;

/** What the environment reported for one invocation. */
export type EnvironmentOutcome =
  | { kind: 'success'; payload: string }
  | { kind: 'error'; payload: string; errorType?: string }
  | { kind: 'init-error'; payload: string; errorType?: string }
  | { kind: 'timeout'; phase: 'init' | 'invoke' }
  | { kind: 'exit'; exitCode: number | null; signal: string | null; outOfMemory: boolean };

export interface EnvironmentRun {
  outcome: EnvironmentOutcome;
  /** Real ms from delivering the event to the outcome (0 if never delivered). */
  durationMs: number;
  /** Set on the environment's first invocation (its cold start). */
  initDurationMs?: number;
  maxMemoryUsedMb: number;
  /** Output written before the event was delivered (init, or leftovers of the previous invocation). */
  preludeOutput: string;
  /** Output written while the invocation ran. */
  output: string;
  /** Whether the process ever received the event (an undelivered invocation can safely run elsewhere). */
  delivered: boolean;
}

interface ActiveInvocation {
  request: InvocationRequest;
  invokedFunctionArn: string;
  resolve(run: EnvironmentRun): void;
  prelude: string;
  chunks: string[];
  deliveredAt?: number;
  timer?: Timer;
  /** The outcome is decided (no timeout may fire any more). */
  settled: boolean;
  /** The outcome was handed back; later output belongs to the next invocation. */
  finished?: boolean;
}

/** Largest payload a synchronous invocation may return (AWS quota: 6 MB). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

export class ExecutionEnvironment {
  readonly id: string;
  readonly spec: FunctionSpec;
  private readonly child: EnvironmentProcess;
  private readonly spawnedAt = REAL_CLOCK.now();
  private initDurationMs: number | undefined;
  private initReported = false;
  private waitingNext: ((r: RuntimeApiResponse) => void) | undefined;
  private active: ActiveInvocation | undefined;
  private pendingOutput: string[] = [];
  private stderrTail = '';
  private initTimer: Timer | undefined;
  private dead = false;
  /** Set when the environment must not take another invocation (init error, unhandled rejection…). */
  private broken = false;
  private closed: Promise<void>;
  private exitInfo: { code: number | null; signal: string | null } | undefined;
  private lastPeakMb = 0;

  constructor(
    id: string,
    spec: FunctionSpec,
    launch: LaunchCommand,
    private readonly onDeath: (env: ExecutionEnvironment) => void,
    private readonly initTimeoutMs: number = INIT_TIMEOUT_MS,
  ) {
    this.id = id;
    this.spec = spec;
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.child = startProcess(launch, {
      output: (stream, d) => {
        if (stream === 'stderr') this.stderrTail = (this.stderrTail + d).slice(-8192);
        this.onOutput(d);
      },
      close: () => resolveClosed(),
      error: (err) => {
        // spawn failure (missing interpreter or bootstrap): report it like a runtime exit.
        this.onOutput(`rehearse: could not start the execution environment: ${err.message}\n`);
        this.exitInfo = { code: 127, signal: null };
        resolveClosed();
      },
      exit: (code, signal) => {
        this.exitInfo = { code, signal };
        // 'close' waits for every holder of the output streams; a process the
        // handler started may keep them open, so do not wait for it long.
        REAL_CLOCK.setTimer(250, () => resolveClosed());
      },
    });
    void this.closed.then(() => this.onClosed());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Alive and willing to take another invocation. */
  get reusable(): boolean {
    return !this.dead && !this.broken;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Runs one invocation; resolves when the environment answers, times out or dies. */
  run(request: InvocationRequest, invokedFunctionArn: string): Promise<EnvironmentRun> {
    if (this.active) throw new Error(`execution environment ${this.id} is busy`);
    return new Promise((resolve) => {
      const inv: ActiveInvocation = {
        request,
        invokedFunctionArn,
        resolve,
        prelude: this.pendingOutput.join(''),
        chunks: [],
        settled: false,
      };
      this.pendingOutput = [];
      this.active = inv;
      if (this.dead) return void this.finish(inv, this.exitOutcome());
      if (this.waitingNext) {
        const answer = this.waitingNext;
        this.waitingNext = undefined;
        answer(this.deliver(inv));
      } else if (this.initDurationMs === undefined) {
        // An init that overruns its own limit is, on AWS, run again inside the
        // invocation with the function timeout; here it simply gets both budgets
        // in a row. Either way the invoke phase's timeout starts only when the
        // handler receives the event (deliver), so a slow init never shortens it.
        this.initTimer = REAL_CLOCK.setTimer(this.initTimeoutMs + this.spec.timeoutSeconds * 1000, () => {
          if (inv.deliveredAt === undefined && !inv.settled) {
            this.finish(inv, { kind: 'timeout', phase: 'init' });
            this.kill();
          }
        });
      }
    });
  }

  /** GET …/runtime/invocation/next */
  next(): Promise<RuntimeApiResponse> | RuntimeApiResponse {
    if (this.initDurationMs === undefined) {
      this.initDurationMs = REAL_CLOCK.now() - this.spawnedAt;
      this.initTimer?.cancel();
      trace(`cold start ${this.spec.functionName}: ${this.initDurationMs} ms from spawn to first 'next'`);
    }
    if (this.dead) return gone();
    const inv = this.active;
    if (inv && inv.deliveredAt === undefined && !inv.settled) return this.deliver(inv);
    if (this.waitingNext) this.waitingNext(gone());
    return new Promise((resolve) => {
      this.waitingNext = resolve;
    });
  }

  /** POST …/runtime/invocation/<id>/response */
  response(requestId: string, body: Buffer): RuntimeApiResponse {
    const inv = this.current(requestId);
    if (!inv) return invalidRequestId(requestId);
    if (body.length > MAX_RESPONSE_BYTES) {
      // AWS fails the invocation rather than truncating.
      const payload = JSON.stringify({
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        errorType: 'Function.ResponseSizeTooLarge',
      });
      void this.finishAfterOutput(inv, { kind: 'error', payload, errorType: 'Function.ResponseSizeTooLarge' });
      return { status: 413, headers: json(), body: JSON.stringify({ errorMessage: 'Payload too large', errorType: 'RequestEntityTooLarge' }) };
    }
    void this.finishAfterOutput(inv, { kind: 'success', payload: body.toString('utf8') });
    return accepted();
  }

  /** POST …/runtime/invocation/<id>/error */
  error(requestId: string, body: Buffer, errorType: string | undefined, exiting = false): RuntimeApiResponse {
    const inv = this.current(requestId);
    if (!inv) return invalidRequestId(requestId);
    // The bootstrap says it exits after this report (uncaught exception): never hand it another event.
    if (exiting) this.broken = true;
    void this.finishAfterOutput(inv, { kind: 'error', payload: errorPayload(body, errorType), errorType });
    return accepted();
  }

  /** POST …/runtime/init/error */
  initError(body: Buffer, errorType: string | undefined): RuntimeApiResponse {
    this.broken = true;
    this.initReported = true;
    if (this.initDurationMs === undefined) {
      this.initDurationMs = REAL_CLOCK.now() - this.spawnedAt;
      this.initTimer?.cancel();
    }
    const inv = this.active;
    if (inv && !inv.settled) void this.finishAfterOutput(inv, { kind: 'init-error', payload: errorPayload(body, errorType), errorType });
    return accepted();
  }

  /** Stops the process (timeout, reaping, code update, shutdown). */
  kill(): void {
    this.broken = true;
    this.child.kill();
  }

  /** Resolves once the process is gone. */
  async dispose(): Promise<void> {
    this.kill();
    await this.closed;
  }

  private current(requestId: string): ActiveInvocation | undefined {
    const inv = this.active;
    if (!inv || inv.settled || inv.deliveredAt === undefined || inv.request.requestId !== requestId) return undefined;
    return inv;
  }

  private deliver(inv: ActiveInvocation): RuntimeApiResponse {
    const now = REAL_CLOCK.now();
    inv.deliveredAt = now;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    inv.timer = REAL_CLOCK.setTimer(timeoutMs, () => {
      if (inv.settled) return;
      this.finish(inv, { kind: 'timeout', phase: 'invoke' });
      // AWS discards a timed-out environment.
      this.kill();
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': inv.request.requestId,
      'lambda-runtime-deadline-ms': String(now + timeoutMs),
      'lambda-runtime-invoked-function-arn': inv.invokedFunctionArn,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(now / 1000).toString(16)}-${inv.request.requestId.replace(/-/g, '').slice(0, 24)};Parent=${inv.request.requestId.replace(/-/g, '').slice(-16)};Sampled=0;Lineage=1:0:0`,
    };
    if (inv.request.clientContext) {
      headers['lambda-runtime-client-context'] = Buffer.from(inv.request.clientContext, 'base64').toString('utf8');
    }
    if (inv.request.crash) {
      // Fault injection: the process dies as it takes the event (before it can answer).
      this.kill();
    }
    return { status: 200, headers, body: inv.request.payload };
  }

  private onOutput(text: string): void {
    const inv = this.active;
    if (inv && !inv.finished && inv.deliveredAt !== undefined) inv.chunks.push(text);
    else this.pendingOutput.push(text);
  }

  /** Lets output the process wrote before answering reach us first (pipe writes are synchronous on Linux). */
  private async finishAfterOutput(inv: ActiveInvocation, outcome: EnvironmentOutcome): Promise<void> {
    inv.timer?.cancel();
    inv.settled = true;
    await settle();
    this.finish(inv, outcome, true);
  }

  private finish(inv: ActiveInvocation, outcome: EnvironmentOutcome, alreadySettled = false): void {
    if ((inv.settled && !alreadySettled) || inv.finished) return;
    inv.settled = true;
    inv.finished = true;
    inv.timer?.cancel();
    this.initTimer?.cancel();
    if (this.active === inv) this.active = undefined;
    const durationMs = inv.deliveredAt === undefined ? 0 : REAL_CLOCK.now() - inv.deliveredAt;
    const firstRun = !this.initReported;
    this.initReported = true;
    inv.resolve({
      outcome,
      durationMs,
      ...(firstRun && this.initDurationMs !== undefined ? { initDurationMs: this.initDurationMs } : {}),
      maxMemoryUsedMb: this.peakMemoryMb(),
      preludeOutput: inv.prelude,
      output: inv.chunks.join(''),
      delivered: inv.deliveredAt !== undefined,
    });
  }

  private exitOutcome(): EnvironmentOutcome {
    const info = this.exitInfo ?? { code: null, signal: 'SIGKILL' };
    const outOfMemory = /JavaScript heap out of memory|Reached heap limit|MemoryError/.test(this.stderrTail);
    return { kind: 'exit', exitCode: info.code, signal: info.signal, outOfMemory };
  }

  private onClosed(): void {
    this.dead = true;
    this.initTimer?.cancel();
    if (this.waitingNext) {
      this.waitingNext(gone());
      this.waitingNext = undefined;
    }
    const inv = this.active;
    if (inv && !inv.settled) {
      if (inv.deliveredAt === undefined) inv.prelude += this.pendingOutput.join('');
      else inv.chunks.push(...this.pendingOutput);
      this.pendingOutput = [];
      this.finish(inv, this.exitOutcome());
    }
    this.onDeath(this);
  }

  /** VmHWM: the process's peak resident set (AWS's "Max Memory Used"). */
  private peakMemoryMb(): number {
    if (this.dead || this.child.pid === undefined) return this.lastPeakMb;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+)\s+kB/.exec(status);
      if (m) this.lastPeakMb = Math.ceil(Number(m[1]) / 1024);
    } catch {
      // Not Linux, or the process just exited: keep the last reading.
    }
    return this.lastPeakMb;
  }
}

function json(): Record<string, string> {
  return { 'content-type': 'application/json' };
}

function accepted(): RuntimeApiResponse {
  return { status: 202, headers: json(), body: '{"status":"OK"}' };
}

function gone(): RuntimeApiResponse {
  return { status: 410, headers: json(), body: JSON.stringify({ errorMessage: 'Execution environment is shutting down', errorType: 'EnvironmentGone' }) };
}

function invalidRequestId(requestId: string): RuntimeApiResponse {
  return {
    status: 400,
    headers: json(),
    body: JSON.stringify({ errorMessage: `Invalid request ID: ${requestId}`, errorType: 'InvalidRequestID' }),
  };
}

/** The error document as the runtime posted it; a non-JSON body is wrapped so callers still get `{errorType, errorMessage}`. */
function errorPayload(body: Buffer, errorType: string | undefined): string {
  const text = body.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return text;
  } catch {
    // fall through
  }
  return JSON.stringify({ errorType: errorType ?? 'Runtime.Unknown', errorMessage: text });
}

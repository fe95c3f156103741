/**
 * Invoke: faults, throttling, the runtime, observations — shared by the
 * Invoke API and the in-process invoker (S3 notifications, Secrets Manager
 * rotation, Step Functions).
 *
 * Clock rules: a handler's work is real time, and holds the clock (`work`) so
 * virtual time does not jump while it runs; injected latency, injected
 * timeouts and the asynchronous retry delays sleep on the clock (and so take
 * no time on a virtual clock).
 */
import type { Clock, IdSource } from '../../core/index.ts';
import { logTail, type InvocationResult, type LambdaRuntime } from '../../runtime/index.ts';
import { decisiveFault, type FaultRegistry, type FunctionFault } from '../faults.ts';
import type { InvocationRecord, Observations } from '../observations.ts';
import type { LambdaInvokeOutcome, Logger } from '../service-deps.ts';
import { functionNotFound, injectedServiceError, invalidRequestContent, requestTooLarge, tooManyRequests } from './errors.ts';
import { functionSpec, type FunctionRecord, type FunctionStore } from './models.ts';
import { isAwsServiceError, type AwsServiceError } from '../../core/index.ts';

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeRequest {
  /** Name, full ARN or partial ARN, optionally `:qualifier`. */
  functionName: string;
  qualifier?: string;
  payload: string;
  invocationType?: InvocationType;
  logType?: 'None' | 'Tail';
  /** Base64 JSON (X-Amz-Client-Context). */
  clientContext?: string;
  /** Request id to use (the API uses its own x-amzn-RequestId). */
  requestId?: string;
  caller?: string;
}

/**
 * Payload limits (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): 6 MB synchronous,
 * 1 MB asynchronous through Invoke, 256 KB through the deprecated InvokeAsync.
 */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
export const MAX_INVOKE_ASYNC_PAYLOAD = 256 * 1024;

/**
 * Asynchronous invocation: on a function error Lambda retries twice, waiting
 * about one minute before the first retry and two minutes before the second
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 * Throttles and 5xx service errors are retried with back-off (1 s doubling to
 * 5 min) until the event is six hours old.
 */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
export const ASYNC_MAX_EVENT_AGE_MS = 6 * 60 * 60 * 1000;

export interface InvokerDeps {
  clock: Clock;
  ids: IdSource;
  region: string;
  accountId: string;
  store: FunctionStore;
  runtime: LambdaRuntime;
  faults: FaultRegistry;
  observations: Observations;
  log: Logger;
  /** The account's ConcurrentExecutions quota (AWS's default is 1000). */
  accountConcurrency: number;
}

/** AWS's default ConcurrentExecutions per account and Region (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/**
 * Concurrency AWS keeps unreserved: PutFunctionConcurrency may not take the
 * unreserved pool below 100 (so an account whose quota is ≤ 100 cannot reserve at all).
 */
export function minimumUnreserved(accountConcurrency: number): number {
  return Math.min(100, accountConcurrency);
}

/** Splits `name`, `name:qualifier`, `123456789012:function:name[:q]`, `arn:aws:lambda:r:acct:function:name[:q]`. */
export function parseFunctionName(input: string): { name: string; qualifier?: string } | undefined {
  const m = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9_-]{1,140})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/.exec(input);
  if (!m) return undefined;
  return { name: m[1]!, ...(m[2] ? { qualifier: m[2] } : {}) };
}

export class Invocations {
  private readonly inFlight = new Map<string, number>();
  private readonly background = new Set<Promise<void>>();
  private abort = new AbortController();

  constructor(private readonly deps: InvokerDeps) {}

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.deps.region}:${this.deps.accountId}:function:${name}`;
  }

  /** Resolves the function a request names, or throws ResourceNotFoundException. */
  resolve(functionName: string, qualifier?: string): { fn: FunctionRecord; invokedArn: string } {
    const parsed = parseFunctionName(functionName);
    const name = parsed?.name ?? functionName;
    const q = qualifier ?? parsed?.qualifier;
    const fn = this.deps.store.get(name);
    const invokedArn = this.functionArn(name) + (q ? `:${q}` : '');
    // Only $LATEST exists here (published versions and aliases are not modelled).
    if (!fn || (q !== undefined && q !== '$LATEST')) throw functionNotFound(invokedArn);
    return { fn, invokedArn };
  }

  async invoke(req: InvokeRequest): Promise<LambdaInvokeOutcome> {
    const type = req.invocationType ?? 'RequestResponse';
    const { fn, invokedArn } = this.resolve(req.functionName, req.qualifier);
    const payload = req.payload.length === 0 ? '{}' : req.payload;
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (Buffer.byteLength(payload) > limit) throw requestTooLarge(limit);
    try {
      JSON.parse(payload);
    } catch (e) {
      throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`);
    }
    const requestId = req.requestId ?? this.deps.ids.uuid();
    if (type === 'DryRun') return { statusCode: 204, payload: '', executedVersion: '$LATEST', requestId };
    if (type === 'Event') {
      this.track(this.runAsync(fn.name, invokedArn, payload, requestId, req.clientContext));
      return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId };
    }
    const outcome = await this.attempt(fn.name, invokedArn, payload, requestId, 'RequestResponse', req.clientContext);
    return {
      statusCode: 200,
      payload: outcome.payload,
      ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
      executedVersion: '$LATEST',
      requestId,
      ...(req.logType === 'Tail' ? { logResult: logTail(outcome.logs) } : {}),
    };
  }

  /** Waits for queued asynchronous invocations (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Cancels pending asynchronous retries (reset, shutdown). */
  cancelAsync(): void {
    this.abort.abort(new Error('Lambda service reset'));
    this.abort = new AbortController();
  }

  private track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private async runAsync(name: string, invokedArn: string, payload: string, requestId: string, clientContext?: string): Promise<void> {
    const signal = this.abort.signal;
    const queuedAt = this.deps.clock.now();
    let functionErrors = 0;
    let throttleDelay = 1000;
    for (;;) {
      const fn = this.deps.store.get(name);
      if (!fn || signal.aborted) return;
      const maxRetries = fn.eventInvokeConfig?.MaximumRetryAttempts ?? ASYNC_RETRY_DELAYS_MS.length;
      const maxAge = (fn.eventInvokeConfig?.MaximumEventAgeInSeconds ?? ASYNC_MAX_EVENT_AGE_MS / 1000) * 1000;
      let delay: number;
      try {
        const outcome = await this.attempt(name, invokedArn, payload, requestId, 'Event', clientContext);
        if (!outcome.functionError) return;
        if (functionErrors >= maxRetries) {
          this.deps.log.info(`lambda: async invocation ${requestId} of ${name} failed after ${functionErrors + 1} attempts; event discarded`);
          return;
        }
        delay = ASYNC_RETRY_DELAYS_MS[functionErrors] ?? ASYNC_RETRY_DELAYS_MS.at(-1)!;
        functionErrors++;
      } catch (e) {
        const retryable = isAwsServiceError(e) && (e.statusCode === 429 || e.statusCode >= 500);
        if (!retryable) {
          this.deps.log.info(`lambda: async invocation ${requestId} of ${name} dropped: ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
        delay = throttleDelay;
        throttleDelay = Math.min(throttleDelay * 2, 300_000);
      }
      if (this.deps.clock.now() + delay - queuedAt > maxAge) return;
      try {
        await this.deps.clock.sleep(delay, signal);
      } catch {
        return;
      }
    }
  }

  /** One attempt: counts the call for faults, applies them, throttles, runs the handler, records it. */
  private async attempt(
    name: string,
    invokedArn: string,
    payload: string,
    requestId: string,
    invocationType: 'RequestResponse' | 'Event',
    clientContext: string | undefined,
  ): Promise<{ payload: string; functionError?: string; logs: string }> {
    const fn = this.deps.store.get(name);
    if (!fn) throw functionNotFound(invokedArn);
    // Reserved concurrency: https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
    const running = this.inFlight.get(name) ?? 0;
    if (fn.reservedConcurrency !== undefined && running >= fn.reservedConcurrency) {
      throw tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    // Account concurrency (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): functions
    // without a reservation share what the reservations leave of the account's quota. An invocation
    // queued for a local environment slot counts: on AWS it would be running.
    if (fn.reservedConcurrency === undefined && this.unreservedInFlight() >= this.unreservedLimit()) {
      throw tooManyRequests('ConcurrentInvocationLimitExceeded');
    }
    const { callNumber, faults } = this.deps.faults.nextFunctionCall(name, payload);
    const epoch = this.deps.observations.epoch;
    this.inFlight.set(name, running + 1);
    // Peak concurrency counts running invocations: an injected fault's latency, throw or timeout
    // runs from here; a handler only once it has an environment (below).
    let leave = faults.length > 0 ? this.deps.observations.enter(`fn:${name}`) : undefined;
    const record: InvocationRecord = {
      functionName: name,
      requestId,
      invocationNumber: callNumber,
      invocationType,
      startTime: this.deps.clock.now(),
      coldStart: false,
    };
    const described = faults.map(describeFault).join('; ');
    if (described) record.fault = described;
    try {
      const latency = faults.reduce((ms, f) => ms + ('latencyMs' in f ? Math.max(0, f.latencyMs) : 0), 0);
      if (latency > 0) await this.deps.clock.sleep(latency);
      const decisive = decisiveFault(faults);
      if (decisive && 'throw' in decisive) return this.injectedThrow(record, decisive.throw.errorType, decisive.throw.message);
      if (decisive && 'timeout' in decisive) return await this.injectedTimeout(record, fn);
      if (decisive && 'return' in decisive) return this.injectedReturn(record, decisive.return);
      const crash = decisive !== undefined && 'crash' in decisive;
      // Held while queued for an environment slot too: every slot holder is a
      // handler doing real work (idle ones are stopped to make room), so the
      // wait is real time and virtual time must not jump past it.
      const release = this.deps.clock.hold('work', `lambda ${name} ${requestId}`);
      let result: InvocationResult;
      try {
        const spec = functionSpec(fn);
        // Not counted as running while queued for a slot (peak concurrency never exceeds the cap).
        leave?.();
        leave = undefined;
        const lease = await this.deps.runtime.acquire(spec);
        leave = this.deps.observations.enter(`fn:${name}`);
        result = await this.deps.runtime.invoke(spec, {
          requestId,
          payload,
          invokedFunctionArn: invokedArn,
          ...(clientContext ? { clientContext } : {}),
          ...(crash ? { crash: true } : {}),
        }, lease);
      } finally {
        release();
      }
      record.coldStart = result.coldStart;
      record.durationMs = result.durationMs;
      record.logs = result.logs;
      if (result.functionError) record.error = { errorType: result.errorType ?? 'Unknown', errorMessage: result.errorMessage ?? '' };
      return { payload: result.payload, ...(result.functionError ? { functionError: result.functionError } : {}), logs: result.logs };
    } catch (e) {
      if (!record.error && isAwsServiceError(e)) record.error = { errorType: (e as AwsServiceError).code, errorMessage: e.message };
      throw e;
    } finally {
      record.endTime = this.deps.clock.now();
      record.durationMs ??= 0;
      this.deps.observations.recordInvocation(record, epoch);
      leave?.();
      this.inFlight.set(name, (this.inFlight.get(name) ?? 1) - 1);
    }
  }

  private unreservedInFlight(): number {
    let n = 0;
    for (const [name, count] of this.inFlight) if (this.deps.store.get(name)?.reservedConcurrency === undefined) n += count;
    return n;
  }

  /** ConcurrentExecutions minus every reservation (GetAccountSettings' UnreservedConcurrentExecutions). */
  unreservedLimit(): number {
    return this.deps.accountConcurrency - this.deps.store.list().reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0);
  }

  private injectedThrow(record: InvocationRecord, errorType: string, message: string | undefined): { payload: string; functionError: string; logs: string } {
    if (errorType.startsWith('Lambda.')) {
      // A Lambda service error: Invoke itself fails with that code and status.
      const err = injectedServiceError(errorType.slice('Lambda.'.length), message);
      record.error = { errorType, errorMessage: err.message };
      throw err;
    }
    const errorMessage = message ?? `Injected fault: ${errorType}`;
    record.error = { errorType, errorMessage };
    const logs = `START RequestId: ${record.requestId} Version: $LATEST\nEND RequestId: ${record.requestId}\n`;
    record.logs = logs;
    return { payload: JSON.stringify({ errorType, errorMessage, trace: [] }), functionError: 'Unhandled', logs };
  }

  /**
   * A `return` fault: the invocation succeeds with the given payload and no
   * handler runs — so no environment is taken, no cold start, no handler logs.
   * It still counts as an invocation of the function (observations, call numbers).
   */
  private injectedReturn(record: InvocationRecord, value: unknown): { payload: string; logs: string } {
    // A Node handler that returns undefined answers `null` (the runtime JSON-encodes the result).
    const payload = JSON.stringify(value) ?? 'null';
    const logs = `START RequestId: ${record.requestId} Version: $LATEST\nEND RequestId: ${record.requestId}\n`;
    record.logs = logs;
    return { payload, logs };
  }

  private async injectedTimeout(record: InvocationRecord, fn: FunctionRecord): Promise<{ payload: string; functionError: string; logs: string }> {
    // The caller waits the function's timeout, on the clock (instant on a virtual clock).
    await this.deps.clock.sleep(fn.timeout * 1000);
    const seconds = fn.timeout.toFixed(2);
    const errorMessage = `RequestId: ${record.requestId} Error: Task timed out after ${seconds} seconds`;
    record.error = { errorType: 'Sandbox.Timedout', errorMessage };
    record.durationMs = fn.timeout * 1000;
    const logs =
      `START RequestId: ${record.requestId} Version: $LATEST\n` +
      `${new Date(this.deps.clock.now()).toISOString()} ${record.requestId} Task timed out after ${seconds} seconds\n` +
      `END RequestId: ${record.requestId}\n`;
    record.logs = logs;
    return { payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage }), functionError: 'Unhandled', logs };
  }
}

function describeFault(f: FunctionFault): string {
  if ('throw' in f) return `throw ${f.throw.errorType}`;
  if ('timeout' in f) return 'timeout';
  if ('latencyMs' in f) return `latency ${f.latencyMs}ms`;
  if ('crash' in f) return 'crash';
  if ('return' in f) return 'return';
  return 'unknown';
}

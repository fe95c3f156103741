/**
 * Fault plans (DESIGN.md principle 2): failures injected where AWS failures
 * really happen — in a Lambda invocation or a service operation — so Retry and
 * Catch are exercised for real. Shared by the control API, the Lambda service
 * and the protocol layer.
 */

/** Which calls a fault applies to; calls are numbered from 1 per function / per operation. */
export interface CallSelector {
  /** Explicit call numbers or ranges: `[1, 2]`, `["3-5"]`, `"3-5"`. Omitted → every call. */
  invocations?: Array<number | string> | string;
  /** Every n-th call (2 → calls 2, 4, 6…). */
  every?: number;
}

export type FunctionFaultAction =
  /** `Lambda.*` service error names (e.g. `Lambda.TooManyRequestsException`) make Invoke fail with that service error; anything else is a function error (`Unhandled`). */
  | { throw: { errorType: string; message?: string } }
  /** The invocation runs into the function's timeout (`Sandbox.Timedout`). */
  | { timeout: true }
  /** Adds virtual-time latency before the handler runs. */
  | { latencyMs: number }
  /** The execution environment's process dies (`Runtime.ExitError`). */
  | { crash: true }
  /**
   * The invocation succeeds with this JSON value as its response payload and
   * the handler does not run — a recorded result replayed, or a stub. Named
   * after the `Return` of a Step Functions MockConfigFile
   * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html),
   * which `Throw` above mirrors too. It is the function's payload, not the
   * `lambda:invoke` result around it (`{StatusCode, Payload, …}`).
   */
  | { return: unknown };

export type FunctionFault = CallSelector & {
  function: string;
  /**
   * Only invocations whose event payload deep-equals this JSON value (key
   * order ignored) — and then `invocations`/`every` count only those calls:
   * `{input: {id: 3}, invocations: [2]}` is the second call with `{id: 3}`,
   * which is what a Retry of that Map item makes. Calls in a Map or Parallel
   * run in no fixed order, but each item's payload is its own, so this is how
   * `rehearse replay` gives every item its recorded outcome. Omitted: every
   * payload, counted per function as before.
   */
  input?: unknown;
} & FunctionFaultAction;

export interface OperationFault extends CallSelector {
  /** Signing name: `s3`, `secretsmanager`, `sns`, `dynamodb`, `states`, `lambda`. */
  service: string;
  /** AWS operation name, e.g. `GetObject`, `GetSecretValue`. Omitted with `resource`: every operation on it. */
  operation?: string;
  /**
   * Only requests touching this resource, where the service names one per
   * request (a DynamoDB table). Calls are then counted per fault filter:
   * `invocations: [1]` is the first call on that table.
   */
  resource?: string;
  error?: { code: string; message?: string; statusCode?: number };
  latencyMs?: number;
}

/**
 * An EventBridge rule's target failing delivery (the target refuses or
 * cannot be reached): the attempt fails with `error` and is retried under the
 * target's RetryPolicy, then dead-lettered; `latencyMs` (alone) delays the
 * attempt on the Clock instead. Attempts are counted per rule (and target,
 * when given) from 1, retries included. Neither given: the attempt fails
 * with `InternalException`.
 */
export interface TargetFault extends CallSelector {
  rule: string;
  /** The target's Id; omitted: every target of the rule. */
  target?: string;
  error?: { code: string; message?: string; statusCode?: number };
  latencyMs?: number;
}

/** What the target faults selecting one delivery attempt do to it. */
export interface TargetFaultEffect {
  /** Virtual-time delay before the attempt (the faults' latencies added up). */
  latencyMs: number;
  error?: { code: string; message?: string; statusCode?: number };
}

/**
 * A Task state answered without running its integration: `return` is the
 * integration's result (what the Task's ResultSelector/ResultPath then see),
 * `throw` fails the task with that error and cause, which Retry and Catch
 * handle as they would the service's own. It is how a scenario gets past a
 * Task whose integration the endpoint does not serve (Glue, Batch, ECS, …),
 * and the same thing a Step Functions Local MockConfigFile's `Return` /
 * `Throw` does for a test case
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html),
 * here for every execution. Invocations are counted per state machine and
 * state from 1, retries and Map iterations included.
 */
export type StateFault = CallSelector & {
  state: string;
  /** The state machine's name; omitted: a state of that name in any state machine. */
  stateMachine?: string;
} & ({ return: unknown } | { throw: { error: string; cause?: string } });

export interface FaultPlan {
  functions?: FunctionFault[];
  operations?: OperationFault[];
  targets?: TargetFault[];
  states?: StateFault[];
}

/** Parses `3`, `"3"`, `"3-5"` into an inclusive range; throws a clear error otherwise. */
export function parseCallRange(spec: number | string): [number, number] {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 1) throw new Error(`call number must be an integer ≥ 1, got ${spec}`);
    return [spec, spec];
  }
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
  if (!m) throw new Error(`call range must look like 3 or "3-5", got ${JSON.stringify(spec)}`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to < from) throw new Error(`call range ${JSON.stringify(spec)} is empty or starts below 1`);
  return [from, to];
}

/**
 * Why `value` is not plain JSON (`.a[2] is Infinity`), or undefined when it is.
 * A fault's `input` is compared with JSON payloads, and a plan crosses the
 * control API as JSON: a NaN or a function would silently become `null` or
 * vanish on the way, and the fault would then match the wrong calls or none.
 */
export function jsonValueProblem(value: unknown, at = ''): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${at || 'the value'} is ${value}, which JSON cannot hold`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = jsonValueProblem(value[i], `${at}[${i}]`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) {
    for (const [k, v] of Object.entries(value)) {
      const p = jsonValueProblem(v, `${at}.${k}`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  return `${at || 'the value'} is ${value === undefined ? 'undefined' : typeof value === 'object' ? 'a non-plain object' : `a ${typeof value}`}, not a JSON value`;
}

/** JSON text with object keys sorted at every level: equal for deep-equal JSON values, whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What an invocation does when several faults select it (latency adds up
 * separately): throw, then timeout, then return (the handler does not run,
 * so it cannot crash), then crash. The Lambda service applies it, and the
 * MockConfigFile builder mirrors it.
 */
export function decisiveFault(faults: readonly FunctionFault[]): Exclude<FunctionFault, { latencyMs: number }> | undefined {
  const of = (kind: 'throw' | 'timeout' | 'return' | 'crash') =>
    faults.find((f): f is Exclude<FunctionFault, { latencyMs: number }> => kind in f);
  return of('throw') ?? of('timeout') ?? of('return') ?? of('crash');
}

/** Whether call number `n` (1-based) is selected. */
export function selects(selector: CallSelector, n: number): boolean {
  if (selector.every !== undefined) {
    if (!Number.isInteger(selector.every) || selector.every < 1) return false;
    if (n % selector.every !== 0) return false;
  }
  if (selector.invocations === undefined) return true;
  const specs = Array.isArray(selector.invocations) ? selector.invocations : [selector.invocations];
  return specs.some((s) => {
    const [from, to] = parseCallRange(s);
    return n >= from && n <= to;
  });
}

/** Holds the installed plan and counts calls, so "invocations 1-2" means the first two. */
export class FaultRegistry {
  private plan: FaultPlan = {};
  private readonly counts = new Map<string, number>();
  /** Canonical JSON of each function fault's `input` (computed once, at install). */
  private inputKeys = new Map<FunctionFault, string>();

  install(plan: FaultPlan): void {
    // Validate ranges now so a bad plan is rejected when installed, not mid-run.
    for (const f of [...(plan.functions ?? []), ...(plan.operations ?? []), ...(plan.targets ?? []), ...(plan.states ?? [])]) {
      const specs = f.invocations === undefined ? [] : Array.isArray(f.invocations) ? f.invocations : [f.invocations];
      specs.forEach(parseCallRange);
    }
    const inputKeys = new Map<FunctionFault, string>();
    (plan.functions ?? []).forEach((f, i) => {
      if (f.input === undefined) return;
      const problem = jsonValueProblem(f.input, 'input');
      if (problem !== undefined) throw new Error(`functions[${i}] (${f.function}): ${problem}`);
      inputKeys.set(f, canonicalJson(f.input));
    });
    this.plan = plan;
    this.inputKeys = inputKeys;
    this.counts.clear();
  }

  clear(): void {
    this.install({});
  }

  /** The plan and its call counters (snapshots): restoring them makes the next call count on from there. */
  snapshot(): { plan: FaultPlan; counts: Array<[string, number]> } {
    return { plan: structuredClone(this.plan), counts: [...this.counts] };
  }

  restore(from: { plan: FaultPlan; counts: Array<[string, number]> }): void {
    this.install(structuredClone(from.plan));
    for (const [k, n] of from.counts) this.counts.set(k, n);
  }

  current(): FaultPlan {
    return this.plan;
  }

  /**
   * Counts one invocation of `functionName` with event `payload` (JSON text)
   * and returns the faults that apply to it (in plan order). `callNumber`
   * counts every call of the function; a fault with `input` is selected by
   * the number of calls with that payload instead.
   */
  nextFunctionCall(functionName: string, payload: string): { callNumber: number; faults: FunctionFault[] } {
    const callNumber = this.bump(`fn:${functionName}`);
    const mine = (this.plan.functions ?? []).filter((f) => f.function === functionName);
    // Only parse and count payloads some fault asks about: the counter is keyed by the payload's text.
    let payloadKey: string | undefined;
    let payloadCall = 0;
    if (mine.some((f) => this.inputKeys.has(f))) {
      payloadKey = canonicalPayload(payload);
      if (payloadKey !== undefined && mine.some((f) => this.inputKeys.get(f) === payloadKey)) payloadCall = this.bump(`in:${functionName}:${payloadKey}`);
    }
    const faults = mine.filter((f) => {
      const key = this.inputKeys.get(f);
      if (key === undefined) return selects(f, callNumber);
      return key === payloadKey && selects(f, payloadCall);
    });
    return { callNumber, faults };
  }

  /**
   * Counts one call of `service:operation` (touching `resources`) and returns
   * the faults that apply to it. Each fault selects by the number of calls its
   * filter (operation, resource) has seen.
   */
  nextOperationCall(service: string, operation: string, resources: readonly string[] = []): { callNumber: number; faults: OperationFault[] } {
    const callNumber = this.bump(`op:${service}:${operation}`);
    const numbers = new Map<string, number>();
    const faults = (this.plan.operations ?? []).filter((f) => {
      if (f.service !== service || (f.operation !== undefined && f.operation !== operation)) return false;
      if (f.resource === undefined) return f.operation !== undefined && selects(f, callNumber);
      if (!resources.includes(f.resource)) return false;
      const key = `res:${service}:${f.operation ?? '*'}:${f.resource}`;
      let n = numbers.get(key);
      if (n === undefined) numbers.set(key, (n = this.bump(key)));
      return selects(f, n);
    });
    return { callNumber, faults };
  }

  /**
   * Counts one delivery attempt to target `targetId` of rule `ruleName` and
   * returns what the target faults selecting it do (undefined: none does).
   */
  nextTargetDelivery(ruleName: string, targetId: string): TargetFaultEffect | undefined {
    const mine = (this.plan.targets ?? []).filter((f) => f.rule === ruleName && (f.target === undefined || f.target === targetId));
    if (mine.length === 0) return undefined;
    const numbers = new Map<string, number>();
    // Every fault's counter moves (filter, not find); latencies add up, the first error decides.
    const hits = mine.filter((f) => {
      const key = `target:${ruleName}:${f.target ?? '*'}`;
      let n = numbers.get(key);
      if (n === undefined) numbers.set(key, (n = this.bump(key)));
      return selects(f, n);
    });
    if (hits.length === 0) return undefined;
    const latencyMs = hits.reduce((ms, f) => ms + Math.max(0, f.latencyMs ?? 0), 0);
    const error =
      hits.find((f) => f.error)?.error ??
      (hits.some((f) => f.latencyMs === undefined) ? { code: 'InternalException', message: `Injected fault: rule ${ruleName} target ${targetId} failed delivery`, statusCode: 500 } : undefined);
    return { latencyMs, ...(error ? { error } : {}) };
  }

  /** Whether any state fault could answer a state of `stateMachine` (executions without one skip the lookup). */
  hasStateFaults(stateMachine: string): boolean {
    return (this.plan.states ?? []).some((f) => f.stateMachine === undefined || f.stateMachine === stateMachine);
  }

  /**
   * Counts one invocation of Task state `state` of `stateMachine` when a state
   * fault names it, and returns the first fault that selects that invocation.
   */
  nextStateCall(stateMachine: string, state: string): StateFault | undefined {
    const mine = (this.plan.states ?? []).filter((f) => f.state === state && (f.stateMachine === undefined || f.stateMachine === stateMachine));
    if (mine.length === 0) return undefined;
    const n = this.bump(`state:${stateMachine}:${state}`);
    return mine.find((f) => selects(f, n));
  }

  private bump(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }
}

/** An invocation payload's canonical JSON (an empty payload is `{}`, as Invoke treats it); undefined if not JSON. */
function canonicalPayload(payload: string): string | undefined {
  try {
    return canonicalJson(JSON.parse(payload.length === 0 ? '{}' : payload) as unknown);
  } catch {
    return undefined;
  }
}

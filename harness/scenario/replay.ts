/**
 * Turns a real execution (`aws stepfunctions get-execution-history` output,
 * optionally with `describe-execution` output) into a scenario that reproduces
 * it: the same input, and each Lambda call's recorded outcome injected at the
 * same invocation number — its error as a `throw`/`timeout` fault, its result
 * as a `return` fault — so the replayed execution takes the recorded path
 * exactly, whatever the local handlers would do today. With `realLambdas`,
 * only the errors are injected and the successful calls run the real
 * handlers: "does today's code still fail this way?".
 *
 * Calls inside a Map or Parallel state run in no fixed order (AWS's order is
 * not ours), so there the N-th call of a function may be another item's: those
 * are injected by their recorded payload instead (`input` + the number of calls
 * with that payload, so a retry of the item is its 2nd). Sequential calls keep
 * their invocation number — their order is the definition's.
 *
 * A Distributed Map runs its items as child executions, whose Lambda calls
 * are in their own histories, not the parent's
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html).
 * Given those histories (`children`), their calls are injected by payload
 * like any concurrent call; without them, the children's calls run the real
 * functions and the file says so.
 */
import { stringify } from 'yaml';
import { RehearseError } from '../core/index.ts';
import type { HistoryEvent } from '../asl/api.ts';
import { canonicalJson } from '../emulator/faults.ts';
import { attemptsOf, detailsOf, indexHistory } from './history.ts';
import { SCHEMA_COMMENT } from './loader.ts';
import type { ScenarioInput } from './schema.ts';

/** What `aws stepfunctions describe-execution` prints (the fields we use). */
export interface DescribeExecutionJson {
  executionArn?: string;
  stateMachineArn?: string;
  name?: string;
  status?: string;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ReplayInput {
  /** The scenario's name (default: what it replays, and how — see replayName). */
  name?: string;
  /** The first line (`# yaml-language-server: $schema=…`), pointing at the schema from where the scenario is written. */
  schemaComment?: string;
  /** The `events` array of get-execution-history (timestamps as ISO text or epoch seconds). */
  events: unknown[];
  execution?: DescribeExecutionJson;
  /** Path (as written into the scenario) of the definition file to run instead of a deployed workflow. */
  definitionPath?: string;
  /** Top-level state names of that definition (keeps the expected path to states whose order is deterministic). */
  topLevelStates?: string[];
  /**
   * Histories of a Distributed Map's child executions (get-execution-history
   * of each execution `list-executions --map-run-arn` lists; STANDARD children
   * only — EXPRESS ones have no history API), each with where it came from.
   */
  children?: Array<{ source: string; events: unknown[] }>;
  /**
   * Inject only the recorded errors: every call that succeeded runs the real
   * handler (`rehearse replay --real-lambdas`). Default: recorded results are
   * injected too, so the replay follows the recorded path exactly.
   */
  realLambdas?: boolean;
}

function toMs(v: unknown): number {
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const n = Date.parse(v);
    if (!Number.isNaN(n)) return n;
    const f = Number(v);
    if (Number.isFinite(f)) return f < 1e11 ? f * 1000 : f;
  }
  return 0;
}

export function normalizeEvents(raw: unknown[]): HistoryEvent[] {
  return raw.map((r, i) => {
    if (!r || typeof r !== 'object') throw new RehearseError('ERR_BAD_INPUT', `events[${i}] is not an object`);
    const e = r as Record<string, unknown>;
    if (typeof e.type !== 'string' || typeof e.id !== 'number')
      throw new RehearseError('ERR_BAD_INPUT', `events[${i}] needs a type and a numeric id (is this get-execution-history output?)`);
    return { ...e, type: e.type, id: e.id, previousEventId: typeof e.previousEventId === 'number' ? e.previousEventId : 0, timestamp: toMs(e.timestamp) } as HistoryEvent;
  });
}

function functionNameOf(e: HistoryEvent): string | undefined {
  const d = detailsOf(e);
  let ref: unknown = d?.resource;
  if (e.type === 'TaskScheduled') {
    if (d?.resourceType !== 'lambda') return undefined;
    try {
      ref = (JSON.parse(String(d.parameters ?? '{}')) as { FunctionName?: unknown }).FunctionName;
    } catch {
      return undefined;
    }
  }
  if (typeof ref !== 'string') return undefined;
  // arn:aws:lambda:region:acct:function:name[:qualifier] or a bare name.
  const m = /:function:([^:]+)/.exec(ref);
  return m ? m[1] : ref.split(':')[0];
}

/** What a recorded Lambda call is turned into (a function fault's action). */
type RecordedAction = { throw: { errorType: string; message?: string } } | { timeout: true } | { return: unknown };

interface Outcome {
  fn: string;
  /** Id of the event that scheduled the call, in its own history. */
  scheduledEventId: number;
  /** 1-based call number of `fn` in the recorded execution. */
  call: number;
  /** The recorded failure or result; absent while unknown (still running, output not recorded, a callback task). */
  fault?: RecordedAction;
  /** Why a successful call's result cannot be injected (the real function runs for it). */
  noResult?: string;
  /** Made inside a Map iteration or Parallel branch, where the local call order may differ from the recorded one. */
  concurrent: boolean;
  /** The event payload the function received, or why it is not known or cannot be matched locally. */
  payload: { value: unknown } | { missing: string };
  /** Made in this Distributed Map child execution (its history's source), not the parent. */
  child?: string;
}

/**
 * How a Lambda call was made: `arn:aws:states:::lambda:invoke` (TaskScheduled,
 * resource `invoke`) records the whole Invoke result `{ExecutedVersion, Payload,
 * StatusCode, …}` in TaskSucceeded; a function ARN as the Task's Resource
 * (LambdaFunctionScheduled) records the function's payload itself in
 * LambdaFunctionSucceeded (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html).
 */
type CallKind = 'optimized' | 'callback' | 'legacy';

function callKindOf(e: HistoryEvent): CallKind {
  if (e.type === 'LambdaFunctionScheduled') return 'legacy';
  const resource = String(detailsOf(e)?.resource ?? '');
  return /waitForTaskToken/.test(resource) ? 'callback' : 'optimized';
}

/** The function payload a recorded success carries, or why there is none to inject. */
function recordedResult(kind: CallKind, success: HistoryEvent): { value: unknown } | { missing: string } {
  if (kind === 'callback') {
    // TaskSucceeded of a .waitForTaskToken task is what SendTaskSuccess sent, not the Invoke result;
    // injecting it would also leave nobody to send the token.
    return { missing: 'a .waitForTaskToken call: its recorded output is the callback, so the real function runs' };
  }
  const d = detailsOf(success);
  if ((d?.outputDetails as { truncated?: unknown } | undefined)?.truncated === true) return { missing: 'its recorded output was truncated (over 256 KiB)' };
  if (typeof d?.output !== 'string') return { missing: 'no output recorded (fetch the history with --include-execution-data)' };
  let output: unknown;
  try {
    output = JSON.parse(d.output);
  } catch {
    return { missing: 'its recorded output is not JSON' };
  }
  if (kind === 'legacy') return { value: output };
  if (output === null || typeof output !== 'object' || !('Payload' in output)) return { missing: 'its recorded output has no Payload (not a lambda:invoke result?)' };
  return { value: (output as { Payload: unknown }).Payload };
}

/**
 * The event payload a recorded call sent: `Payload` of the lambda:invoke
 * parameters (absent or null is sent as `{}`, a string as the JSON text it
 * holds — as harness/asl sends them), or LambdaFunctionScheduled's input.
 */
function recordedPayload(kind: CallKind, scheduled: HistoryEvent): { value: unknown } | { missing: string } {
  // AWS requires a .waitForTaskToken task to pass $$.Task.Token: its payload is never the same twice.
  if (kind === 'callback') return { missing: 'its payload carries the task token, which is new in every run' };
  const d = detailsOf(scheduled);
  const noData = { missing: 'no payload recorded (fetch the history with --include-execution-data)' };
  let text: unknown;
  if (kind === 'legacy') {
    if ((d?.inputDetails as { truncated?: unknown } | undefined)?.truncated === true) return { missing: 'its recorded payload was truncated' };
    text = d?.input;
    if (typeof text !== 'string') return noData;
  } else {
    if (typeof d?.parameters !== 'string') return noData;
    let payload: unknown;
    try {
      payload = (JSON.parse(d.parameters) as { Payload?: unknown }).Payload;
    } catch {
      return { missing: 'its recorded parameters are not JSON' };
    }
    if (payload === undefined || payload === null) return { value: {} };
    if (typeof payload !== 'string') return { value: payload };
    text = payload;
  }
  try {
    return { value: JSON.parse(text as string) as unknown };
  } catch {
    return { missing: 'its recorded payload is not JSON' };
  }
}

/**
 * Ids of the events inside a Map or Parallel state (between its Entered and
 * Exited; nested ones count once). An uncaught failure inside ends the
 * execution, a caught one still exits, so every region that matters is closed.
 */
function concurrentEventIds(sorted: HistoryEvent[]): Set<number> {
  const inside = new Set<number>();
  let depth = 0;
  for (const e of sorted) {
    if (e.type === 'MapStateExited' || e.type === 'ParallelStateExited') depth = Math.max(0, depth - 1);
    if (depth > 0) inside.add(e.id);
    if (e.type === 'MapStateEntered' || e.type === 'ParallelStateEntered') depth++;
  }
  return inside;
}

function causeMessage(cause: unknown): string | undefined {
  if (typeof cause !== 'string') return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    /* plain text */
  }
  return cause;
}

/** Each Lambda attempt in history order, with its recorded failure or result. */
export function lambdaOutcomes(events: HistoryEvent[]): Outcome[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const inside = concurrentEventIds(sorted);
  const calls = new Map<string, number>();
  const outcomes = new Map<number, Outcome & { kind: CallKind }>();
  const ordered: Array<Outcome & { kind: CallKind }> = [];
  const ownerOf = (e: HistoryEvent) => {
    // Walk back to the schedule event this outcome belongs to.
    let cur: HistoryEvent | undefined = e;
    while (cur && !outcomes.has(cur.id)) cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    return cur ? outcomes.get(cur.id) : undefined;
  };
  for (const e of sorted) {
    if (e.type === 'LambdaFunctionScheduled' || e.type === 'TaskScheduled') {
      const fn = functionNameOf(e);
      if (!fn) continue;
      const call = (calls.get(fn) ?? 0) + 1;
      calls.set(fn, call);
      const kind = callKindOf(e);
      const o: Outcome & { kind: CallKind } = { fn, scheduledEventId: e.id, call, kind, concurrent: inside.has(e.id), payload: recordedPayload(kind, e) };
      outcomes.set(e.id, o);
      ordered.push(o);
      continue;
    }
    if (e.type === 'LambdaFunctionSucceeded' || e.type === 'TaskSucceeded') {
      const o = ownerOf(e);
      if (!o) continue;
      const r = recordedResult(o.kind, e);
      if ('value' in r) o.fault = { return: r.value };
      else o.noResult = r.missing;
      continue;
    }
    const failed = /^(LambdaFunction|Task)(Failed|TimedOut|StartFailed)$/.test(e.type);
    if (!failed) continue;
    const o = ownerOf(e);
    if (!o) continue;
    const d = detailsOf(e);
    const error = typeof d?.error === 'string' ? d.error : 'States.TaskFailed';
    if (e.type.endsWith('TimedOut') || error === 'States.Timeout' || error === 'Sandbox.Timedout') o.fault = { timeout: true };
    else {
      const message = causeMessage(d?.cause);
      o.fault = { throw: { errorType: error, ...(message !== undefined ? { message } : {}) } };
    }
  }
  return ordered.map(({ kind: _kind, ...o }) => o);
}

type FaultList = NonNullable<NonNullable<ScenarioInput['given']>['faults']>;

/** How one recorded call is selected locally: its invocation number, or its payload and the number of calls with that payload. */
interface Keyed extends Outcome {
  /** Set: select by `input` + `n`; unset: by `call`. */
  input?: { value: unknown; n: number };
  /** Why a Map/Parallel call is still selected by invocation number. */
  positional?: string;
}

/**
 * Picks how each call is selected. Calls in a Map/Parallel are matched by
 * payload unless it holds something only that execution had (`bound` says
 * what); calls with the same payload are numbered in history order, counting
 * every call of the function with that payload — as FaultRegistry counts them.
 */
function keyCalls(outcomes: Outcome[], bound: (payload: unknown) => string | undefined): Keyed[] {
  const seen = new Map<string, number>();
  return outcomes.map((o) => {
    if (!('value' in o.payload)) return o.concurrent ? { ...o, positional: o.payload.missing } : o;
    const key = `${o.fn}\0${canonicalJson(o.payload.value)}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (!o.concurrent) return o;
    const why = bound(o.payload.value);
    return why !== undefined ? { ...o, positional: why } : { ...o, input: { value: o.payload.value, n } };
  });
}

/** Whether a call's recorded outcome is injected: every one, or only the errors with `realLambdas`. */
function isInjected(o: Outcome, realLambdas: boolean): boolean {
  return o.fault !== undefined && !(realLambdas && 'return' in o.fault);
}

/** Groups consecutive call numbers (per function, or per function and payload) with the same fault: `[1, 2]` → `"1-2"`. */
function faultsFrom(outcomes: Keyed[], realLambdas: boolean): FaultList {
  const faults: FaultList = [];
  const groups = new Map<string, Array<{ n: number; o: Keyed }>>();
  for (const o of outcomes) {
    if (!isInjected(o, realLambdas)) continue;
    const key = o.input ? `${o.fn}\0${canonicalJson(o.input.value)}` : o.fn;
    const group = groups.get(key) ?? [];
    group.push({ n: o.input ? o.input.n : o.call, o });
    groups.set(key, group);
  }
  for (const list of groups.values()) {
    let i = 0;
    while (i < list.length) {
      let j = i;
      const same = JSON.stringify(list[i]!.o.fault);
      while (j + 1 < list.length && list[j + 1]!.n === list[j]!.n + 1 && JSON.stringify(list[j + 1]!.o.fault) === same) j++;
      const { o } = list[i]!;
      const from = list[i]!.n;
      const to = list[j]!.n;
      faults.push({ function: o.fn, ...(o.input ? { input: o.input.value } : {}), invocations: from === to ? [from] : `${from}-${to}`, ...o.fault! });
      i = j + 1;
    }
  }
  return faults;
}

const EXECUTION_ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:(?:execution|express|mapRun):/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * The recorded output as an expectation. Values that belong to that one
 * execution — its ARN or its Map Run's, timestamps such as
 * `$$.Execution.StartTime` — cannot recur locally, so they are matched by type.
 */
function expectedOutput(value: unknown): unknown {
  if (typeof value === 'string') return EXECUTION_ARN.test(value) || ISO_TIME.test(value) ? { $type: 'string' } : value;
  if (Array.isArray(value)) return value.map(expectedOutput);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expectedOutput(v)]));
  return value;
}

/** A Step Functions ARN anywhere in a string (`$$.Execution.Id`, `$$.StateMachine.Id`, a Map Run): a local run has its own. */
const STATES_ARN = /arn:aws[\w-]*:states:[\w-]+:\d{12}:(?:execution|express|mapRun|stateMachine):/;

function stringsIn(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

/**
 * What in a recorded payload only that execution could have (from the `$$`
 * context: its ARN, its name, timestamps), so a local call's payload can never
 * equal it — or undefined. Strings the replay itself feeds in (the execution
 * input, injected results) recur locally and are not suspects.
 */
function executionBound(value: unknown, reproduced: Set<string>, execName: string | undefined): string | undefined {
  for (const v of stringsIn(value, new Set())) {
    if (reproduced.has(v)) continue;
    const shown = JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}…` : v);
    if (STATES_ARN.test(v)) return `it holds ${shown}, an ARN of that execution or state machine`;
    if (ISO_TIME.test(v)) return `it holds ${shown}, a timestamp of that execution`;
    if (execName !== undefined && v === execName) return `it holds ${shown}, the execution's name`;
  }
  return undefined;
}

/**
 * The Lambda calls of Distributed Map child executions, all concurrent (items
 * run in no fixed order), numbered after the parent's calls made before its
 * first Map Run; the parent's later calls of a function the children also
 * call are renumbered to count theirs, as the local Lambda service will.
 */
function withChildCalls(parent: Outcome[], parentEvents: HistoryEvent[], children: NonNullable<ReplayInput['children']>): { outcomes: Outcome[]; shared: Map<string, number> } {
  const mapRunStarted = parentEvents.filter((e) => e.type === 'MapRunStarted').map((e) => e.id);
  if (children.length === 0 || mapRunStarted.length === 0) return { outcomes: parent, shared: new Map() };
  const firstRun = Math.min(...mapRunStarted);
  const before = new Map<string, number>();
  for (const o of parent) if (o.scheduledEventId < firstRun) before.set(o.fn, Math.max(before.get(o.fn) ?? 0, o.call));
  const childCalls = new Map<string, number>();
  const fromChildren: Outcome[] = [];
  for (const child of children) {
    for (const o of lambdaOutcomes(normalizeEvents(child.events))) {
      const n = (childCalls.get(o.fn) ?? 0) + 1;
      childCalls.set(o.fn, n);
      fromChildren.push({ ...o, call: (before.get(o.fn) ?? 0) + n, concurrent: true, child: child.source });
    }
  }
  const shared = new Map<string, number>();
  const after = parent.map((o) => {
    const k = o.scheduledEventId > firstRun ? childCalls.get(o.fn) : undefined;
    if (k === undefined) return o;
    shared.set(o.fn, k);
    return { ...o, call: o.call + k };
  });
  return { outcomes: [...after.filter((o) => o.scheduledEventId < firstRun), ...fromChildren, ...after.filter((o) => o.scheduledEventId > firstRun)], shared };
}

/** Names of the Map states that started a Map Run (Distributed mode) in a history. */
function distributedMapStates(events: HistoryEvent[]): string[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const names = new Set<string>();
  for (const run of events.filter((e) => e.type === 'MapRunStarted')) {
    let cur: HistoryEvent | undefined = run;
    while (cur && cur.type !== 'MapStateEntered') cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    const name = cur ? detailsOf(cur)?.name : undefined;
    names.add(typeof name === 'string' ? name : '(unnamed)');
  }
  return [...names];
}

/**
 * What a replay is called: the execution, and how it is replayed — so the
 * exact replay and the `--real-lambdas` one of the same incident (the recipe
 * in docs/scenarios.md) can sit side by side in one folder.
 */
export function replayName(execName: string, realLambdas: boolean, definitionPath?: string): string {
  const how = [realLambdas ? "with today's handlers" : '', definitionPath ? `on ${definitionPath}` : ''].filter(Boolean).join(', ');
  return `replay of ${execName}${how ? ` ${how}` : ''}`;
}

export function historyToScenario(input: ReplayInput): { scenario: ScenarioInput; yaml: string } {
  const events = normalizeEvents(input.events);
  if (events.length === 0) throw new RehearseError('ERR_BAD_INPUT', 'the history has no events');
  const started = events.find((e) => e.type === 'ExecutionStarted');
  const startDetails = started ? detailsOf(started) : undefined;
  const inputText = input.execution?.input ?? (typeof startDetails?.input === 'string' ? startDetails.input : '{}');
  let parsedInput: unknown;
  try {
    parsedInput = JSON.parse(inputText);
  } catch {
    throw new RehearseError('ERR_BAD_INPUT', 'the execution input is not JSON (was the history fetched with --include-execution-data?)');
  }
  const stateMachineArn = input.execution?.stateMachineArn ?? (typeof startDetails?.stateMachineArn === 'string' ? startDetails.stateMachineArn : undefined);
  const workflow = stateMachineArn?.split(':').pop();
  const knownName = input.execution?.name ?? input.execution?.executionArn?.split(':').pop();
  const execName = knownName ?? 'execution';
  if (!workflow && !input.definitionPath)
    throw new RehearseError('ERR_BAD_INPUT', 'cannot tell which state machine ran: pass the describe-execution output (--execution FILE) or --definition FILE');

  const index = indexHistory(events);
  const last = [...events].sort((a, b) => b.id - a.id)[0]!;
  const terminal: Record<string, string> = {
    ExecutionSucceeded: 'SUCCEEDED',
    ExecutionFailed: 'FAILED',
    ExecutionTimedOut: 'TIMED_OUT',
    ExecutionAborted: 'ABORTED',
  };
  const status = input.execution?.status ?? terminal[last.type];
  const lastDetails = detailsOf(last);
  const error = input.execution?.error ?? (typeof lastDetails?.error === 'string' ? lastDetails.error : undefined);

  // States inside a Map/Parallel are left out of the path and attempts: which item or branch
  // enters one first differs between runs; the injected outcomes and the output pin those down.
  const inside = concurrentEventIds([...events].sort((a, b) => a.id - b.id));
  const sequential = index.entries.filter((e) => !inside.has(e.enteredEventId));
  let path = sequential.map((e) => e.name);
  if (input.topLevelStates) path = path.filter((s) => input.topLevelStates!.includes(s));
  path = path.filter((s, i) => path.indexOf(s) === i);

  const states: Record<string, { attempts: number }> = {};
  for (const [name, entries] of index.entriesByName) {
    if (inside.has(entries[0]!.enteredEventId)) continue;
    const a = attemptsOf(entries[0]!);
    if (a.count > 1) states[name] = { attempts: a.count };
  }
  const realLambdas = input.realLambdas ?? false;
  const children = input.children ?? [];
  const { outcomes, shared } = withChildCalls(lambdaOutcomes(events), events, children);
  const reproduced = stringsIn(parsedInput, new Set());
  if (!realLambdas) for (const o of outcomes) if (o.fault && 'return' in o.fault) stringsIn(o.fault.return, reproduced);
  // A child's call that cannot be matched by payload has no call number to fall back on
  // (the children's calls interleave in any order): it runs the real function instead.
  const unmatched = new Set<Keyed>();
  const keyed = keyCalls(outcomes, (payload) => executionBound(payload, reproduced, knownName)).map((o): Keyed => {
    if (o.child === undefined || o.positional === undefined) return o;
    const { fault: _fault, positional, ...rest } = o;
    if (!isInjected(o, realLambdas)) return rest;
    const dropped = { ...rest, noResult: `its payload cannot be matched locally: ${positional}` };
    unmatched.add(dropped);
    return dropped;
  });
  const faults = faultsFrom(keyed, realLambdas);
  // The recorded output is only expected when every call answers as recorded.
  const outputText = input.execution?.output ?? (last.type === 'ExecutionSucceeded' && typeof lastDetails?.output === 'string' ? lastDetails.output : undefined);
  let output: unknown;
  if (!realLambdas && status === 'SUCCEEDED' && outputText !== undefined) {
    try {
      output = expectedOutput(JSON.parse(outputText));
    } catch {
      /* not JSON: no output expectation */
    }
  }
  const unreplayed = keyed.filter((o) => o.noResult !== undefined && (!realLambdas || unmatched.has(o)));
  const scenario: ScenarioInput = {
    name: input.name ?? replayName(execName, realLambdas, input.definitionPath),
    description: realLambdas
      ? `Reproduces ${input.execution?.executionArn ?? execName} against today's functions: same input; each recorded Lambda failure injected at the same invocation number (in a Map, Parallel or Distributed Map child: for the same payload); the calls that succeeded run the real handlers.`
      : `Reproduces ${input.execution?.executionArn ?? execName} exactly: same input; each Lambda call's recorded result or error injected at the same invocation number (in a Map, Parallel or Distributed Map child: for the same payload), so no handler decides the path. \`rehearse replay --real-lambdas\` injects only the errors.`,
    ...(input.definitionPath ? { definition: input.definitionPath, ...(workflow ? { workflow } : {}) } : { workflow: workflow! }),
    ...(faults.length ? { given: { faults } } : {}),
    when: [{ start: { input: parsedInput, as: 'replayed' } }, { await: { execution: 'replayed' } }],
    then: {
      execution: {
        of: 'replayed',
        ...(status && status !== 'RUNNING' ? { status: status as 'SUCCEEDED' } : {}),
        ...(error ? { error } : {}),
        ...(output !== undefined ? { output } : {}),
      },
      ...(path.length ? { path } : {}),
      ...(Object.keys(states).length ? { states } : {}),
    },
  };
  // Only calls something is injected into: the others run the real function whatever their order.
  const positional = keyed.filter((o) => o.positional !== undefined && isInjected(o, realLambdas));
  const unrecordedChildren = children.length === 0 ? distributedMapStates(events) : [];
  const notes =
    unrecordedChildren
      .map((name) => `# Distributed Map ${name} ran its items as child executions, whose Lambda calls are not in this history: they run the real functions (pass their histories with --children DIR).\n`)
      .join('') +
    [...shared].map(([fn, k]) => `# ${fn} is called by the parent and by the Distributed Map's children: the parent's later calls are numbered after the ${k} child call(s) given, so every child's history must be given.\n`).join('') +
    unreplayed.map((o) => `# ${o.child !== undefined ? `A call of ${o.fn} in child execution ${o.child}` : `Call ${o.call} of ${o.fn}`} runs the real function: ${o.noResult}.\n`).join('') +
    positional
      .map((o) => `# Call ${o.call} of ${o.fn} (in a Map or Parallel) is injected by call number, not payload — ${o.positional} — so it may land on another item if the local order differs.\n`)
      .join('');
  const yaml = `${input.schemaComment ?? SCHEMA_COMMENT}\n# Generated by \`rehearse replay\` from ${execName}. Edit freely.\n${notes}${stringify(scenario, { lineWidth: 120 })}`;
  return { scenario, yaml };
}

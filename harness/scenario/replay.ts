/**
 * Turns a real execution (`aws stepfunctions get-execution-history` output,
 * optionally with `describe-execution` output) into a scenario that reproduces
 * it: the same input, and each Lambda call's recorded outcome injected at the
 * same invocation number — its error as a `throw`/`timeout` fault, its result
 * as a `return` fault — so the replayed execution takes the recorded path
 * exactly, whatever the local handlers would do today. With `realLambdas`,
 * only the errors are injected and the successful calls run the real
 * handlers: "does today's code still fail this way?".
 */
import { stringify } from 'yaml';
import { RehearseError } from '../core/index.ts';
import type { HistoryEvent } from '../asl/api.ts';
import { attemptsOf, detailsOf, indexHistory, pathTaken } from './history.ts';
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
  /** The `events` array of get-execution-history (timestamps as ISO text or epoch seconds). */
  events: unknown[];
  execution?: DescribeExecutionJson;
  /** Path (as written into the scenario) of the definition file to run instead of a deployed workflow. */
  definitionPath?: string;
  /** Top-level state names of that definition (keeps the expected path to states whose order is deterministic). */
  topLevelStates?: string[];
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
  /** 1-based call number of `fn` in the recorded execution. */
  call: number;
  /** The recorded failure or result; absent while unknown (still running, output not recorded, a callback task). */
  fault?: RecordedAction;
  /** Why a successful call's result cannot be injected (the real function runs for it). */
  noResult?: string;
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
  const calls = new Map<string, number>();
  const outcomes = new Map<number, Outcome & { kind: CallKind }>();
  const ordered: Array<Outcome & { kind: CallKind }> = [];
  const ownerOf = (e: HistoryEvent) => {
    // Walk back to the schedule event this outcome belongs to.
    let cur: HistoryEvent | undefined = e;
    while (cur && !outcomes.has(cur.id)) cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    return cur ? outcomes.get(cur.id) : undefined;
  };
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.type === 'LambdaFunctionScheduled' || e.type === 'TaskScheduled') {
      const fn = functionNameOf(e);
      if (!fn) continue;
      const call = (calls.get(fn) ?? 0) + 1;
      calls.set(fn, call);
      const o = { fn, call, kind: callKindOf(e) };
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
  return ordered.map(({ fn, call, fault, noResult }) => ({ fn, call, ...(fault ? { fault } : {}), ...(noResult !== undefined ? { noResult } : {}) }));
}

/** Groups consecutive invocation numbers with the same fault: `[1, 2]` → `"1-2"`. */
function faultsFrom(outcomes: Outcome[], realLambdas: boolean): NonNullable<NonNullable<ScenarioInput['given']>['faults']> {
  const faults: NonNullable<NonNullable<ScenarioInput['given']>['faults']> = [];
  const byFn = new Map<string, Outcome[]>();
  const injected = (o: Outcome) => o.fault !== undefined && !(realLambdas && 'return' in o.fault);
  for (const o of outcomes) if (injected(o)) byFn.set(o.fn, [...(byFn.get(o.fn) ?? []), o]);
  for (const [fn, list] of byFn) {
    let i = 0;
    while (i < list.length) {
      let j = i;
      const key = JSON.stringify(list[i]!.fault);
      while (j + 1 < list.length && list[j + 1]!.call === list[j]!.call + 1 && JSON.stringify(list[j + 1]!.fault) === key) j++;
      const from = list[i]!.call;
      const to = list[j]!.call;
      faults.push({ function: fn, invocations: from === to ? [from] : `${from}-${to}`, ...list[i]!.fault! });
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
  const execName = input.execution?.name ?? input.execution?.executionArn?.split(':').pop() ?? 'execution';
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

  let path = pathTaken(index);
  if (input.topLevelStates) path = path.filter((s) => input.topLevelStates!.includes(s));
  path = path.filter((s, i) => path.indexOf(s) === i);

  const states: Record<string, { attempts: number }> = {};
  for (const [name, entries] of index.entriesByName) {
    const a = attemptsOf(entries[0]!);
    if (a.count > 1) states[name] = { attempts: a.count };
  }
  const realLambdas = input.realLambdas ?? false;
  const outcomes = lambdaOutcomes(events);
  const faults = faultsFrom(outcomes, realLambdas);
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
  const unreplayed = realLambdas ? [] : outcomes.filter((o) => o.noResult !== undefined);
  const scenario: ScenarioInput = {
    name: `replay of ${execName}`,
    description: realLambdas
      ? `Reproduces ${input.execution?.executionArn ?? execName} against today's functions: same input; each recorded Lambda failure injected at the same invocation number; the calls that succeeded run the real handlers.`
      : `Reproduces ${input.execution?.executionArn ?? execName} exactly: same input; each Lambda call's recorded result or error injected at the same invocation number, so no handler decides the path. \`rehearse replay --real-lambdas\` injects only the errors.`,
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
  const notes = unreplayed.map((o) => `# Call ${o.call} of ${o.fn} runs the real function: ${o.noResult}.\n`).join('');
  const yaml = `${SCHEMA_COMMENT}\n# Generated by \`rehearse replay\` from ${execName}. Edit freely.\n${notes}${stringify(scenario, { lineWidth: 120 })}`;
  return { scenario, yaml };
}

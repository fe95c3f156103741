/**
 * Turns a real execution (`aws stepfunctions get-execution-history` output,
 * optionally with `describe-execution` output) into a scenario that reproduces
 * it: the same input, and each Lambda task's recorded error injected at the
 * same invocation number as a fault — so a production failure replays locally
 * against the real Lambdas, and the recorded end (status, error, path,
 * attempts) becomes the expectation.
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

interface Outcome {
  fn: string;
  call: number;
  fault?: { throw?: { errorType: string; message?: string }; timeout?: true };
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

/** Each Lambda attempt in history order, with its recorded failure. */
export function lambdaOutcomes(events: HistoryEvent[]): Outcome[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const calls = new Map<string, number>();
  const outcomes = new Map<number, Outcome>();
  const ordered: Outcome[] = [];
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    if (e.type === 'LambdaFunctionScheduled' || e.type === 'TaskScheduled') {
      const fn = functionNameOf(e);
      if (!fn) continue;
      const call = (calls.get(fn) ?? 0) + 1;
      calls.set(fn, call);
      const o: Outcome = { fn, call };
      outcomes.set(e.id, o);
      ordered.push(o);
      continue;
    }
    const failed = /^(LambdaFunction|Task)(Failed|TimedOut|StartFailed)$/.test(e.type);
    if (!failed) continue;
    // Walk back to the schedule event this failure belongs to.
    let cur: HistoryEvent | undefined = e;
    while (cur && !outcomes.has(cur.id)) cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    const o = cur ? outcomes.get(cur.id) : undefined;
    if (!o) continue;
    const d = detailsOf(e);
    const error = typeof d?.error === 'string' ? d.error : 'States.TaskFailed';
    if (e.type.endsWith('TimedOut') || error === 'States.Timeout' || error === 'Sandbox.Timedout') o.fault = { timeout: true };
    else {
      const message = causeMessage(d?.cause);
      o.fault = { throw: { errorType: error, ...(message !== undefined ? { message } : {}) } };
    }
  }
  return ordered;
}

/** Groups consecutive invocation numbers with the same fault: `[1, 2]` → `"1-2"`. */
function faultsFrom(outcomes: Outcome[]): NonNullable<NonNullable<ScenarioInput['given']>['faults']> {
  const faults: NonNullable<NonNullable<ScenarioInput['given']>['faults']> = [];
  const byFn = new Map<string, Outcome[]>();
  for (const o of outcomes) if (o.fault) byFn.set(o.fn, [...(byFn.get(o.fn) ?? []), o]);
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
  const faults = faultsFrom(lambdaOutcomes(events));
  const scenario: ScenarioInput = {
    name: `replay of ${execName}`,
    description: `Reproduces ${input.execution?.executionArn ?? execName}: same input; each recorded Lambda failure injected at the same invocation number; successful tasks run the real functions.`,
    ...(input.definitionPath ? { definition: input.definitionPath, ...(workflow ? { workflow } : {}) } : { workflow: workflow! }),
    ...(faults.length ? { given: { faults } } : {}),
    when: [{ start: { input: parsedInput, as: 'replayed' } }, { await: { execution: 'replayed' } }],
    then: {
      execution: {
        of: 'replayed',
        ...(status && status !== 'RUNNING' ? { status: status as 'SUCCEEDED' } : {}),
        ...(error ? { error } : {}),
      },
      ...(path.length ? { path } : {}),
      ...(Object.keys(states).length ? { states } : {}),
    },
  };
  const yaml = `${SCHEMA_COMMENT}\n# Generated by \`rehearse replay\` from ${execName}. Edit freely.\n${stringify(scenario, { lineWidth: 120 })}`;
  return { scenario, yaml };
}

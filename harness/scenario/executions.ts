/**
 * Finding and following executions through the Step Functions API only:
 * state machines by name, new executions after an upload, history pages,
 * waiting for a state or a status (wall-clock polling; the endpoint's own clock
 * may be virtual).
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type HistoryEvent as SdkHistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { REAL_CLOCK } from '../core/index.ts';
import type { HistoryEvent } from '../asl/api.ts';
import type { ControlApi } from './control.ts';
import type { ExecutionRecord } from './results.ts';
import { parseMaybeJson } from './value-match.ts';

export interface TrackedExecution {
  alias?: string;
  executionArn: string;
  name: string;
  stateMachineArn: string;
  workflow: string;
}

export async function listStateMachines(sfn: SFNClient): Promise<Array<{ name: string; arn: string }>> {
  const out: Array<{ name: string; arn: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
    for (const m of page.stateMachines ?? []) if (m.name && m.stateMachineArn) out.push({ name: m.name, arn: m.stateMachineArn });
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Every execution of every state machine, oldest first. */
export async function listAllExecutions(sfn: SFNClient): Promise<Array<TrackedExecution & { startDate: number }>> {
  const machines = await listStateMachines(sfn);
  const out: Array<TrackedExecution & { startDate: number }> = [];
  for (const m of machines) {
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: m.arn, nextToken, maxResults: 1000 }));
      for (const e of page.executions ?? []) {
        if (!e.executionArn || !e.name) continue;
        out.push({ executionArn: e.executionArn, name: e.name, stateMachineArn: m.arn, workflow: m.name, startDate: e.startDate?.getTime() ?? 0 });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return out.sort((a, b) => a.startDate - b.startDate || a.name.localeCompare(b.name));
}

function toMs(d: unknown): number {
  if (d instanceof Date) return d.getTime();
  if (typeof d === 'number') return d < 1e11 ? d * 1000 : d;
  return 0;
}

/** SDK history events (Date timestamps, undefined fields) → the engine's HistoryEvent shape. */
export function fromSdkEvent(e: SdkHistoryEvent): HistoryEvent {
  const out: HistoryEvent = { timestamp: toMs(e.timestamp), type: String(e.type), id: e.id ?? 0, previousEventId: e.previousEventId ?? 0 };
  for (const [k, v] of Object.entries(e)) {
    if (k.endsWith('EventDetails') && v !== undefined) out[k] = JSON.parse(JSON.stringify(v)) as unknown;
  }
  return out;
}

export async function getHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000, includeExecutionData: true }));
    for (const e of page.events ?? []) out.push(fromSdkEvent(e));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export async function describe(sfn: SFNClient, executionArn: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/** Everything the report and the checks need about one execution. */
export async function recordExecution(sfn: SFNClient, t: TrackedExecution, withDefinition: boolean): Promise<ExecutionRecord> {
  const d = await describe(sfn, t.executionArn);
  const history = await getHistory(sfn, t.executionArn);
  let definition: string | undefined;
  if (withDefinition) {
    try {
      definition = (await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: t.executionArn }))).definition;
    } catch {
      definition = undefined;
    }
  }
  return {
    ...(t.alias ? { alias: t.alias } : {}),
    name: t.name,
    executionArn: t.executionArn,
    stateMachineArn: t.stateMachineArn,
    workflow: t.workflow,
    status: String(d.status),
    input: parseMaybeJson(d.input),
    ...(d.output !== undefined ? { output: parseMaybeJson(d.output) } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
    startDate: toMs(d.startDate),
    ...(d.stopDate ? { stopDate: toMs(d.stopDate) } : {}),
    history,
    ...(definition ? { definition } : {}),
  };
}

/** Where a poll can wait for a change instead of a timer: the control API's change feed and the topics it cares about. */
export interface ChangeSource {
  control: ControlApi;
  topics: readonly string[];
}

/**
 * A wait between probes that hears no change (a change the endpoint does not
 * signal, such as a message deleted after the invocation that took it) costs
 * at most this long.
 */
const CHANGE_WAIT_MS = 100;

/** The change feed of a run's endpoint for these topics, when it has a control API. */
export function changesOf(control: ControlApi | undefined, topics: readonly string[]): ChangeSource | undefined {
  return control ? { control, topics } : undefined;
}

export { executionTopic } from '../emulator/changes.ts';

/**
 * Probes until `probe` returns a value; throws the `onTimeout` error after
 * `timeoutMs` (wall clock). Between probes it waits for a change under
 * `changes.topics` on the endpoint's change feed (GET /_rehearse/changes: the
 * execution's history grew, something was observed…), so it probes again as
 * soon as there is something new and not before; without a feed (a backend
 * with no control API, or one without that route) it backs off 2 ms → 50 ms.
 */
export async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  onTimeout: () => Promise<Error> | Error,
  signal?: AbortSignal,
  changes?: ChangeSource,
): Promise<T> {
  const deadline = REAL_CLOCK.now() + timeoutMs;
  // The change number to wait from, asked alongside the first probe (a probe that finds what it
  // wants pays no wait for it); a change the endpoint counts before this answer but after the probe
  // read costs the next wait at most CHANGE_WAIT_MS. Undefined without a feed, or once it failed.
  let first = changes?.control.changes(undefined, changes.topics, 0, signal).catch(() => undefined);
  let seq: number | undefined;
  let delay = 2;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    const left = deadline - REAL_CLOCK.now();
    if (left < 0) throw await onTimeout();
    if (first) {
      seq = await first;
      first = undefined;
    }
    if (changes && seq !== undefined) {
      seq = await changes.control.changes(seq, changes.topics, Math.min(CHANGE_WAIT_MS, left), signal).catch(() => undefined);
      if (signal?.aborted) throw signal.reason;
      if (seq !== undefined) continue;
    }
    await REAL_CLOCK.sleep(delay, signal);
    delay = Math.min(50, delay * 2);
  }
}

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

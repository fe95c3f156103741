/**
 * Reading an execution history (AWS GetExecutionHistory events): which state
 * each event belongs to, the path taken, entries, attempts and retry delays.
 * Pure functions over `HistoryEvent[]` (timestamps in epoch ms).
 *
 * Attribution follows `previousEventId` back to the nearest `*StateEntered`
 * event — AWS links each event to the one that caused it, which keeps events of
 * parallel branches and Map iterations apart.
 */
import type { HistoryEvent } from '../asl/api.ts';

export type { HistoryEvent };

/** Events after which a task attempt has failed (Retry may schedule another). */
export const ATTEMPT_FAILED = new Set([
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
]);
/** Events that start an attempt. */
export const ATTEMPT_SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);

export function isStateEntered(e: HistoryEvent): boolean {
  return e.type.endsWith('StateEntered');
}
export function isStateExited(e: HistoryEvent): boolean {
  return e.type.endsWith('StateExited');
}

/** The `…EventDetails` object of an event, if any. */
export function detailsOf(e: HistoryEvent): Record<string, unknown> | undefined {
  for (const [k, v] of Object.entries(e)) {
    if (k.endsWith('EventDetails') && v && typeof v === 'object') return v as Record<string, unknown>;
  }
  return undefined;
}

export function eventError(e: HistoryEvent): { error?: string; cause?: string } {
  const d = detailsOf(e);
  const out: { error?: string; cause?: string } = {};
  if (typeof d?.error === 'string') out.error = d.error;
  if (typeof d?.cause === 'string') out.cause = d.cause;
  return out;
}

export interface StateEntry {
  name: string;
  enteredEventId: number;
  enteredAt: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  /** Events attributed to this entry (the entered event first). */
  events: HistoryEvent[];
}

export interface HistoryIndex {
  events: HistoryEvent[];
  byId: Map<number, HistoryEvent>;
  /** Event id → the StateEntered event id it belongs to. */
  owner: Map<number, number>;
  entries: StateEntry[];
  entriesByName: Map<string, StateEntry[]>;
  startedAt: number;
}

/** Events of a Parallel or Map state itself (its start and end, a Map's iterations and runs), by state type. */
const CONTAINER_EVENT = /^(Parallel|Map)(?:State(?:Started|Succeeded|Failed|Aborted)|Iteration(?:Started|Succeeded|Failed|Aborted)|Run(?:Started|Succeeded|Failed|Aborted|Redriven))$/;
const CONTAINER_DONE = /^(Parallel|Map)State(Succeeded|Failed|Aborted)$/;

export function indexHistory(events: readonly HistoryEvent[]): HistoryIndex {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const byId = new Map(sorted.map((e) => [e.id, e]));
  const owner = new Map<number, number>();
  const entries: StateEntry[] = [];
  const entryById = new Map<number, StateEntry>();
  let lastEntered: number | undefined;

  const findOwner = (e: HistoryEvent): number | undefined => {
    if (isStateEntered(e)) return e.id;
    const seen: number[] = [];
    let cur: HistoryEvent | undefined = e;
    while (cur) {
      const known = owner.get(cur.id);
      if (known !== undefined) {
        seen.forEach((id) => owner.set(id, known));
        return known;
      }
      if (isStateEntered(cur)) {
        seen.forEach((id) => owner.set(id, cur!.id));
        return cur.id;
      }
      seen.push(cur.id);
      cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    }
    return undefined;
  };

  /**
   * A Parallel's or Map's own events (ParallelStateFailed, MapIterationStarted…)
   * follow, by previousEventId, the branch or iteration that caused them: they
   * belong to the Parallel or Map state, not to the state inside it the chain
   * passes first. Walking back, a nested container's own events are skipped
   * with their entry.
   */
  const containerOwner = (e: HistoryEvent): number | undefined => {
    const family = CONTAINER_EVENT.exec(e.type)?.[1];
    if (!family) return undefined;
    let nested = 0;
    let cur = e.previousEventId ? byId.get(e.previousEventId) : undefined;
    while (cur) {
      if (cur.type === `${family}StateEntered`) {
        if (nested === 0) return cur.id;
        nested--;
      } else if (CONTAINER_DONE.test(cur.type) && cur.type.startsWith(family)) nested++;
      cur = cur.previousEventId ? byId.get(cur.previousEventId) : undefined;
    }
    // No chain back to it: the latest entry of that state type still open.
    return [...entries].reverse().find((x) => x.exitedAt === undefined && x.events[0]?.type === `${family}StateEntered`)?.enteredEventId;
  };

  for (const e of sorted) {
    const d = detailsOf(e);
    if (isStateEntered(e)) {
      const entry: StateEntry = {
        name: String(d?.name ?? '?'),
        enteredEventId: e.id,
        enteredAt: e.timestamp,
        events: [e],
        ...(typeof d?.input === 'string' ? { input: d.input } : {}),
      };
      entries.push(entry);
      entryById.set(e.id, entry);
      owner.set(e.id, e.id);
      lastEntered = e.id;
      continue;
    }
    let own: number | undefined;
    if (isStateExited(e)) {
      // The exit names its state: pick the latest open entry of that name on the causal chain, else the latest of that name.
      const name = String(d?.name ?? '');
      own = findOwner(e);
      if (own === undefined || entryById.get(own)?.name !== name) {
        const candidates = entries.filter((x) => x.name === name && x.exitedAt === undefined);
        own = candidates[candidates.length - 1]?.enteredEventId ?? own;
      }
      const entry = own !== undefined ? entryById.get(own) : undefined;
      if (entry) {
        entry.exitedAt = e.timestamp;
        if (typeof d?.output === 'string') entry.output = d.output;
      }
    } else {
      own = containerOwner(e) ?? findOwner(e) ?? (e.previousEventId === 0 ? undefined : lastEntered);
    }
    if (own !== undefined) {
      owner.set(e.id, own);
      entryById.get(own)?.events.push(e);
    }
  }
  const entriesByName = new Map<string, StateEntry[]>();
  for (const entry of entries) {
    const list = entriesByName.get(entry.name) ?? [];
    list.push(entry);
    entriesByName.set(entry.name, list);
  }
  return { events: sorted, byId, owner, entries, entriesByName, startedAt: sorted[0]?.timestamp ?? 0 };
}

/** State names in the order they were entered. */
export function pathTaken(index: HistoryIndex): string[] {
  return index.entries.map((e) => e.name);
}

/** The state an event belongs to, if any. */
export function stateOf(index: HistoryIndex, e: HistoryEvent): string | undefined {
  const own = index.owner.get(e.id);
  if (own === undefined) return undefined;
  const entered = index.byId.get(own);
  const d = entered ? detailsOf(entered) : undefined;
  return typeof d?.name === 'string' ? d.name : undefined;
}

export interface Attempts {
  count: number;
  /** Seconds from each failed attempt to the next attempt. */
  retryDelaysSeconds: number[];
  /** Error names of the failed attempts, in order. */
  errors: string[];
  /** Event ids of each attempt's schedule event. */
  scheduledEventIds: number[];
}

/** Attempts of one state entry: scheduled events, failures between them, and the delays. */
export function attemptsOf(entry: StateEntry): Attempts {
  const scheduled = entry.events.filter((e) => ATTEMPT_SCHEDULED.has(e.type));
  const failures = entry.events.filter((e) => ATTEMPT_FAILED.has(e.type));
  const delays: number[] = [];
  for (let i = 1; i < scheduled.length; i++) {
    const next = scheduled[i]!;
    const before = failures.filter((f) => f.id < next.id).pop();
    if (before) delays.push(round3((next.timestamp - before.timestamp) / 1000));
  }
  return {
    count: scheduled.length,
    retryDelaysSeconds: delays,
    errors: failures.map((f) => eventError(f).error ?? f.type),
    scheduledEventIds: scheduled.map((e) => e.id),
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The task token a `.waitForTaskToken` state handed out, read from its schedule event's parameters. */
export function taskTokenOf(entry: StateEntry): string | undefined {
  // The latest attempt's token wins (a retried callback task hands out a new one).
  const scheduled = entry.events.filter((e) => ATTEMPT_SCHEDULED.has(e.type)).reverse();
  for (const e of scheduled) {
    const d = detailsOf(e);
    const raw = d?.parameters ?? d?.input;
    let params: unknown = raw;
    if (typeof raw === 'string') {
      try {
        params = JSON.parse(raw) as unknown;
      } catch {
        continue;
      }
    }
    const token = findToken(params);
    if (token) return token;
  }
  return undefined;
}

/** A string under a key named like a token (TaskToken, taskToken, token…), searched depth-first; nested JSON strings too. */
function findToken(v: unknown, depth = 0): string | undefined {
  if (depth > 8 || v === null || typeof v !== 'object') return undefined;
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
  for (const [k, x] of entries) if (/token/i.test(k) && typeof x === 'string' && x.length >= 16) return x;
  for (const [, x] of entries) {
    if (typeof x === 'string' && x.startsWith('{')) {
      try {
        const t = findToken(JSON.parse(x) as unknown, depth + 1);
        if (t) return t;
      } catch {
        /* not JSON */
      }
    }
    const t = findToken(x, depth + 1);
    if (t) return t;
  }
  return undefined;
}

/** Index (in `events`) of the events matching `expected` in order, or the position where matching stopped. */
export function findSubsequence<T>(
  events: readonly HistoryEvent[],
  expected: readonly T[],
  matches: (want: T, e: HistoryEvent) => boolean,
): { matched: number[]; failedAt?: number } {
  const matched: number[] = [];
  let from = 0;
  for (let i = 0; i < expected.length; i++) {
    let found = -1;
    for (let j = from; j < events.length; j++) {
      if (matches(expected[i]!, events[j]!)) {
        found = j;
        break;
      }
    }
    if (found < 0) return { matched, failedAt: i };
    matched.push(found);
    from = found + 1;
  }
  return { matched };
}

/** Whether `want` appears in `path` in order (a subsequence); returns the first element that could not be placed. */
export function pathSubsequence(path: readonly string[], want: readonly string[]): { ok: boolean; missingIndex?: number } {
  let from = 0;
  for (let i = 0; i < want.length; i++) {
    const at = path.indexOf(want[i]!, from);
    if (at < 0) return { ok: false, missingIndex: i };
    from = at + 1;
  }
  return { ok: true };
}

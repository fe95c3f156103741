/**
 * Counts, from execution histories, what a definition's coverable items
 * (model.ts) were exercised: states entered, transitions taken, retriers
 * fired, Parallel branches and Map iterations run.
 *
 * A transition is read from the causal chain (`previousEventId`) that leads
 * to a `…StateEntered` event: back to the `…StateExited` of the state it came
 * from (a failure event just before that exit means a Catch took it), or to
 * the entry of a state that failed without exiting (caught, too), or to the
 * entry of the Parallel/Map it starts a branch or iteration of. Which rule or
 * catcher it was follows Step Functions' order: the first Choice rule naming
 * that state (history does not record which rule matched; two rules with the
 * same `Next` count as the first), the first catcher whose ErrorEquals
 * matches the error. A retry is a task attempt scheduled again within one
 * state entry (or a Parallel's or Map's run started again), credited to the first retrier whose ErrorEquals matches the
 * failed attempt's error — the one Step Functions uses
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */
import { errorMatches } from '../../asl/errors-matching.ts';
import { ATTEMPT_FAILED, ATTEMPT_SCHEDULED, detailsOf, eventError, indexHistory, isStateEntered, isStateExited, stateOf, type HistoryEvent, type HistoryIndex } from '../../scenario/history.ts';
import type { CoverableTransition, CoverageModel } from './model.ts';

export interface Hits {
  executions: number;
  /** By state path. */
  states: Map<string, number>;
  /** By transition id. */
  transitions: Map<string, number>;
  /** By retrier id. */
  retriers: Map<string, number>;
  /** By `containerPath#branchIndex`. */
  branches: Map<string, number>;
  /** Map iterations started, by the Map state's path. */
  iterations: Map<string, number>;
}

export function emptyHits(): Hits {
  return { executions: 0, states: new Map(), transitions: new Map(), retriers: new Map(), branches: new Map(), iterations: new Map() };
}

const bump = (m: Map<string, number>, key: string, by = 1) => m.set(key, (m.get(key) ?? 0) + by);

/** Events that end a state in error (a task attempt, or a Parallel/Map as a whole). */
function isFailure(e: HistoryEvent): boolean {
  return ATTEMPT_FAILED.has(e.type) || /^(Parallel|Map)StateFailed$|^(Parallel|Map)StateAborted$/.test(e.type);
}

/** The error a failure carries: its own, else the nearest one before it on the causal chain (a ParallelStateFailed names none). */
function errorBefore(e: HistoryEvent, byId: Map<number, HistoryEvent>): string | undefined {
  for (let cur: HistoryEvent | undefined = e, n = 0; cur && n < 10_000; cur = byId.get(cur.previousEventId), n++) {
    const err = eventError(cur).error;
    if (err !== undefined) return err;
    if (isStateEntered(cur)) return undefined;
  }
  return undefined;
}

const nameOf = (e: HistoryEvent): string => String(detailsOf(e)?.name ?? '');

const CONTAINER_STARTED = /^(?:Parallel|Map)StateStarted$/;
const CONTAINER_FAILED = /^(?:Parallel|Map)StateFailed$/;

/** A Parallel's, Map's or iteration's start: a state reached through one begins its branch or iteration. */
const SCOPE_START = /^(?:ParallelState|MapState|MapIteration|MapRun)Started$/;

/** Where the state entered at `entered` came from: a state (and the error, when a Catch took it), or nothing (StartAt of a machine, branch or iteration). */
function cameFrom(entered: HistoryEvent, index: HistoryIndex): { state: string; error?: string } | undefined {
  const { byId } = index;
  for (let cur = byId.get(entered.previousEventId), n = 0; cur && n < 10_000; cur = byId.get(cur.previousEventId), n++) {
    if (isStateExited(cur)) {
      const before = byId.get(cur.previousEventId);
      const error = before && isFailure(before) ? (errorBefore(before, byId) ?? before.type) : undefined;
      return { state: nameOf(cur), ...(error !== undefined ? { error } : {}) };
    }
    // A state that failed and was caught without an exit event: the failure's own state (a ParallelStateFailed is the Parallel's, not its branch's).
    if (isFailure(cur)) {
      const state = stateOf(index, cur);
      return state === undefined ? undefined : { state, error: errorBefore(cur, byId) ?? cur.type };
    }
    if (isStateEntered(cur) || SCOPE_START.test(cur.type)) return undefined;
  }
  return undefined;
}

function pickTransition(candidates: CoverableTransition[], error: string | undefined): CoverableTransition | undefined {
  if (error !== undefined) {
    const catches = candidates.filter((t) => t.kind === 'catch');
    return catches.find((t) => errorMatches(t.errorEquals ?? [], error, false)) ?? catches[0] ?? candidates[0];
  }
  const plain = candidates.filter((t) => t.kind !== 'catch');
  // Choice rules are tried in order and Default only when none matches: the first rule naming the state stands for it.
  return plain.find((t) => t.kind === 'choice') ?? plain[0] ?? candidates[0];
}

/** A model's lookups by name, built once per model however many executions it counts. */
interface ModelIndex {
  byName: Map<string, CoverageModel['states'][number]>;
  outgoing: Map<string, CoverableTransition[]>;
  /** A branch's or item processor's StartAt → `containerPath#branchIndex`. */
  branchOf: Map<string, string>;
  /** A Map state's name → its path. */
  mapPath: Map<string, string>;
  retriersOf: Map<string, CoverageModel['retriers']>;
}

const indexes = new WeakMap<CoverageModel, ModelIndex>();

function modelIndex(model: CoverageModel): ModelIndex {
  let index = indexes.get(model);
  if (index) return index;
  const group = <T>(items: T[], key: (t: T) => string) => {
    const out = new Map<string, T[]>();
    for (const t of items) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
    return out;
  };
  const branchOf = new Map<string, string>();
  for (const c of model.containers) for (const b of c.branches) branchOf.set(b.startAt, `${c.path}#${b.index}`);
  index = {
    byName: new Map(model.states.map((s) => [s.name, s])),
    outgoing: group(model.transitions, (t) => t.fromName),
    branchOf,
    mapPath: new Map(model.containers.filter((c) => c.type === 'Map').map((c) => [c.name, c.path])),
    retriersOf: group(model.retriers, (r) => r.stateName),
  };
  indexes.set(model, index);
  return index;
}

/** Adds one execution's history to `hits`. Events of states the model does not know (another definition's) are ignored. */
export function addExecution(model: CoverageModel, history: readonly HistoryEvent[], hits: Hits): void {
  hits.executions++;
  const { byName, outgoing, branchOf, mapPath, retriersOf } = modelIndex(model);

  const index = indexHistory(history);
  for (const e of index.events) {
    if (e.type === 'MapIterationStarted') {
      const path = mapPath.get(nameOf(e));
      if (path !== undefined) bump(hits.iterations, path);
      continue;
    }
    if (!isStateEntered(e)) continue;
    const state = byName.get(nameOf(e));
    if (!state) continue;
    bump(hits.states, state.path);
    const from = cameFrom(e, index);
    if (!from) {
      const branch = branchOf.get(state.name);
      if (branch !== undefined) bump(hits.branches, branch);
      continue;
    }
    const taken = pickTransition((outgoing.get(from.state) ?? []).filter((t) => t.to === state.name), from.error);
    if (taken) bump(hits.transitions, taken.id);
  }

  // Retries: within one entry, each attempt after a failed one — a task scheduled again, or a Parallel's or Map's run started again.
  if (retriersOf.size === 0) return;
  for (const entry of index.entries) {
    const retriers = retriersOf.get(entry.name);
    if (!retriers) continue;
    const attempts = entry.events.filter((x) => ATTEMPT_SCHEDULED.has(x.type) || CONTAINER_STARTED.test(x.type));
    const failures = entry.events.filter((x) => ATTEMPT_FAILED.has(x.type) || CONTAINER_FAILED.test(x.type));
    for (const next of attempts.slice(1)) {
      // The failure it follows: the event it is linked to (a Parallel's branch task that failed is the branch state's), else the entry's last before it.
      const linked = index.byId.get(next.previousEventId);
      const failed = linked && (ATTEMPT_FAILED.has(linked.type) || CONTAINER_FAILED.test(linked.type)) ? linked : failures.filter((f) => f.id < next.id).pop();
      const error = failed ? (errorBefore(failed, index.byId) ?? failed.type) : undefined;
      const retrier = error !== undefined ? retriers.find((r) => errorMatches(r.errorEquals, error, true)) : undefined;
      if (retrier) bump(hits.retriers, retrier.id);
    }
  }
}

/**
 * Runs one corpus case through the engine on a VirtualClock with the mock
 * Lambda invoker and compares the result with what AWS recorded.
 */
import { createIdSource, VirtualClock } from '../../../harness/core/index.ts';
import { createEngine, type ExecutionSnapshot, type HistoryEvent } from '../../../harness/asl/index.ts';
import type { ConformanceCase } from './cases.ts';
import { diff, normalise, normaliseText, sameSequence, wildcardMatch } from './compare.ts';
import { MockLambdaInvoker } from './mock-invoker.ts';

export interface CaseResult {
  id: string;
  category: string;
  passed: boolean;
  reasons: string[];
  /** The stricter optional check (README step 7): ids, previousEventIds and event details; undefined when not recorded. */
  fullHistoryDiff?: string | null;
  snapshot?: ExecutionSnapshot;
  eventTypes?: string[];
}

const REGION = 'us-east-1';
const ACCOUNT = '111111111111';
/** Wall-clock guard: a case that does not finish (a bug) must not hang the run. */
const WALL_LIMIT_MS = 10_000;

export async function runCase(c: ConformanceCase, seed = 'conformance'): Promise<CaseResult> {
  const reasons: string[] = [];
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
  const ids = createIdSource(`${seed}/${c.id}`);
  const invoker = new MockLambdaInvoker(c.lambda, clock, ids.fork('lambda'));
  const engine = createEngine({ clock, ids, invoker, region: REGION, accountId: ACCOUNT });
  const smName = 'sm';
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${smName}`;
  const name = 'exec';
  const executionArn = c.stateMachineType === 'EXPRESS'
    ? `arn:aws:states:${REGION}:${ACCOUNT}:express:${smName}:${name}:00000000-0000-4000-8000-000000000000`
    : `arn:aws:states:${REGION}:${ACCOUNT}:execution:${smName}:${name}`;
  let snapshot: ExecutionSnapshot;
  let history: readonly HistoryEvent[];
  try {
    const handle = engine.start({
      executionArn,
      stateMachineArn,
      stateMachineName: smName,
      name,
      definition: c.definitionText,
      input: c.inputText,
      type: c.stateMachineType,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/sfn-role`,
    });
    let guard: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      guard = setTimeout(() => resolve('timeout'), WALL_LIMIT_MS);
    });
    const r = await Promise.race([handle.done, timeout]);
    clearTimeout(guard);
    if (r === 'timeout') {
      engine.stop(executionArn, 'Conformance.Timeout', 'wall-clock limit');
      return { id: c.id, category: c.category, passed: false, reasons: [`did not finish within ${WALL_LIMIT_MS} ms wall time`] };
    }
    snapshot = r;
    history = handle.history();
  } catch (e) {
    return { id: c.id, category: c.category, passed: false, reasons: [`start failed: ${(e as Error).message}`] };
  }
  const exp = c.expected;
  if (snapshot.status !== exp.status) reasons.push(`status ${snapshot.status} ≠ ${exp.status}${snapshot.error ? ` (${snapshot.error}: ${snapshot.cause})` : ''}`);
  const wildcardPaths = new Set(exp.placeholders.map((p) => p.path));
  if (exp.status === 'SUCCEEDED' && snapshot.status === 'SUCCEEDED') {
    const actual = normalise(JSON.parse(snapshot.output ?? 'null'));
    const d = diff(actual, exp.output, '$.output', wildcardPaths);
    if (d) reasons.push(`output differs at ${d}: ${JSON.stringify(actual).slice(0, 300)} ≠ ${JSON.stringify(exp.output).slice(0, 300)}`);
  }
  if (exp.status !== 'SUCCEEDED') {
    if ((snapshot.error ?? null) !== exp.error) reasons.push(`error ${snapshot.error} ≠ ${exp.error}`);
    const cause = snapshot.cause === undefined ? null : normaliseText(snapshot.cause);
    if (exp.causeIsParsedJson) {
      let parsed: unknown;
      try {
        parsed = cause === null ? null : JSON.parse(cause);
      } catch {
        parsed = cause;
      }
      const d = diff(parsed, exp.cause, '$.cause', wildcardPaths);
      if (d) reasons.push(`cause differs at ${d}: ${cause}`);
    } else if (exp.cause === null ? cause !== null : cause === null || !wildcardMatch(cause, String(exp.cause))) {
      reasons.push(`cause ${JSON.stringify(cause)} ≠ ${JSON.stringify(exp.cause)}`);
    }
  }
  const eventTypes = history.map((e) => e.type);
  if (exp.historyEventTypes !== null && !sameSequence(eventTypes, exp.historyEventTypes, c.features.concurrentBranches === true)) {
    reasons.push(`events ${eventTypes.join(',')} ≠ ${exp.historyEventTypes.join(',')}`);
  }
  const fullHistoryDiff = exp.history === null || c.features.concurrentBranches ? undefined : compareFullHistory(history, exp.history);
  return { id: c.id, category: c.category, passed: reasons.length === 0, reasons, snapshot, eventTypes, fullHistoryDiff };
}

/** Recorded details hold JSON objects where AWS's text started with `{`. */
export function asRecorded(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith('{')) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asRecorded(x)]));
  }
  return v;
}

const IGNORED_DETAIL_PATHS = new Set(['roleArn']);

/**
 * The stricter check (README step 7): ids, previousEventIds and every event's
 * details after normalising. `normaliseDetails` replaces the default
 * normalisation (the services runner also maps resource names to their tokens).
 */
export function compareFullHistory(
  actual: readonly HistoryEvent[],
  expected: Array<Record<string, unknown>>,
  normaliseDetails: (details: unknown) => unknown = normalise,
  expectedDetails: (details: unknown) => unknown = (d) => d,
): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a.type !== e.type || a.id !== e.id) return `event ${i + 1}: ${a.type}#${a.id} ≠ ${String(e.type)}#${String(e.id)}`;
    if (a.previousEventId !== e.previousEventId) return `event ${a.id} ${a.type}: previousEventId ${a.previousEventId} ≠ ${String(e.previousEventId)}`;
    const key = Object.keys(e).find((k) => k.endsWith('EventDetails'));
    const aKey = Object.keys(a).find((k) => k.endsWith('EventDetails'));
    if (key !== aKey) return `event ${a.id} ${a.type}: details key ${aKey} ≠ ${key}`;
    if (key === undefined) continue;
    const ad = normaliseDetails(asRecorded(a[key])) as Record<string, unknown>;
    const ed = { ...(expectedDetails(e[key]) as Record<string, unknown>) };
    for (const k of IGNORED_DETAIL_PATHS) {
      delete ad[k];
      delete ed[k];
    }
    const d = diff(ad, ed, `$.${key}`);
    if (d) return `event ${a.id} ${a.type}: ${d}: ${JSON.stringify(ad).slice(0, 200)} ≠ ${JSON.stringify(ed).slice(0, 200)}`;
  }
  return null;
}

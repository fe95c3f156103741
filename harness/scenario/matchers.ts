/**
 * The `then` checks: pure functions from collected evidence (executions with
 * their histories, observations, objects) to check results. Every failure says
 * what was expected, what happened, and where in the execution it happened.
 */
import type { ObservationsSnapshot } from '../emulator/observations.ts';
import {
  attemptsOf,
  eventError,
  findSubsequence,
  indexHistory,
  pathSubsequence,
  pathTaken,
  stateOf,
  type HistoryIndex,
} from './history.ts';
import type { CountSpec, TextSpec, ThenSpec } from './schema.ts';
import type { CheckResult, CheckWhere, ExecutionRecord } from './results.ts';
import { brief, isMatcher, matchValue, parseMaybeJson, select } from './value-match.ts';

export interface ObjectEvidence {
  bucket: string;
  key: string;
  exists: boolean;
  bytes?: number;
  contentType?: string;
  image?: { format?: string; width?: number; height?: number };
  /** The body parsed as JSON, when asked for. */
  json?: unknown;
  /** Versions and delete markers of the key (ListObjectVersions), when asked for. */
  versions?: number;
  deleteMarkers?: number;
  /** The current version's tags, when asked for. */
  tags?: Record<string, string>;
}

export interface Evidence {
  /** Every execution of this scenario, in start order. */
  executions: ExecutionRecord[];
  /** `as:` names → execution. */
  aliases: Record<string, ExecutionRecord>;
  /** Undefined when the backend has no observations (those checks are skipped). */
  observations?: ObservationsSnapshot;
  /** `bucket/key` → what was found. */
  objects: Map<string, ObjectEvidence>;
  /** `bucket/prefix` → keys under it. */
  prefixes: Map<string, string[]>;
  /** Secret string values that must not leak. */
  secretValues: string[];
  /** Texts to search for secret values: where → text. */
  leakSources: Array<{ where: string; text: string }>;
  /** Whether the scenario gave secrets (secretsNotLeaked defaults to true then). */
  secretsGiven: boolean;
  /** Tolerance for retry delays, in seconds (virtual time: tiny; real time: larger). */
  delayToleranceSeconds: number;
  /** Why observation checks cannot run, when they cannot. */
  observationsUnavailable?: string;
}

const pass = (id: string, message: string, extra: Partial<CheckResult> = {}): CheckResult => ({ id, status: 'passed', message, ...extra });
const fail = (id: string, message: string, expected: unknown, actual: unknown, where?: CheckWhere): CheckResult => ({
  id,
  status: 'failed',
  message,
  expected,
  actual,
  ...(where ? { where } : {}),
});
const skip = (id: string, message: string): CheckResult => ({ id, status: 'skipped', message });

/** Whether `n` satisfies a count expectation; returns a description of what was expected. */
export function checkCount(spec: CountSpec, n: number): { ok: boolean; expected: string } {
  if (typeof spec === 'number') return { ok: n === spec, expected: `exactly ${spec}` };
  const parts: string[] = [];
  let ok = true;
  if (spec.exactly !== undefined) {
    parts.push(`exactly ${spec.exactly}`);
    ok &&= n === spec.exactly;
  }
  if (spec.atLeast !== undefined) {
    parts.push(`at least ${spec.atLeast}`);
    ok &&= n >= spec.atLeast;
  }
  if (spec.atMost !== undefined) {
    parts.push(`at most ${spec.atMost}`);
    ok &&= n <= spec.atMost;
  }
  return { ok, expected: parts.join(' and ') || 'any' };
}

export function checkText(spec: TextSpec, actual: string | undefined): { ok: boolean; expected: string } {
  if (typeof spec === 'string') return { ok: actual === spec, expected: JSON.stringify(spec) };
  let ok = actual !== undefined;
  const parts: string[] = [];
  if (spec.contains !== undefined) {
    parts.push(`containing ${JSON.stringify(spec.contains)}`);
    ok &&= actual?.includes(spec.contains) ?? false;
  }
  if (spec.matches !== undefined) {
    parts.push(`matching /${spec.matches}/`);
    ok &&= actual !== undefined && new RegExp(spec.matches).test(actual);
  }
  return { ok, expected: `text ${parts.join(' and ')}` };
}

/** Whether an observed function name refers to the function a scenario names. */
export function sameFunction(observed: string, wanted: string): boolean {
  if (observed === wanted) return true;
  const name = observed.includes(':function:') ? observed.split(':function:')[1]!.split(':')[0]! : observed;
  return name === wanted || name.endsWith(`-${wanted}`);
}

function seconds(ms: number, startedAt: number): number {
  return Math.round((ms - startedAt) / 10) / 100;
}

/** The execution `then` talks about: `of: alias`, else the latest started. */
export function targetExecution(ev: Evidence, alias?: string): ExecutionRecord | undefined {
  if (alias !== undefined) return ev.aliases[alias];
  return ev.executions[ev.executions.length - 1];
}

function statusList(s: string | string[]): string[] {
  return Array.isArray(s) ? s : [s];
}

function lastStateOf(index: HistoryIndex): string | undefined {
  return index.entries[index.entries.length - 1]?.name;
}

/** Where an execution ended up: its last state and the failure event, if any. */
export function executionWhere(exec: ExecutionRecord, index = indexHistory(exec.history)): CheckWhere {
  const failed = [...index.events].reverse().find((e) => /Failed$|TimedOut$|Aborted$/.test(e.type));
  const state = failed ? stateOf(index, failed) : lastStateOf(index);
  return {
    execution: exec.alias ?? exec.name,
    ...(state ? { state } : {}),
    ...(failed ? { eventId: failed.id, atSeconds: seconds(failed.timestamp, index.startedAt) } : {}),
  };
}

/** A function's invocations, or only its cold starts, on these observations. */
function invocationsOf(obs: ObservationsSnapshot, fn: string, kind: 'invocations' | 'coldStarts') {
  return obs.invocations.filter((i) => sameFunction(i.functionName, fn) && (kind === 'invocations' || i.coldStart));
}

/**
 * Whether every then.invocations and then.coldStarts count holds on these
 * observations — the runner waits for them alongside the asynchronous
 * deliveries (queues, rule targets), whose consumers run after the steps.
 */
export function invocationsHold(then: ThenSpec, obs: ObservationsSnapshot): boolean {
  return (['invocations', 'coldStarts'] as const).every((kind) => Object.entries(then[kind] ?? {}).every(([fn, spec]) => checkCount(spec, invocationsOf(obs, fn, kind).length).ok));
}

export function evaluateThen(then: ThenSpec, ev: Evidence): CheckResult[] {
  const out: CheckResult[] = [];
  const execSpec = then.execution;
  const exec = targetExecution(ev, execSpec?.of);
  const index = exec ? indexHistory(exec.history) : undefined;
  const needsExecution = execSpec || then.path || then.notVisited || then.states || then.history;
  if (needsExecution && !exec) {
    out.push(
      fail(
        execSpec?.of ? 'then.execution.of' : 'then.execution',
        execSpec?.of ? `no execution named '${execSpec.of}' (names: ${Object.keys(ev.aliases).join(', ') || 'none'})` : 'no execution was started',
        execSpec?.of ?? 'an execution',
        'none',
      ),
    );
    return out;
  }
  if (exec && index) {
    const where = executionWhere(exec, index);
    if (execSpec) out.push(...checkExecution(execSpec, exec, where));
    if (then.path) {
      const path = pathTaken(index);
      const r = pathSubsequence(path, then.path);
      out.push(
        r.ok
          ? pass('then.path', `path ${then.path.join(' → ')}`)
          : fail(
              'then.path',
              `state '${then.path[r.missingIndex!]}' was not entered${r.missingIndex! > 0 ? ` after '${then.path[r.missingIndex! - 1]}'` : ''}`,
              then.path,
              path,
              where,
            ),
      );
    }
    for (const name of then.notVisited ?? []) {
      const entries = index.entriesByName.get(name) ?? [];
      const id = `then.notVisited[${name}]`;
      out.push(
        entries.length === 0
          ? pass(id, `${name} not visited`)
          : fail(id, `state '${name}' was entered ${entries.length} time(s)`, 'not visited', pathTaken(index), {
              execution: where.execution,
              state: name,
              eventId: entries[0]!.enteredEventId,
              atSeconds: seconds(entries[0]!.enteredAt, index.startedAt),
            }),
      );
    }
    for (const [name, spec] of Object.entries(then.states ?? {})) out.push(...checkState(name, spec, exec, index, ev));
    if (then.history) out.push(checkHistory(then.history, exec, index));
  }
  if (then.executions) out.push(...checkAllExecutions(then.executions, ev));
  out.push(...checkObservations(then, ev));
  for (const [i, spec] of (then.objects ?? []).entries()) out.push(...checkObject(`then.objects[${i}]`, spec, ev));
  if (then.secretsNotLeaked ?? ev.secretsGiven) out.push(checkNoLeaks(ev));
  return out;
}

function checkExecution(spec: NonNullable<ThenSpec['execution']>, exec: ExecutionRecord, where: CheckWhere): CheckResult[] {
  const out: CheckResult[] = [];
  if (spec.status !== undefined) {
    const want = statusList(spec.status);
    out.push(
      want.includes(exec.status)
        ? pass('then.execution.status', `status ${exec.status}`)
        : fail(
            'then.execution.status',
            `expected status ${want.join(' or ')}, got ${exec.status}${exec.error ? ` (${exec.error}: ${brief(exec.cause ?? '', 200)})` : ''}`,
            want.length === 1 ? want[0] : want,
            exec.status,
            where,
          ),
    );
  }
  if (spec.output !== undefined) {
    const mismatches = matchValue(spec.output, exec.output);
    out.push(
      mismatches.length === 0
        ? pass('then.execution.output', 'output matches')
        : fail(
            'then.execution.output',
            `output differs at ${mismatches.map((m) => `${m.path}: ${m.message}`).join('; ')}`,
            spec.output,
            exec.output,
            where,
          ),
    );
  }
  for (const [path, want] of Object.entries(spec.outputPaths ?? {})) {
    const id = `then.execution.outputPaths[${path}]`;
    let sel: { found: boolean; value: unknown };
    try {
      sel = select(path, exec.output);
    } catch (e) {
      out.push(fail(id, `bad JSONPath ${path}: ${(e as Error).message}`, want, undefined));
      continue;
    }
    const mismatches = matchValue(want, sel.value, path, sel.found);
    out.push(
      mismatches.length === 0
        ? pass(id, `${path} matches`)
        : fail(id, `${path}: ${mismatches.map((m) => m.message).join('; ')}`, want, sel.found ? sel.value : '(no match)', where),
    );
  }
  for (const field of ['error', 'cause'] as const) {
    const want = spec[field];
    if (want === undefined) continue;
    const r = checkText(want, exec[field]);
    out.push(
      r.ok
        ? pass(`then.execution.${field}`, `${field} matches`)
        : fail(`then.execution.${field}`, `expected ${field} ${r.expected}, got ${brief(exec[field] ?? null, 300)}`, want, exec[field] ?? null, where),
    );
  }
  return out;
}

function checkState(
  name: string,
  spec: NonNullable<ThenSpec['states']>[string],
  exec: ExecutionRecord,
  index: HistoryIndex,
  ev: Evidence,
): CheckResult[] {
  const out: CheckResult[] = [];
  const entries = index.entriesByName.get(name) ?? [];
  const base = `then.states.${name}`;
  const execName = exec.alias ?? exec.name;
  const first = entries[0];
  const whereFirst: CheckWhere = first
    ? { execution: execName, state: name, eventId: first.enteredEventId, atSeconds: seconds(first.enteredAt, index.startedAt) }
    : { execution: execName, state: name };
  if (spec.visited !== undefined) {
    const visited = entries.length > 0;
    out.push(
      visited === spec.visited
        ? pass(`${base}.visited`, `${name} ${visited ? 'visited' : 'not visited'}`)
        : fail(`${base}.visited`, `expected ${name} ${spec.visited ? 'to be' : 'not to be'} visited`, spec.visited, visited, {
            ...whereFirst,
          }),
    );
  }
  if (spec.entered !== undefined) {
    const r = checkCount(spec.entered, entries.length);
    out.push(
      r.ok
        ? pass(`${base}.entered`, `${name} entered ${entries.length}×`)
        : fail(`${base}.entered`, `expected ${name} entered ${r.expected} time(s), got ${entries.length}`, spec.entered, entries.length, whereFirst),
    );
  }
  const needsEntry = spec.attempts !== undefined || spec.retryDelaysSeconds !== undefined || spec.errors !== undefined;
  if (needsEntry && !first) {
    out.push(fail(`${base}`, `state '${name}' was never entered (path: ${pathTaken(index).join(' → ')})`, 'entered', 'not entered', whereFirst));
    return out;
  }
  if (first && needsEntry) {
    const a = attemptsOf(first);
    const whereAttempt = (i: number): CheckWhere => {
      const id = a.scheduledEventIds[i];
      const e = id !== undefined ? index.byId.get(id) : undefined;
      return { ...whereFirst, ...(e ? { eventId: e.id, atSeconds: seconds(e.timestamp, index.startedAt) } : {}) };
    };
    if (spec.attempts !== undefined) {
      const r = checkCount(spec.attempts, a.count);
      out.push(
        r.ok
          ? pass(`${base}.attempts`, `${name}: ${a.count} attempt(s)`)
          : fail(
              `${base}.attempts`,
              `expected ${name} attempts ${r.expected}, got ${a.count}${a.errors.length ? ` (failures: ${a.errors.join(', ')})` : ''}`,
              spec.attempts,
              a.count,
              whereAttempt(Math.max(0, a.count - 1)),
            ),
      );
    }
    if (spec.retryDelaysSeconds !== undefined) {
      const want = spec.retryDelaysSeconds;
      const tol = ev.delayToleranceSeconds;
      const bad = want.length !== a.retryDelaysSeconds.length || want.some((w, i) => Math.abs(w - (a.retryDelaysSeconds[i] ?? Infinity)) > tol + w * (tol > 0.1 ? 0.1 : 0));
      const badIndex = want.findIndex((w, i) => Math.abs(w - (a.retryDelaysSeconds[i] ?? Infinity)) > tol);
      out.push(
        !bad
          ? pass(`${base}.retryDelaysSeconds`, `${name} retried after ${a.retryDelaysSeconds.join(', ')} s`)
          : fail(
              `${base}.retryDelaysSeconds`,
              `expected ${name} retry delays [${want.join(', ')}] s, got [${a.retryDelaysSeconds.join(', ')}] s`,
              want,
              a.retryDelaysSeconds,
              whereAttempt(badIndex >= 0 ? badIndex + 1 : a.count - 1),
            ),
      );
    }
    if (spec.errors !== undefined) {
      const ok = spec.errors.length === a.errors.length && spec.errors.every((e, i) => e === a.errors[i]);
      out.push(
        ok
          ? pass(`${base}.errors`, `${name} failures ${a.errors.join(', ')}`)
          : fail(`${base}.errors`, `expected ${name} attempt errors [${spec.errors.join(', ')}], got [${a.errors.join(', ')}]`, spec.errors, a.errors, whereFirst),
      );
    }
  }
  for (const field of ['input', 'output'] as const) {
    const want = spec[field];
    if (want === undefined) continue;
    const last = entries[entries.length - 1];
    const id = `${base}.${field}`;
    if (!last || (field === 'output' && last.output === undefined)) {
      out.push(fail(id, `state '${name}' has no ${field} (${last ? 'never exited' : 'never entered'})`, want, undefined, whereFirst));
      continue;
    }
    const actual = parseMaybeJson(field === 'input' ? last.input : last.output);
    const mm = matchValue(want, actual);
    out.push(
      mm.length === 0
        ? pass(id, `${name} ${field} matches`)
        : fail(id, `${name} ${field} differs at ${mm.map((m) => `${m.path}: ${m.message}`).join('; ')}`, want, actual, {
            execution: execName,
            state: name,
            eventId: last.enteredEventId,
          }),
    );
  }
  return out;
}

function checkHistory(want: NonNullable<ThenSpec['history']>, exec: ExecutionRecord, index: HistoryIndex): CheckResult {
  const r = findSubsequence(index.events, want, (w, e) => {
    if (e.type !== w.type) return false;
    if (w.state !== undefined && stateOf(index, e) !== w.state && !(e.type.endsWith('StateEntered') && stateOf(index, e) === w.state)) return false;
    const err = eventError(e);
    if (w.error !== undefined && !checkText(w.error, err.error).ok) return false;
    if (w.cause !== undefined && !checkText(w.cause, err.cause).ok) return false;
    return true;
  });
  if (r.failedAt === undefined) return pass('then.history', `${want.length} events in order`);
  const missing = want[r.failedAt]!;
  const afterIdx = r.matched[r.matched.length - 1];
  const after = afterIdx !== undefined ? index.events[afterIdx] : undefined;
  const describe = (w: (typeof want)[number]) => `${w.type}${w.state ? ` (${w.state})` : ''}${w.error ? ` error ${JSON.stringify(w.error)}` : ''}`;
  return fail(
    `then.history[${r.failedAt}]`,
    `no ${describe(missing)} event${after ? ` after event ${after.id} ${after.type}` : ''}`,
    want.map(describe),
    index.events.map((e) => `${e.id} ${e.type}${stateOf(index, e) ? ` (${stateOf(index, e)})` : ''}`),
    { execution: exec.alias ?? exec.name, ...(after ? { eventId: after.id, atSeconds: seconds(after.timestamp, index.startedAt) } : {}) },
  );
}

function checkAllExecutions(spec: NonNullable<ThenSpec['executions']>, ev: Evidence): CheckResult[] {
  const execs = ev.executions.filter((e) => spec.workflow === undefined || e.workflow === spec.workflow);
  const out: CheckResult[] = [];
  if (spec.count !== undefined) {
    const r = checkCount(spec.count, execs.length);
    out.push(
      r.ok
        ? pass('then.executions.count', `${execs.length} execution(s)`)
        : fail('then.executions.count', `expected ${r.expected} execution(s)${spec.workflow ? ` of ${spec.workflow}` : ''}, got ${execs.length}`, spec.count, execs.map((e) => e.name)),
    );
  }
  if (spec.status !== undefined) {
    const want = statusList(spec.status);
    const bad = execs.filter((e) => !want.includes(e.status));
    out.push(
      bad.length === 0
        ? pass('then.executions.status', `all ${execs.length} ${want.join('/')}`)
        : fail(
            'then.executions.status',
            `${bad.length} of ${execs.length} execution(s) not ${want.join(' or ')}: ${bad
              .slice(0, 5)
              .map((e) => `${e.name} ${e.status}${e.error ? ` (${e.error})` : ''}`)
              .join(', ')}`,
            want,
            bad.map((e) => ({ name: e.name, status: e.status, error: e.error })),
            bad[0] ? executionWhere(bad[0]) : undefined,
          ),
    );
  }
  return out;
}

function checkObservations(then: ThenSpec, ev: Evidence): CheckResult[] {
  const out: CheckResult[] = [];
  const wants: Array<[string, boolean]> = [
    ['then.concurrency', then.concurrency !== undefined],
    ['then.invocations', then.invocations !== undefined],
    ['then.coldStarts', then.coldStarts !== undefined],
    ['then.sns', then.sns !== undefined],
    ['then.secretReads', then.secretReads !== undefined],
  ];
  const obs = ev.observations;
  if (!obs) {
    for (const [id, wanted] of wants) if (wanted) out.push(skip(id, ev.observationsUnavailable ?? 'the backend has no observations'));
    return out;
  }
  for (const [state, spec] of Object.entries(then.concurrency?.maps ?? {})) {
    const peaks = Object.entries(obs.mapConcurrency).filter(([k]) => k.endsWith(`#${state}`));
    const peak = Math.max(0, ...peaks.map(([, v]) => v));
    const r = checkCount(spec, peak);
    const id = `then.concurrency.maps.${state}`;
    out.push(
      r.ok
        ? pass(id, `${state} peak ${peak}`)
        : fail(id, peaks.length === 0 ? `Map state '${state}' ran no iterations (seen: ${Object.keys(obs.mapConcurrency).map((k) => k.split('#').pop()).join(', ') || 'none'})` : `expected ${state} peak concurrency ${r.expected}, got ${peak}`, spec, peak, { state }),
    );
  }
  const perFunction = (wanted: string, pick: (fns: string[]) => number) => {
    const names = new Set<string>([...Object.keys(obs.functionConcurrency), ...obs.invocations.map((i) => i.functionName)]);
    return pick([...names].filter((n) => sameFunction(n, wanted)));
  };
  for (const [fn, spec] of Object.entries(then.concurrency?.functions ?? {})) {
    const peak = perFunction(fn, (ns) => Math.max(0, ...ns.map((n) => obs.functionConcurrency[n] ?? 0)));
    const r = checkCount(spec, peak);
    const id = `then.concurrency.functions.${fn}`;
    out.push(r.ok ? pass(id, `${fn} peak ${peak}`) : fail(id, `expected ${fn} peak concurrency ${r.expected}, got ${peak}`, spec, peak, { function: fn }));
  }
  for (const [kind, table] of [
    ['invocations', then.invocations],
    ['coldStarts', then.coldStarts],
  ] as const) {
    for (const [fn, spec] of Object.entries(table ?? {})) {
      const records = invocationsOf(obs, fn, kind);
      const r = checkCount(spec, records.length);
      const id = `then.${kind}.${fn}`;
      const noun = kind === 'invocations' ? 'invocation(s)' : 'cold start(s)';
      out.push(
        r.ok
          ? pass(id, `${fn}: ${records.length} ${noun}`)
          : fail(id, `expected ${fn} ${noun} ${r.expected}, got ${records.length}`, spec, records.length, { function: fn }),
      );
    }
  }
  for (const [i, spec] of (then.sns ?? []).entries()) {
    const id = `then.sns[${i}]`;
    const onTopic = obs.snsMessages.filter(
      (m) => spec.topic === undefined || m.topicArn === spec.topic || m.topicArn.endsWith(`:${spec.topic}`),
    );
    const matching = onTopic.filter((m) => {
      if (spec.subject !== undefined && !checkText(spec.subject, m.subject).ok) return false;
      if (spec.message === undefined) return true;
      if (typeof spec.message === 'string') return m.message === spec.message;
      if (spec.message && typeof spec.message === 'object' && !Array.isArray(spec.message) && Object.keys(spec.message).every((k) => k === 'contains' || k === 'matches'))
        return checkText(spec.message as TextSpec, m.message).ok;
      // A bare matcher ({$contains: …}) reads the message text; an object matches the parsed JSON partially.
      if (isMatcher(spec.message)) return matchValue(spec.message, m.message).length === 0;
      return matchValue(spec.message, parseMaybeJson(m.message)).length === 0;
    });
    const r = checkCount(spec.count ?? { atLeast: 1 }, matching.length);
    out.push(
      r.ok
        ? pass(id, `${matching.length} matching SNS message(s)`)
        : fail(
            id,
            `expected ${r.expected} SNS message(s)${spec.topic ? ` on ${spec.topic}` : ''} matching, got ${matching.length} (of ${onTopic.length} on the topic, ${obs.snsMessages.length} in all)`,
            spec,
            onTopic.slice(0, 5).map((m) => ({ topic: m.topicArn.split(':').pop(), subject: m.subject, message: parseMaybeJson(m.message) })),
          ),
    );
  }
  for (const [i, spec] of (then.secretReads ?? []).entries()) {
    const id = `then.secretReads[${i}]`;
    // Reads by the harness itself (caller `client`: the runner checking what it stored) are not the workload's.
    const reads = obs.secretReads.filter((r) => r.caller !== 'client' && (r.secretId === spec.secret || r.arn.includes(`:secret:${spec.secret}`)));
    const callers = [...new Set(reads.map((r) => r.caller))].sort();
    const problems: string[] = [];
    for (const fn of spec.by ?? []) if (!callers.some((c) => sameFunction(c, fn))) problems.push(`${fn} did not read it`);
    for (const fn of spec.notBy ?? []) if (callers.some((c) => sameFunction(c, fn))) problems.push(`${fn} read it`);
    if (spec.only) {
      const extra = callers.filter((c) => !(spec.by ?? []).some((fn) => sameFunction(c, fn)));
      if (extra.length > 0) problems.push(`also read by ${extra.join(', ')}`);
    }
    if (spec.versions !== undefined) {
      const versions = new Set(reads.map((r) => r.versionId)).size;
      const r = checkCount(spec.versions, versions);
      if (!r.ok) problems.push(`expected ${r.expected} distinct version(s) read, got ${versions}`);
    }
    out.push(
      problems.length === 0
        ? pass(id, `${spec.secret} read by ${callers.join(', ') || 'nobody'}`)
        : fail(id, `secret ${spec.secret}: ${problems.join('; ')}`, spec, { readers: callers, versions: [...new Set(reads.map((r) => r.versionId))] }),
    );
  }
  return out;
}

function checkObject(id: string, spec: NonNullable<ThenSpec['objects']>[number], ev: Evidence): CheckResult[] {
  const out: CheckResult[] = [];
  if (spec.prefix !== undefined && spec.key === undefined) {
    const keys = ev.prefixes.get(`${spec.bucket}/${spec.prefix}`) ?? [];
    const r = checkCount(spec.count ?? { atLeast: 1 }, keys.length);
    const where = `s3://${spec.bucket}/${spec.prefix}*`;
    out.push(
      r.ok
        ? pass(`${id}.count`, `${keys.length} object(s) under ${where}`)
        : fail(`${id}.count`, `expected ${r.expected} object(s) under ${where}, got ${keys.length}`, spec.count ?? { atLeast: 1 }, keys.slice(0, 20)),
    );
    return out;
  }
  if (spec.key === undefined) return [fail(id, 'an object check needs key or prefix', 'key or prefix', undefined)];
  const url = `s3://${spec.bucket}/${spec.key}`;
  const o = ev.objects.get(`${spec.bucket}/${spec.key}`);
  // Version counts hold for deleted keys too (a delete marker on top), so they are checked before presence.
  for (const [field, what] of [['versions', 'version(s)'], ['deleteMarkers', 'delete marker(s)']] as const) {
    const want = spec[field];
    if (want === undefined) continue;
    const have = o?.[field] ?? 0;
    const r = checkCount(want, have);
    out.push(r.ok ? pass(`${id}.${field}`, `${url} has ${have} ${what}`) : fail(`${id}.${field}`, `expected ${url} to have ${r.expected} ${what}, got ${have}`, want, have));
  }
  if (spec.absent) {
    out.push(o?.exists ? fail(`${id}.absent`, `expected no object ${url}, found ${o.bytes ?? '?'} bytes`, 'absent', 'present') : pass(`${id}.absent`, `${url} absent`));
    return out;
  }
  if (!o?.exists) {
    const siblings = [...ev.prefixes.entries()].find(([k]) => k === `${spec.bucket}/`)?.[1] ?? [];
    return [fail(id, `expected object ${url}, not found${siblings.length ? ` (bucket has: ${siblings.slice(0, 8).join(', ')})` : ''}`, 'present', 'absent')];
  }
  out.push(pass(id, `${url} present`));
  const maxBytes = spec.image?.maxBytes ?? spec.maxBytes;
  if (maxBytes !== undefined) {
    out.push(
      (o.bytes ?? 0) <= maxBytes
        ? pass(`${id}.maxBytes`, `${url} ${o.bytes} bytes`)
        : fail(`${id}.maxBytes`, `expected ${url} at most ${maxBytes} bytes, got ${o.bytes}`, maxBytes, o.bytes),
    );
  }
  if (spec.contentType !== undefined) {
    out.push(
      o.contentType === spec.contentType
        ? pass(`${id}.contentType`, `${url} ${o.contentType}`)
        : fail(`${id}.contentType`, `expected ${url} content type ${spec.contentType}, got ${o.contentType}`, spec.contentType, o.contentType),
    );
  }
  if (spec.tags !== undefined) {
    const have = o.tags ?? {};
    const same = JSON.stringify(Object.entries(have).sort()) === JSON.stringify(Object.entries(spec.tags).sort());
    out.push(same ? pass(`${id}.tags`, `${url} tags ${JSON.stringify(have)}`) : fail(`${id}.tags`, `expected ${url} tags ${JSON.stringify(spec.tags)}, got ${JSON.stringify(have)}`, spec.tags, have));
  }
  if (spec.json !== undefined) {
    const mm = matchValue(spec.json, o.json);
    out.push(mm.length === 0 ? pass(`${id}.json`, `${url} body matches`) : fail(`${id}.json`, `${url} body differs at ${mm.map((m) => `${m.path}: ${m.message}`).join('; ')}`, spec.json, o.json));
  }
  if (spec.image) {
    const img = o.image;
    if (!img) {
      out.push(fail(`${id}.image`, `${url} is not a readable image`, spec.image, 'unreadable'));
      return out;
    }
    if (spec.image.format !== undefined) {
      const ok = img.format === spec.image.format || (spec.image.format === 'jpg' && img.format === 'jpeg');
      out.push(ok ? pass(`${id}.image.format`, `${url} is ${img.format}`) : fail(`${id}.image.format`, `expected ${url} format ${spec.image.format}, got ${img.format}`, spec.image.format, img.format));
    }
    for (const dim of ['width', 'height'] as const) {
      const want = spec.image[dim];
      if (want === undefined) continue;
      const r = checkCount(want, img[dim] ?? -1);
      out.push(
        r.ok
          ? pass(`${id}.image.${dim}`, `${url} ${dim} ${img[dim]}`)
          : fail(`${id}.image.${dim}`, `expected ${url} ${dim} ${r.expected}, got ${img[dim]}`, want, img[dim]),
      );
    }
  }
  return out;
}

function checkNoLeaks(ev: Evidence): CheckResult {
  const leaks: Array<{ where: string; secretPreview: string }> = [];
  for (const value of ev.secretValues) {
    for (const src of ev.leakSources) {
      if (src.text.includes(value)) leaks.push({ where: src.where, secretPreview: `${value.slice(0, 3)}…(${value.length} chars)` });
    }
  }
  if (leaks.length === 0)
    return pass('then.secretsNotLeaked', `no secret value in ${ev.leakSources.length} outputs, logs and messages`);
  return fail(
    'then.secretsNotLeaked',
    `secret value found in ${leaks.map((l) => l.where).slice(0, 5).join(', ')}`,
    'no secret value in outputs, history, logs or messages',
    leaks,
  );
}

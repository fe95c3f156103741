/**
 * Parsing a definition once and caching the result (bench: definitions are
 * re-used by many executions, so the hot path never re-parses JSON or re-reads
 * fields). A CompiledState keeps the raw ASL object plus what every execution
 * would otherwise recompute: its query language, transition, and
 * retry/catch lists.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
import { AwsServiceError } from '../core/index.ts';
import { parseResource, type TaskResource } from './tasks/resource.ts';

export type QueryLanguage = 'JSONPath' | 'JSONata';
export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

export interface Retrier {
  errorEquals: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds: number | undefined;
  jitter: 'FULL' | 'NONE';
}

export interface Catcher {
  errorEquals: string[];
  next: string;
  resultPath: string | null | undefined;
  output: unknown;
  assign: Record<string, unknown> | undefined;
  hasResultPath: boolean;
}

export type Raw = Record<string, unknown>;

export interface CompiledState {
  name: string;
  type: StateType;
  raw: Raw;
  ql: QueryLanguage;
  next: string | undefined;
  end: boolean;
  retry: Retrier[];
  catch: Catcher[];
  /** Task only. */
  resource: TaskResource | undefined;
  /** Map/Parallel: nested programs. */
  branches: Program[];
  processor: Program | undefined;
  /** Precomputed JSON size of a Pass `Result` (payload limit check without re-serialising). */
  resultSize: number;
}

export interface Program {
  startAt: string;
  states: Map<string, CompiledState>;
  ql: QueryLanguage;
}

export interface CompiledMachine {
  program: Program;
  timeoutSeconds: number | undefined;
  raw: Raw;
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(location: string, message: string): never {
  throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${location}': ${message}`);
}

function compileRetry(raw: unknown, where: string): Retrier[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(`${where}.Retry`, 'must be an array');
  return raw.map((r: unknown, i) => {
    if (!isObject(r) || !Array.isArray(r.ErrorEquals)) bad(`${where}.Retry[${i}].ErrorEquals`, 'is required');
    return {
      errorEquals: r.ErrorEquals as string[],
      intervalSeconds: typeof r.IntervalSeconds === 'number' ? r.IntervalSeconds : 1,
      maxAttempts: typeof r.MaxAttempts === 'number' ? r.MaxAttempts : 3,
      backoffRate: typeof r.BackoffRate === 'number' ? r.BackoffRate : 2,
      maxDelaySeconds: typeof r.MaxDelaySeconds === 'number' ? r.MaxDelaySeconds : undefined,
      jitter: r.JitterStrategy === 'FULL' ? 'FULL' : 'NONE',
    };
  });
}

function compileCatch(raw: unknown, where: string): Catcher[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(`${where}.Catch`, 'must be an array');
  return raw.map((c: unknown, i) => {
    if (!isObject(c) || !Array.isArray(c.ErrorEquals) || typeof c.Next !== 'string') bad(`${where}.Catch[${i}]`, 'needs ErrorEquals and Next');
    return {
      errorEquals: c.ErrorEquals as string[],
      next: c.Next,
      resultPath: c.ResultPath as string | null | undefined,
      hasResultPath: 'ResultPath' in c,
      output: c.Output,
      assign: isObject(c.Assign) ? c.Assign : undefined,
    };
  });
}

const STATE_TYPES = new Set<string>(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']);

export interface CompileOptions {
  /**
   * TestState with a mock: the tested state is not invoked and its nested
   * states never run, so resources are not checked and Map/Parallel
   * sub-workflows are not compiled.
   */
  mocked?: boolean;
}

export function compileProgram(raw: unknown, where: string, inherited: QueryLanguage, options: CompileOptions = {}): Program {
  if (!isObject(raw)) bad(where, 'must be an object');
  const ql: QueryLanguage = raw.QueryLanguage === 'JSONata' ? 'JSONata' : raw.QueryLanguage === 'JSONPath' ? 'JSONPath' : inherited;
  if (typeof raw.StartAt !== 'string') bad(`${where}.StartAt`, 'is required');
  if (!isObject(raw.States)) bad(`${where}.States`, 'is required');
  const states = new Map<string, CompiledState>();
  for (const [name, s] of Object.entries(raw.States)) {
    const at = `${where === '' ? '' : `${where}.`}States.${name}`;
    if (!isObject(s)) bad(at, 'must be an object');
    const type = s.Type;
    if (typeof type !== 'string' || !STATE_TYPES.has(type)) bad(`${at}.Type`, `unsupported state type ${JSON.stringify(type)}`);
    const stateQl: QueryLanguage = s.QueryLanguage === 'JSONata' ? 'JSONata' : s.QueryLanguage === 'JSONPath' ? 'JSONPath' : ql;
    const compiled: CompiledState = {
      name,
      type: type as StateType,
      raw: s,
      ql: stateQl,
      next: typeof s.Next === 'string' ? s.Next : undefined,
      end: s.End === true,
      retry: compileRetry(s.Retry, at),
      catch: compileCatch(s.Catch, at),
      resource: undefined,
      branches: [],
      processor: undefined,
      resultSize: 'Result' in s ? JSON.stringify(s.Result ?? null).length : 0,
    };
    if (type === 'Task') {
      if (typeof s.Resource !== 'string') bad(`${at}.Resource`, 'is required');
      compiled.resource = parseResource(s.Resource, `${at}.Resource`, options.mocked);
    } else if (options.mocked) {
      // Map/Parallel under a mock: the result is the mock, the sub-workflows never run.
    } else if (type === 'Parallel') {
      if (!Array.isArray(s.Branches)) bad(`${at}.Branches`, 'is required');
      compiled.branches = s.Branches.map((b, i) => compileProgram(b, `${at}.Branches[${i}]`, stateQl));
    } else if (type === 'Map') {
      const proc = s.ItemProcessor ?? s.Iterator;
      if (proc === undefined) bad(`${at}.ItemProcessor`, 'is required');
      compiled.processor = compileProgram(proc, `${at}.ItemProcessor`, stateQl);
    }
    states.set(name, compiled);
  }
  if (!states.has(raw.StartAt)) bad(`${where === '' ? '' : `${where}.`}StartAt`, `state '${raw.StartAt}' does not exist`);
  return { startAt: raw.StartAt, states, ql };
}

const cache = new Map<string, CompiledMachine>();
const CACHE_LIMIT = 256;

/** Parses (once per distinct text) and compiles a definition; throws AwsServiceError InvalidDefinition. */
export function compileDefinition(text: string): CompiledMachine {
  const hit = cache.get(text);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(e as Error).message}'`);
  }
  if (!isObject(raw)) bad('', 'definition must be a JSON object');
  const machine: CompiledMachine = {
    program: compileProgram(raw, '', raw.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath'),
    timeoutSeconds: typeof raw.TimeoutSeconds === 'number' ? raw.TimeoutSeconds : undefined,
    raw,
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, machine);
  return machine;
}

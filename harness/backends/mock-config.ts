/**
 * A scenario's fault plan as a Step Functions Local MockConfigFile — the format
 * AWS documents in "Configuration File for Mocked Service Integrations"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html),
 * which LocalStack ≥ 4.4 also reads through SFN_MOCK_CONFIG:
 *
 *   { "StateMachines": { <name>: { "TestCases": { <case>: { <TaskState>: <MockedResponseName> } } } },
 *     "MockedResponses": { <MockedResponseName>: { "0": { "Throw": {Error, Cause} }, "1-2": {...}, "3": { "Return": ... } } } }
 *
 * Attempt keys are 0-based ("0" is the first call), single or inclusive ranges.
 * A test case is chosen by starting the execution on `<stateMachineArn>#<case>`.
 *
 * What a mock cannot say is reported, never approximated: AWS says "when you
 * mock a Task, you must specify a mocked response for every invocation", so an
 * attempt left to the real function needs a return value (a `return` fault for
 * that call, one on every call, or the case's `returns`); latency, faults
 * matched by payload (`input`) and S3/Secrets/SNS operation faults have no
 * mock form at all.
 */
import { decisiveFault, selects, type FaultPlan, type FunctionFault } from '../emulator/faults.ts';

export type MockedResponseEntry = { Return: unknown } | { Throw: { Error: string; Cause: string } };

export interface MockConfigFile {
  StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>;
  MockedResponses: Record<string, Record<string, MockedResponseEntry>>;
}

export interface MockTestCase {
  stateMachineName: string;
  testCaseName: string;
  /** The definition as deployed (ARNs substituted): an object or its JSON text. */
  definition: unknown;
  faults: FaultPlan;
  /**
   * What a call the plan leaves alone returns, per function name: the
   * function's response payload. Needed when a mocked state is called again
   * after (or between) its faulted attempts.
   */
  returns?: Record<string, unknown>;
  /**
   * Names the function behind a FunctionName/Resource the definition does not
   * spell as a name or ARN — e.g. an undeployed `${ResizeImageFunctionArn}`
   * placeholder → `resize-image` — so mocks can be built before deploying.
   */
  resolveFunctionName?: (ref: string) => string | undefined;
}

export interface MockConfigBuild {
  config: MockConfigFile;
  /** Test cases written, with the Task states each one mocks. */
  testCases: Array<{ stateMachineName: string; testCaseName: string; mockedStates: string[] }>;
  /** Test cases that cannot be expressed as mocks: the scenario is skipped with this reason. */
  skipped: Array<{ stateMachineName: string; testCaseName: string; reason: string }>;
}

/** A scenario name as a test case name (used after `#` in the execution's state machine ARN). */
export function mockTestCaseName(scenarioName: string): string {
  const name = scenarioName
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name.length === 0) throw new Error(`scenario name ${JSON.stringify(scenarioName)} has no characters usable in a test case name`);
  return name.slice(0, 80);
}

/** StartExecution's `stateMachineArn` that selects a test case (AWS: "append the suffix #test_name"). */
export function mockedExecutionTarget(stateMachineArn: string, testCaseName: string): string {
  return `${stateMachineArn}#${testCaseName}`;
}

// ---- reading the definition ----------------------------------------------------------

interface TaskInfo {
  stateName: string;
  /** The Lambda function's name, or `dynamic` when only known at run time. */
  functionName: string | 'dynamic';
  /** `lambda:invoke` returns `{StatusCode, Payload, …}`; a function-ARN resource returns the payload itself. */
  integration: 'optimized' | 'legacy';
  inMap: boolean;
  retriers: Json[];
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const OPTIMIZED = /^arn:aws[\w-]*:states:::lambda:invoke(?:\.waitForTaskToken)?$/;
const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([\w-]+)(?::[\w$-]+)?$/;

/** `name`, `name:alias`, `123456789012:function:name`, or a full/partial function ARN → the name. */
export function functionNameOf(ref: string): string {
  const arn = FUNCTION_ARN.exec(ref);
  if (arn) return arn[1]!;
  const partial = /^(?:\d{12}:)?function:([\w-]+)(?::[\w$-]+)?$/.exec(ref);
  if (partial) return partial[1]!;
  return ref.split(':')[0]!;
}

function retriersOf(state: Json): Json[] {
  return Array.isArray(state.Retry) ? state.Retry.filter(isObject) : [];
}

type Resolve = (ref: string) => string | undefined;

function collectTasks(states: unknown, inMap: boolean, out: TaskInfo[], resolve: Resolve = () => undefined): void {
  if (!isObject(states)) return;
  for (const [stateName, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      for (const b of state.Branches) if (isObject(b)) collectTasks(b.States, inMap, out, resolve);
    }
    if (state.Type === 'Map') {
      const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : isObject(state.Iterator) ? state.Iterator : undefined;
      if (processor) collectTasks(processor.States, true, out, resolve);
    }
    if (state.Type !== 'Task' || typeof state.Resource !== 'string') continue;
    const legacy = resolve(state.Resource) ?? FUNCTION_ARN.exec(state.Resource)?.[1];
    if (legacy && !OPTIMIZED.test(state.Resource)) {
      out.push({ stateName, functionName: legacy, integration: 'legacy', inMap, retriers: retriersOf(state) });
      continue;
    }
    if (!OPTIMIZED.test(state.Resource)) continue;
    const args = isObject(state.Parameters) ? state.Parameters : isObject(state.Arguments) ? state.Arguments : {};
    const ref = args.FunctionName;
    const known = typeof ref === 'string' && !/^\{%.*%\}$/s.test(ref.trim());
    const functionName = typeof ref === 'string' ? (resolve(ref) ?? (known ? functionNameOf(ref) : 'dynamic')) : 'dynamic';
    out.push({ stateName, functionName, integration: 'optimized', inMap, retriers: retriersOf(state) });
  }
}

function parseDefinition(definition: unknown, where: string): Json {
  const value = typeof definition === 'string' ? (JSON.parse(definition) as unknown) : definition;
  if (!isObject(value) || !isObject(value.States)) throw new Error(`${where}: the definition has no States object`);
  return value;
}

// ---- faults → mocked responses --------------------------------------------------------

/** The Throw AWS reports for each fault (Error = what Retry/Catch match; Cause as the Lambda integration shapes it). */
function throwFor(fault: FunctionFault): { Error: string; Cause: string } | undefined {
  if ('throw' in fault) {
    const { errorType, message } = fault.throw;
    // A Lambda service error (throttle, not ready…) surfaces as its own name with the service message;
    // a function error's Cause is the function's error payload as JSON text.
    if (errorType.startsWith('Lambda.')) return { Error: errorType, Cause: message ?? errorType };
    return { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage: message ?? '', trace: [] }) };
  }
  if ('timeout' in fault) {
    return { Error: 'Sandbox.Timedout', Cause: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out (injected by Rehearse)' }) };
  }
  if ('crash' in fault) {
    return { Error: 'Runtime.ExitError', Cause: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 1 (injected by Rehearse)' }) };
  }
  return undefined; // latency: no mock form
}

function returnFor(task: TaskInfo, payload: unknown): unknown {
  return task.integration === 'legacy' ? payload : { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: payload };
}

/** Consecutive equal responses share one key: `"1-2"` as in AWS's example. Keys are 0-based. */
function compress(responses: MockedResponseEntry[]): Record<string, MockedResponseEntry> {
  const out: Record<string, MockedResponseEntry> = {};
  let start = 0;
  for (let i = 1; i <= responses.length; i++) {
    if (i < responses.length && JSON.stringify(responses[i]) === JSON.stringify(responses[start])) continue;
    out[i - 1 === start ? String(start) : `${start}-${i - 1}`] = responses[start]!;
    start = i;
  }
  return out;
}

class Unsupported extends Error {}

/** ASL error matching for Retry (States.ALL matches everything; States.TaskFailed every non-States error). */
function retrierMatches(retrier: Json, error: string): boolean {
  const names = Array.isArray(retrier.ErrorEquals) ? retrier.ErrorEquals : [];
  return names.some((n) => n === error || n === 'States.ALL' || (n === 'States.TaskFailed' && !error.startsWith('States.')));
}

/** The attempt keys a Map state's iterations may reach after the faults: a generous tail. */
const MAP_TAIL = 10_000;

/** A `return` fault on every call (no invocations, no every): the function's default return value. */
function isDefaultReturn(f: FunctionFault): f is Extract<FunctionFault, { return: unknown }> {
  return 'return' in f && f.invocations === undefined && f.every === undefined;
}

/**
 * Replays the state's Retry policy over the fault plan: every call the state
 * will really make gets a response — Throw for faulted calls, Return for
 * `return` faults and (from the scenario's return value) for the others — and
 * nothing more.
 */
function responsesFor(task: TaskInfo, retriers: Json[], allFaults: FunctionFault[], returns: Record<string, unknown> | undefined, fn: string): MockedResponseEntry[] {
  // A `return` on every call answers the calls no other fault decides; it neither bounds the calls nor ends the faults.
  const fallback = allFaults.find(isDefaultReturn);
  const faults = allFaults.filter((f) => !isDefaultReturn(f));
  const bounded = faults.every((f) => f.invocations !== undefined);
  if (!bounded && task.inMap) {
    throw new Unsupported(`a fault on every call of ${fn} cannot be mocked for state ${task.stateName} inside a Map (the number of calls is unknown in advance)`);
  }
  const hasReturn = returns !== undefined && Object.prototype.hasOwnProperty.call(returns, fn);
  /** A call past the last per-call fault: the `return` on every call if any (as the Lambda service answers), else the case's value. */
  const plainReturn = (call: number): MockedResponseEntry => {
    if (fallback) return { Return: returnFor(task, fallback.return) };
    if (hasReturn) return { Return: returnFor(task, returns[fn]) };
    throw new Unsupported(
      `call ${call} of ${fn} (state ${task.stateName}) would run the real function, but a mocked Task needs a mocked response for every call (AWS: "you must specify a mocked response for every invocation"); give the scenario a \`return\` for that call of ${fn}, or run it on a backend with the control API`,
    );
  };
  const responses: MockedResponseEntry[] = [];
  const used = retriers.map(() => 0);
  const last = Math.max(0, ...faults.map(maxSelected));
  for (let call = 1; call <= 1000; call++) {
    // Every fault, the `return` on every call included, so decisiveFault ranks them as the Lambda service does.
    const applicable = allFaults.filter((f) => selects(f, call));
    if (applicable.some((f) => 'latencyMs' in f)) {
      throw new Unsupported(`call ${call} of ${fn} adds latency, which a MockConfigFile cannot express (it can only Return or Throw)`);
    }
    const fault = decisiveFault(applicable);
    if (fault === undefined || 'return' in fault) {
      responses.push(fault && 'return' in fault ? { Return: returnFor(task, fault.return) } : plainReturn(call));
      if (!task.inMap) return responses; // success: the state is done
      // In a Map every later iteration calls again: cover them once past the last fault.
      if (call > last) {
        for (let i = 1; i < MAP_TAIL; i++) responses.push(plainReturn(call + i));
        return responses;
      }
      continue;
    }
    const thrown = throwFor(fault)!;
    responses.push({ Throw: thrown });
    if (task.inMap) continue; // the next item calls again whatever this one did
    const r = retriers.findIndex((x) => retrierMatches(x, thrown.Error));
    const max = r < 0 ? 0 : typeof retriers[r]!.MaxAttempts === 'number' ? (retriers[r]!.MaxAttempts as number) : 3;
    if (r < 0 || used[r]! >= max) return responses; // retries exhausted: Catch or fail, no further call
    used[r]!++;
  }
  throw new Unsupported(`state ${task.stateName} would be called more than 1000 times`);
}

function maxSelected(f: FunctionFault): number {
  const specs = f.invocations === undefined ? [] : Array.isArray(f.invocations) ? f.invocations : [f.invocations];
  let max = 0;
  for (const s of specs) {
    const m = /(\d+)\s*$/.exec(String(s));
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

function buildCase(c: MockTestCase): { states: Record<string, string>; responses: Record<string, Record<string, MockedResponseEntry>> } {
  if ((c.faults.operations ?? []).length > 0) {
    const ops = [...new Set((c.faults.operations ?? []).map((o) => `${o.service}:${o.operation ?? `* on ${o.resource}`}`))].join(', ');
    throw new Unsupported(`operation faults (${ops}) cannot be expressed in a MockConfigFile, which only replaces Task states`);
  }
  const definition = parseDefinition(c.definition, `state machine ${c.stateMachineName}`);
  const tasks: TaskInfo[] = [];
  collectTasks(definition.States, false, tasks, c.resolveFunctionName);
  const byFunction = new Map<string, FunctionFault[]>();
  for (const f of c.faults.functions ?? []) byFunction.set(f.function, [...(byFunction.get(f.function) ?? []), f]);

  const states: Record<string, string> = {};
  const responses: Record<string, Record<string, MockedResponseEntry>> = {};
  for (const [fn, faults] of byFunction) {
    // Not approximated by call number: in a Map that would fault whichever item happens to call first.
    if (faults.some((f) => f.input !== undefined)) {
      throw new Unsupported(
        `a fault on ${fn} matches calls by their payload (\`input\`); a MockConfigFile only numbers a Task state's calls and cannot see payloads`,
      );
    }
    const callers = tasks.filter((t) => t.functionName === fn);
    if (callers.length === 0) {
      const dynamic = tasks.filter((t) => t.functionName === 'dynamic').map((t) => t.stateName);
      throw new Unsupported(
        dynamic.length > 0
          ? `${fn} may be called by ${dynamic.join(', ')} whose FunctionName is only known at run time; a MockConfigFile mocks states, not functions`
          : `no Task state of ${c.stateMachineName} invokes ${fn}; a MockConfigFile can only fault Task states (not S3 notifications or rotation)`,
      );
    }
    if (callers.length > 1) {
      throw new Unsupported(
        `${fn} is invoked by ${callers.length} states (${callers.map((t) => t.stateName).join(', ')}); a MockConfigFile numbers calls per state, the fault plan per function`,
      );
    }
    const task = callers[0]!;
    const name = `${c.stateMachineName}.${c.testCaseName}.${task.stateName}`;
    states[task.stateName] = name;
    responses[name] = compress(responsesFor(task, task.retriers, faults, c.returns, fn));
  }
  return { states, responses };
}

/** Builds one MockConfigFile for every scenario (Step Functions Local reads the file once at boot; it is mounted before `up`). */
export function buildMockConfig(cases: MockTestCase[]): MockConfigBuild {
  const config: MockConfigFile = { StateMachines: {}, MockedResponses: {} };
  const testCases: MockConfigBuild['testCases'] = [];
  const skipped: MockConfigBuild['skipped'] = [];
  for (const c of cases) {
    const existing = config.StateMachines[c.stateMachineName]?.TestCases[c.testCaseName];
    if (existing) throw new Error(`two scenarios map to test case ${c.testCaseName} of ${c.stateMachineName}; test case names must be unique per state machine`);
    try {
      const { states, responses } = buildCase(c);
      if (Object.keys(states).length === 0) continue;
      const sm = (config.StateMachines[c.stateMachineName] ??= { TestCases: {} });
      sm.TestCases[c.testCaseName] = states;
      Object.assign(config.MockedResponses, responses);
      testCases.push({ stateMachineName: c.stateMachineName, testCaseName: c.testCaseName, mockedStates: Object.keys(states) });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      skipped.push({ stateMachineName: c.stateMachineName, testCaseName: c.testCaseName, reason: e.message });
    }
  }
  return { config, testCases, skipped };
}

/**
 * Problems with a MockConfigFile against AWS's documented rules (empty = valid):
 * top-level StateMachines/MockedResponses, TestCases mapping state → a defined
 * mocked response, attempt keys "N" or "N-M" (0-based, consecutive from 0,
 * no overlap), each entry exactly one of Return / Throw{Error, Cause strings}.
 */
export function validateMockConfig(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['the mock config must be a JSON object'];
  for (const key of Object.keys(value)) if (key !== 'StateMachines' && key !== 'MockedResponses') problems.push(`unknown top-level field ${key}`);
  const machines = value.StateMachines;
  const mocked = value.MockedResponses;
  if (!isObject(machines)) problems.push('StateMachines must be an object');
  if (!isObject(mocked)) problems.push('MockedResponses must be an object');
  if (!isObject(machines) || !isObject(mocked)) return problems;
  for (const [sm, body] of Object.entries(machines)) {
    if (!isObject(body) || !isObject(body.TestCases) || Object.keys(body).length !== 1) {
      problems.push(`StateMachines.${sm} must be an object with a single field TestCases`);
      continue;
    }
    for (const [tc, mapping] of Object.entries(body.TestCases)) {
      if (!isObject(mapping)) {
        problems.push(`StateMachines.${sm}.TestCases.${tc} must map state names to mocked response names`);
        continue;
      }
      for (const [state, ref] of Object.entries(mapping)) {
        if (typeof ref !== 'string') problems.push(`StateMachines.${sm}.TestCases.${tc}.${state} must be a string`);
        else if (!(ref in mocked)) problems.push(`StateMachines.${sm}.TestCases.${tc}.${state} names ${ref}, which MockedResponses does not define`);
      }
    }
  }
  for (const [name, attempts] of Object.entries(mocked)) {
    if (!isObject(attempts) || Object.keys(attempts).length === 0) {
      problems.push(`MockedResponses.${name} must be a non-empty object keyed by attempt`);
      continue;
    }
    const ranges: Array<[number, number]> = [];
    for (const [key, entry] of Object.entries(attempts)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(key);
      if (!m) problems.push(`MockedResponses.${name}: attempt key ${JSON.stringify(key)} must be "N" or "N-M"`);
      else {
        const from = Number(m[1]);
        const to = m[2] === undefined ? from : Number(m[2]);
        if (to < from) problems.push(`MockedResponses.${name}: range ${key} is empty`);
        ranges.push([from, to]);
      }
      if (!isObject(entry) || Object.keys(entry).length !== 1 || !('Return' in entry || 'Throw' in entry)) {
        problems.push(`MockedResponses.${name}.${key} must contain exactly one field, Return or Throw`);
      } else if ('Throw' in entry) {
        const t = entry.Throw;
        if (!isObject(t) || typeof t.Error !== 'string' || typeof t.Cause !== 'string') {
          problems.push(`MockedResponses.${name}.${key}.Throw must have string Error and Cause`);
        }
      }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [from, to] of ranges) {
      if (from !== next) problems.push(`MockedResponses.${name}: attempts must be consecutive from 0 (expected ${next}, got ${from})`);
      next = Math.max(next, to + 1);
    }
  }
  return problems;
}

/** Start of an attempt key ("3" → 3, "1-2" → 1). */
function attemptStart(key: string): number {
  return Number(/^\d+/.exec(key)?.[0] ?? Number.NaN);
}

/** A mocked response's attempt keys in attempt order (JS objects list integer-like keys first). */
export function attemptKeys(responses: Record<string, MockedResponseEntry>): string[] {
  return Object.keys(responses).sort((a, b) => attemptStart(a) - attemptStart(b));
}

/**
 * The file's text, attempts in order ("0", "1-2", "3") as in AWS's examples —
 * JSON.stringify alone would print "0", "3", "1-2".
 */
/** JSON text → a checked MockConfigFile, or the problem naming the file. */
export function parseMockConfig(text: string, name: string): { config: MockConfigFile } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problem: `the mock config file ${name} is not valid JSON: ${(e as Error).message}` };
  }
  const problems = validateMockConfig(value);
  if (problems.length > 0) return { problem: `the mock config file ${name} is not a valid MockConfigFile: ${problems.join('; ')}` };
  return { config: value as MockConfigFile };
}

export function serializeMockConfig(config: MockConfigFile): string {
  const responses = Object.entries(config.MockedResponses).map(([name, attempts]) => {
    const body = attemptKeys(attempts)
      .map((k) => `      ${JSON.stringify(k)}: ${JSON.stringify(attempts[k])}`)
      .join(',\n');
    return `    ${JSON.stringify(name)}: {\n${body}\n    }`;
  });
  const machines = JSON.stringify(config.StateMachines, null, 2).replace(/\n/g, '\n  ');
  return `{\n  "StateMachines": ${machines},\n  "MockedResponses": {${responses.length ? `\n${responses.join(',\n')}\n  ` : ''}}\n}\n`;
}

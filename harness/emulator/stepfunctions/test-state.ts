/**
 * The TestState operation: checks the request the way AWS does (each
 * ValidationException/InvalidDefinition below carries AWS's own message where
 * AWS's is known — shared/conformance/test-state.json records them), runs the
 * one state on the engine (harness/asl/test-state.ts) and answers with
 * `status`, `output`, `nextState`, `error`/`cause` and `inspectionData` for
 * the requested inspection level.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
 */
import type { IdSource } from '../../core/index.ts';
import {
  locateState,
  parseKeepingText,
  TESTED_STATE_NAME,
  textOf,
  type Engine,
  type StateMock,
  type TestExecutionStatus,
  type TestStateResult,
} from '../../asl/index.ts';
import { formatInvalidDefinition, hasErrors } from '../../asl/validation/index.ts';
import { expressExecutionArn, stateMachineArn, type Partition } from './arns.ts';
import * as err from './errors.ts';
import { optionalBoolean, optionalString, requiredString, type Input } from './input.ts';
import { validateMockResult, type FieldValidationMode, type ServiceModels } from './mock-validation.ts';

type Raw = Record<string, unknown>;

const INSPECTION_LEVELS = ['INFO', 'DEBUG', 'TRACE'] as const;
const VALIDATION_MODES = ['STRICT', 'PRESENT', 'NONE'] as const;
/** "A mock can only be specified for Task, Map, or Parallel states." (API_TestState, `mock`) */
const MOCKABLE = new Set(['Task', 'Map', 'Parallel']);
const MAX_PAYLOAD_BYTES = 256 * 1024;

export interface TestStateContext {
  engine: Engine;
  partition: Partition;
  ids: IdSource;
  models: ServiceModels;
}

export interface TestStateOutput {
  status: TestExecutionStatus;
  output?: string;
  nextState?: string;
  error?: string;
  cause?: string;
  inspectionData?: Record<string, unknown>;
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function enumValue<T extends string>(input: Input, field: string, allowed: readonly T[], at = field): T | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw err.ValidationException(`1 validation error detected: Value '${String(v)}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return v as T;
}

function count(config: Raw, field: string): number | undefined {
  const v = config[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw err.ValidationException(`1 validation error detected: Value '${String(v)}' at 'stateConfiguration.${field}' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  }
  return v;
}

/** A JSON object given as text (`variables`, `context`); `what` names it in the error. */
function jsonObject(text: string, what: string): Raw {
  let v: unknown;
  try {
    v = parseKeepingText(text);
  } catch {
    throw err.ValidationException(`Invalid ${what} provided: the value must be valid JSON`);
  }
  if (!isObject(v)) throw err.ValidationException(`Invalid ${what} provided: the value must be a JSON object`);
  return v;
}

/** Every state name inside a Map's processor or a Parallel's branches (errorCausedByState must be one). */
function nestedStateNames(state: Raw): string[] {
  const names: string[] = [];
  const walk = (machine: unknown) => {
    if (!isObject(machine) || !isObject(machine.States)) return;
    for (const [name, s] of Object.entries(machine.States)) {
      names.push(name);
      if (isObject(s)) for (const sub of [...(Array.isArray(s.Branches) ? s.Branches : []), s.ItemProcessor ?? s.Iterator]) walk(sub);
    }
  };
  for (const sub of [...(Array.isArray(state.Branches) ? state.Branches : []), state.ItemProcessor ?? state.Iterator]) walk(sub);
  return names;
}

/**
 * A lone state is validated as the machine AWS wraps it in: the state under
 * `StateName` (so errors point at `/States/StateName/…`), plus an empty state
 * for each state it transitions to.
 */
function wrapState(state: Raw): string {
  const targets = new Set<string>();
  if (typeof state.Next === 'string') targets.add(state.Next);
  if (typeof state.Default === 'string') targets.add(state.Default);
  for (const list of [state.Choices, state.Catch]) {
    if (Array.isArray(list)) for (const c of list) if (isObject(c) && typeof c.Next === 'string') targets.add(c.Next);
  }
  const states: Raw = { [TESTED_STATE_NAME]: state };
  for (const t of targets) if (t !== TESTED_STATE_NAME) states[t] = { Type: 'Succeed' };
  return JSON.stringify({ StartAt: TESTED_STATE_NAME, States: states });
}

/**
 * Activity Task states are valid ASL that executions here cannot run (no
 * worker API); TestState runs them only mocked, never calling them, so they
 * are validated as any other Task resource.
 */
function withoutActivities(value: Raw): Raw {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const out: Raw = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === 'Resource' && typeof x === 'string' && /^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:/.test(x) ? 'arn:aws:states:::lambda:invoke' : walk(x);
    return out;
  };
  return walk(value) as Raw;
}

function parseMock(input: Input): { mock: StateMock | undefined; mode: FieldValidationMode } {
  const m = input.mock;
  if (m === undefined || m === null) return { mock: undefined, mode: 'STRICT' };
  if (!isObject(m)) throw err.ValidationException("Value at 'mock' must be an object");
  const mode = enumValue(m, 'fieldValidationMode', VALIDATION_MODES, 'mock.fieldValidationMode') ?? 'STRICT';
  const result = optionalString(m, 'result');
  const errorOutput = m.errorOutput;
  if (result !== undefined && errorOutput !== undefined && errorOutput !== null) {
    throw err.ValidationException('A mock can specify either a result or an errorOutput, not both');
  }
  if (result !== undefined) {
    if (Buffer.byteLength(result) > MAX_PAYLOAD_BYTES) {
      throw err.ValidationException(`1 validation error detected: Value at 'mock.result' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`);
    }
    let value: unknown;
    try {
      value = parseKeepingText(result);
    } catch {
      throw err.ValidationException('Mocked result must be valid JSON');
    }
    return { mock: { kind: 'result', value }, mode };
  }
  if (!isObject(errorOutput)) throw err.ValidationException('A mock must specify either a result or an errorOutput');
  return { mock: { kind: 'error', error: optionalString(errorOutput, 'error') ?? '', cause: optionalString(errorOutput, 'cause') }, mode };
}

/** Task resources that AWS runs only under a mock: activities, `.sync`, `.waitForTaskToken`. */
function needsMock(state: Raw): string | undefined {
  if (state.Type !== 'Task' || typeof state.Resource !== 'string') return undefined;
  if (/:activity:/.test(state.Resource)) return 'Activity tasks';
  const m = /(\.sync(?::2)?|\.waitForTaskToken)$/.exec(state.Resource);
  return m ? `the '${m[1]}' integration pattern` : undefined;
}

export async function testState(input: Input, c: TestStateContext): Promise<TestStateOutput> {
  const definition = requiredString(input, 'definition', 1024 * 1024);
  const roleArn = optionalString(input, 'roleArn');
  const level = enumValue(input, 'inspectionLevel', INSPECTION_LEVELS) ?? 'INFO';
  optionalBoolean(input, 'revealSecrets');
  const stateName = optionalString(input, 'stateName');
  const variablesText = optionalString(input, 'variables');
  const contextText = optionalString(input, 'context');
  const inputText = optionalString(input, 'input') ?? '{}';
  const configRaw = input.stateConfiguration;
  if (configRaw !== undefined && configRaw !== null && !isObject(configRaw)) throw err.ValidationException("Value at 'stateConfiguration' must be an object");
  const config: Raw = isObject(configRaw) ? configRaw : {};

  // The definition: a lone state, or (with stateName) a whole machine.
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (e) {
    throw err.InvalidDefinition(`Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(e as Error).message}'`);
  }
  if (!isObject(parsed)) throw err.InvalidDefinition("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition must be a JSON object'");
  // Activities are valid ASL; TestState runs them mocked or refuses them by its own rule (needsMock) below.
  const checked = withoutActivities(parsed);
  const diagnostics = c.engine.validate(stateName === undefined ? wrapState(checked) : JSON.stringify(checked));
  if (hasErrors(diagnostics)) throw err.InvalidDefinition(formatInvalidDefinition(diagnostics));
  const located = stateName === undefined ? { state: parsed, queryLanguage: 'JSONPath' as const } : locateState(parsed, stateName);
  if (located === undefined) throw err.ValidationException('State not found in definition');
  const state = located.state;
  const type = String(state.Type);

  const { mock, mode } = parseMock(input);
  // Checked before the state's type (recorded: a Map without a mock but with this field gets this message).
  if (config.mapIterationFailureCount !== undefined && config.mapIterationFailureCount !== null && mock === undefined) {
    throw err.ValidationException('TestState does not support MapIterationFailureCount when a mock is not specified.');
  }
  if (mock !== undefined && !MOCKABLE.has(type)) throw err.ValidationException(`State type '${type}' is not supported when a mock is specified`);
  if (mock === undefined && (type === 'Map' || type === 'Parallel')) {
    throw err.InvalidDefinition('TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]');
  }
  const unmockable = mock === undefined ? needsMock(state) : undefined;
  if (unmockable !== undefined) throw err.InvalidDefinition(`TestState API does not support ${unmockable} without a mock.`);
  if (mock === undefined && type === 'Task' && roleArn === undefined) throw err.ValidationException('RoleArn must be specified when testing a Task state');

  // The mocked result must have the shape the state's result has.
  if (mock?.kind === 'result') {
    const value = mock.value;
    if (type === 'Map') {
      if (state.ResultWriter !== undefined ? !isObject(value) : !Array.isArray(value)) {
        throw err.ValidationException(state.ResultWriter !== undefined ? 'Mocked result must be a JSON object.' : 'Mocked result must be an array.');
      }
    } else if (type === 'Parallel') {
      if (!Array.isArray(value)) throw err.ValidationException('Mocked result must be an array.');
      if (value.length !== (Array.isArray(state.Branches) ? state.Branches.length : 0)) {
        throw err.ValidationException('Mocked result must contain the same number of items as number of Parallel branches.');
      }
    } else if (mode !== 'NONE' && typeof state.Resource === 'string') {
      const problem = validateMockResult(c.models, state.Resource, value, mode);
      if (problem !== undefined) throw err.ValidationException(`Mock result schema validation error: ${problem}`);
    }
  }

  // The context object: only with a mock, and `Task` only where a task token exists.
  let context: Raw | undefined;
  if (contextText !== undefined) {
    if (mock === undefined) throw err.ValidationException('TestState does not support Context when a mock is not specified.');
    context = jsonObject(contextText, 'Context object');
    if ('Task' in context && !(type === 'Task' && typeof state.Resource === 'string' && /(\.sync(?::2)?|\.waitForTaskToken)$/.test(state.Resource))) {
      throw err.ValidationException("Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern");
    }
  }
  const variables = variablesText === undefined ? {} : jsonObject(variablesText, 'variables');

  // stateConfiguration: each field only where it applies.
  const retrierRetryCount = count(config, 'retrierRetryCount');
  const mapIterationFailureCount = count(config, 'mapIterationFailureCount');
  const errorCausedByState = optionalString(config, 'errorCausedByState');
  const mapItemReaderData = optionalString(config, 'mapItemReaderData');
  if (mapIterationFailureCount !== undefined) {
    if (type !== 'Map') throw err.ValidationException(`TestState does not support MapIterationFailureCount for a ${type} state.`);
    if (mock?.kind === 'result' && Array.isArray(mock.value) && mapIterationFailureCount > mock.value.length) {
      throw err.ValidationException('Map iteration failure count must be less than or equal to the number of Map iterations');
    }
  }
  if (errorCausedByState !== undefined) {
    if (type !== 'Map' && type !== 'Parallel') throw err.ValidationException(`TestState does not support ErrorCausedByState for a ${type} state.`);
    if (mock?.kind !== 'error') throw err.ValidationException('TestState does not support ErrorCausedByState when an error is not mocked.');
    if (!nestedStateNames(state).includes(errorCausedByState)) throw err.ValidationException(`State '${errorCausedByState}' given as ErrorCausedByState is not in the ${type} state's definition.`);
  }
  if (mapItemReaderData !== undefined && (type !== 'Map' || state.ItemReader === undefined)) {
    throw err.ValidationException('TestState does not support MapItemReaderData for a state without an ItemReader.');
  }
  if (retrierRetryCount !== undefined && !(Array.isArray(state.Retry) && state.Retry.length > 0)) {
    throw err.ValidationException(`TestState does not support RetrierRetryCount for a state without a Retry field.`);
  }

  let stateInput: unknown;
  try {
    stateInput = parseKeepingText(inputText);
  } catch (e) {
    throw err.InvalidExecutionInput(`Invalid State Machine Execution Input: '${(e as Error).message}'`);
  }
  if (Buffer.byteLength(inputText) > MAX_PAYLOAD_BYTES) throw err.InvalidExecutionInput(`Input size exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes`);

  const machineName = c.ids.uuid();
  const executionName = c.ids.uuid();
  const result = await c.engine.testState({
    state,
    queryLanguage: located.queryLanguage,
    input: stateInput,
    roleArn,
    variables,
    settings: { mock, retrierRetryCount, mapIterationFailureCount, mapItemReaderData, context },
    executionArn: expressExecutionArn(c.partition, machineName, executionName, c.ids.uuid()),
    executionName,
    stateMachineArn: stateMachineArn(c.partition, machineName),
    stateMachineName: machineName,
  });
  return toWire(result, level);
}

/** The response: JSON texts (the original text of a value that passed through unchanged), inspectionData above INFO. */
function toWire(r: TestStateResult, level: (typeof INSPECTION_LEVELS)[number]): TestStateOutput {
  const out: TestStateOutput = { status: r.status };
  if (r.status === 'SUCCEEDED' || r.status === 'CAUGHT_ERROR') out.output = textOf(r.output);
  if (r.nextState !== undefined) out.nextState = r.nextState;
  if (r.error !== undefined) out.error = r.error;
  if (r.cause !== undefined) out.cause = r.cause;
  if (level === 'INFO') return out;
  const data: Record<string, unknown> = {};
  for (const [stage, value] of r.inspection.stages) data[stage] = textOf(value);
  if (Object.keys(r.variables).length > 0) data.variables = textOf(r.variables);
  const i = r.inspection;
  if (i.errorDetails !== undefined) data.errorDetails = i.errorDetails;
  if (i.maxConcurrency !== undefined) data.maxConcurrency = i.maxConcurrency;
  if (i.toleratedFailureCount !== undefined) data.toleratedFailureCount = i.toleratedFailureCount;
  if (i.toleratedFailurePercentage !== undefined) data.toleratedFailurePercentage = i.toleratedFailurePercentage;
  out.inspectionData = data;
  return out;
}

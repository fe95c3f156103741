/**
 * The TestState API's run of one state, on the same state code an execution
 * uses: the state's own stages are recorded into an Inspection as it computes
 * them, a mock replaces the integration (or a Map/Parallel state's
 * sub-workflows), and Retry/Catch report what they would do instead of doing
 * it (base.ts `testRetrying`). The request checks AWS makes before running
 * live in harness/emulator/stepfunctions/test-state.ts.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
 */
import type { EngineOptions } from './api.ts';
import { Cancel } from './cancel.ts';
import { compileProgram, type QueryLanguage, type Raw } from './definition.ts';
import { AbortedError, EngineError, Frame, toStatesError, type ExecutionEnv } from './frame.ts';
import { History } from './history.ts';
import { Inspection, type TestStateSettings } from './inspection.ts';
import { LazyFork } from './lazy-ids.ts';
import { runState } from './states/program.ts';
import type { TokenRegistry } from './tasks/tokens.ts';

/** AWS runs the tested state as a state of this name: `$$.State.Name` and definition errors (`/States/StateName/…`) say so. */
export const TESTED_STATE_NAME = 'StateName';
/** "The TestState API can run for up to five minutes", then fails with States.Timeout. */
const TEST_STATE_LIMIT_MS = 5 * 60 * 1000;

export type TestExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface TestStateRequest {
  /** The state's ASL object (already validated by the caller). */
  state: Raw;
  /** The query language the state inherits from its machine (JSONPath for a lone state). */
  queryLanguage: QueryLanguage;
  input: unknown;
  roleArn: string | undefined;
  variables: Record<string, unknown>;
  settings: Omit<TestStateSettings, 'inspection'>;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
}

export interface TestStateResult {
  status: TestExecutionStatus;
  output?: unknown;
  nextState?: string;
  error?: string;
  cause?: string;
  inspection: Inspection;
  /** The workflow variables after the state (the given ones plus what it assigned). */
  variables: Record<string, unknown>;
}

/** Where a state named `name` is, anywhere in a machine (nested Parallel branches and Map processors included). */
export function locateState(machine: Raw, name: string, inherited: QueryLanguage = 'JSONPath'): { state: Raw; queryLanguage: QueryLanguage } | undefined {
  const ql: QueryLanguage = machine.QueryLanguage === 'JSONata' ? 'JSONata' : machine.QueryLanguage === 'JSONPath' ? 'JSONPath' : inherited;
  const states = machine.States;
  if (typeof states !== 'object' || states === null || Array.isArray(states)) return undefined;
  for (const [stateName, s] of Object.entries(states as Record<string, unknown>)) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) continue;
    const state = s as Raw;
    if (stateName === name) return { state, queryLanguage: ql };
    const nested = [...(Array.isArray(state.Branches) ? state.Branches : []), state.ItemProcessor ?? state.Iterator];
    const stateQl: QueryLanguage = state.QueryLanguage === 'JSONata' ? 'JSONata' : state.QueryLanguage === 'JSONPath' ? 'JSONPath' : ql;
    for (const sub of nested) {
      if (typeof sub !== 'object' || sub === null) continue;
      const found = locateState(sub as Raw, name, stateQl);
      if (found) return found;
    }
  }
  return undefined;
}

export async function runTestState(options: EngineOptions, tokens: TokenRegistry, req: TestStateRequest): Promise<TestStateResult> {
  const inspection = new Inspection();
  const settings: TestStateSettings = { ...req.settings, inspection };
  const program = compileProgram({ StartAt: TESTED_STATE_NAME, States: { [TESTED_STATE_NAME]: req.state } }, '', req.queryLanguage, {
    mocked: settings.mock !== undefined,
  });
  const clock = options.clock;
  const controller = new Cancel();
  const env: ExecutionEnv = {
    executionArn: req.executionArn,
    stateMachineArn: req.stateMachineArn,
    stateMachineName: req.stateMachineName,
    executionName: req.executionName,
    roleArn: req.roleArn ?? '',
    type: 'EXPRESS',
    region: options.region,
    accountId: options.accountId,
    clock,
    ids: new LazyFork(options.ids, req.executionArn),
    invoker: options.invoker,
    s3: options.s3,
    observer: undefined,
    // Recorded like an execution's, never returned: TestState answers with inspectionData.
    history: new History(() => clock.now(), options.maxHistoryEvents ?? 25_000, undefined),
    maxHistoryEvents: options.maxHistoryEvents ?? 25_000,
    tokens,
    contextExecution: {
      Id: req.executionArn,
      Input: req.input,
      StartTime: new Date(clock.now()).toISOString(),
      Name: req.executionName,
      // AWS: null when the request has no roleArn (recorded).
      RoleArn: req.roleArn ?? null,
    },
    contextStateMachine: { Id: req.stateMachineArn, Name: req.stateMachineName },
    test: settings,
  };
  const variables = { ...req.variables };
  const frame = new Frame(env, variables, 0, controller);
  inspection.record('input', req.input);
  const limit = clock.setTimer(TEST_STATE_LIMIT_MS, () => controller.abort());
  try {
    const step = await runState(program.states.get(TESTED_STATE_NAME)!, frame, req.input);
    const caught = inspection.caught;
    return {
      status: caught ? 'CAUGHT_ERROR' : 'SUCCEEDED',
      output: step.output,
      ...(step.next === undefined ? {} : { nextState: step.next }),
      ...(caught ? describeError(caught.error, caught.cause) : {}),
      inspection,
      variables: frame.vars,
    };
  } catch (e) {
    const err = e instanceof AbortedError && controller.aborted ? new EngineError('States.Timeout', undefined) : toStatesError(e);
    return { status: inspection.retriable ? 'RETRIABLE' : 'FAILED', ...describeError(err.error, err.causeText), inspection, variables: frame.vars };
  } finally {
    limit.cancel();
    controller.abort();
  }
}

function describeError(error: string, cause: string): { error?: string; cause?: string } {
  return { ...(error === '' ? {} : { error }), ...(cause === '' ? {} : { cause }) };
}

/**
 * TestState: runs one state on the engine by wrapping it in a machine whose
 * transitions lead to marker states, so the state runs exactly as it would in
 * a real execution and the marker reached names `nextState`. As in AWS,
 * retriers are not run: an error a retrier matches gives status RETRIABLE.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 */
import type { ExecutionHandle } from '../../asl/index.ts';
import { InvalidDefinition } from './errors.ts';

const STATE = 'TestState';
const NEXT = '__rehearse_next__';
const CAUGHT = '__rehearse_caught__';

export interface TestStateMachine {
  definition: string;
  retriers: Array<{ ErrorEquals: string[] }>;
}

type StateJson = Record<string, unknown>;

export function buildTestStateMachine(stateText: string): TestStateMachine {
  let state: StateJson;
  try {
    state = JSON.parse(stateText) as StateJson;
  } catch (e) {
    throw InvalidDefinition(`Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(e as Error).message}'`);
  }
  if (!state || typeof state !== 'object' || Array.isArray(state)) throw InvalidDefinition("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: a state must be a JSON object'");
  const markers: Record<string, StateJson> = {};
  const to = (prefix: string, target: unknown): string => {
    const name = `${prefix}${String(target)}`;
    markers[name] = { Type: 'Pass', End: true };
    return name;
  };
  const s: StateJson = structuredClone(state);
  const retriers = Array.isArray(s.Retry) ? (s.Retry as Array<{ ErrorEquals: string[] }>) : [];
  delete s.Retry;
  if (typeof s.Next === 'string') s.Next = to(NEXT, s.Next);
  if (typeof s.Default === 'string') s.Default = to(NEXT, s.Default);
  if (Array.isArray(s.Choices)) {
    s.Choices = (s.Choices as StateJson[]).map((c) => ({ ...c, Next: to(NEXT, c.Next) }));
  }
  if (Array.isArray(s.Catch)) {
    s.Catch = (s.Catch as StateJson[]).map((c) => ({ ...c, Next: to(CAUGHT, c.Next) }));
  }
  const machine: StateJson = { StartAt: STATE, States: { [STATE]: s, ...markers } };
  if (s.QueryLanguage === 'JSONata') machine.QueryLanguage = 'JSONata';
  for (const m of Object.values(markers)) if (machine.QueryLanguage === 'JSONata') m.QueryLanguage = 'JSONata';
  return { definition: JSON.stringify(machine), retriers };
}

export function testStateOutcome(built: TestStateMachine, handle: ExecutionHandle) {
  const snap = handle.snapshot();
  const entered = handle
    .history()
    .map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name)
    .filter((n): n is string => typeof n === 'string' && n !== STATE);
  const marker = entered.at(-1);
  if (snap.status === 'SUCCEEDED') {
    const caught = marker?.startsWith(CAUGHT) ?? false;
    const nextState = marker ? marker.slice(caught ? CAUGHT.length : NEXT.length) : undefined;
    return {
      output: snap.output,
      status: caught ? 'CAUGHT_ERROR' : 'SUCCEEDED',
      ...(nextState === undefined ? {} : { nextState }),
      ...(caught ? caughtError(handle) : {}),
    };
  }
  const error = snap.error ?? 'States.Runtime';
  const retriable = built.retriers.some((r) => r.ErrorEquals.includes(error) || (r.ErrorEquals.includes('States.ALL') && !error.startsWith('States.Runtime')));
  return { status: retriable ? 'RETRIABLE' : 'FAILED', error, ...(snap.cause === undefined ? {} : { cause: snap.cause }) };
}

/** The error a Catch handled: the last `…Failed` event before the marker state. */
function caughtError(handle: ExecutionHandle): { error?: string; cause?: string } {
  for (const ev of [...handle.history()].reverse()) {
    for (const [key, value] of Object.entries(ev)) {
      if (key.endsWith('FailedEventDetails') || key.endsWith('TimedOutEventDetails')) {
        const d = value as { error?: string; cause?: string };
        return { ...(d.error === undefined ? {} : { error: d.error }), ...(d.cause === undefined ? {} : { cause: d.cause }) };
      }
    }
  }
  return {};
}

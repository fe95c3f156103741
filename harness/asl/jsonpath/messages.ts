/**
 * Cause texts shared by the expression layer. AWS prefixes every runtime
 * failure of a state with where it happened; the texts below were taken from
 * executions recorded against AWS (../shared/conformance/cases.json).
 */
import { StatesError, type StateRef } from '../errors.ts';

/** `An error occurred while executing the state 'X' (entered at the event id #2). ` */
export function statePrefix(where: StateRef): string {
  return `An error occurred while executing the state '${where.stateName}' (entered at the event id #${where.enteredEventId}). `;
}

export function runtimeError(where: StateRef, message: string): StatesError {
  return new StatesError('States.Runtime', statePrefix(where) + message);
}

/** Compact JSON as AWS quotes values inside causes (`{"foo":"bar"}`). */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

/**
 * Jayway JsonPath's normalised path text, which AWS quotes in
 * `Invalid path '$.a' : No results for path: $['a']`.
 */
export function normalisedPath(segments: ReadonlyArray<string | number>): string {
  let out = '$';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : `['${s}']`;
  return out;
}

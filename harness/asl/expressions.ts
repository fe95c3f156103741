/**
 * The engine's one door to the query languages (written by engine-expressions
 * under jsonpath/, intrinsics/, jsonata/, choice/). Adds what the engine needs
 * around them: the `EvaluationFailed` location of a JSONata failure.
 */
import { StatesError } from './errors.ts';

export { selectPath, applyPayloadTemplate, applyResultPath, evaluateAssignJsonPath } from './jsonpath/index.ts';
export type { PathScope } from './jsonpath/index.ts';
export { evaluateIntrinsic, isIntrinsic } from './intrinsics/index.ts';
import { evaluateJsonataValue, type JsonataScope } from './jsonata/index.ts';
import type { StateRef } from './errors.ts';
export { evaluateJsonataValue, evaluateAssignJsonata } from './jsonata/index.ts';
export type { JsonataScope } from './jsonata/index.ts';
export { evaluateChoiceRule } from './choice/index.ts';

/** TEMPORARY until engine-expressions exports it from choice/: a JSONata Choice `Condition`. */
export async function evaluateJsonataCondition(condition: string, scope: JsonataScope, where: StateRef): Promise<boolean> {
  const v = await evaluateJsonataValue(condition, scope, where, 'Condition');
  if (typeof v !== 'boolean') {
    throw new StatesError('States.QueryEvaluationError', `An error occurred while executing the state '${where.stateName}' (entered at the event id #${where.enteredEventId}). The JSONata expression '${condition.replace(/^\{%\s*/, '').replace(/\s*%\}$/, '')}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}' for value: ${JSON.stringify(v)}`);
  }
  return v;
}

const FIELD_IN_CAUSE = /specified for the field '([^']+)'/;

/** `EvaluationFailed.location`: the field named in AWS's cause text, else the field being evaluated. */
export function evaluationLocation(error: StatesError, field: string | undefined): string | undefined {
  const m = FIELD_IN_CAUSE.exec(error.causeText);
  return m ? m[1] : field;
}

export function isJsonataString(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('{%') && v.endsWith('%}');
}

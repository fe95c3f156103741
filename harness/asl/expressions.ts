/**
 * The engine's one door to the query languages (written by engine-expressions
 * under jsonpath/, intrinsics/, jsonata/, choice/). Adds what the engine needs
 * around them: the `EvaluationFailed` location of a JSONata failure.
 */
import { StatesError } from './errors.ts';

export { selectPath, applyPayloadTemplate, applyResultPath, evaluateAssignJsonPath } from './jsonpath/index.ts';
export type { PathScope } from './jsonpath/index.ts';
export { evaluateIntrinsic, isIntrinsic } from './intrinsics/index.ts';
export { evaluateJsonataValue, evaluateAssignJsonata } from './jsonata/index.ts';
export type { JsonataScope } from './jsonata/index.ts';
export { evaluateChoiceRule, evaluateJsonataCondition } from './choice/index.ts';

const FIELD_IN_CAUSE = /specified for the field '([^']+)'/;

/** `EvaluationFailed.location`: the field named in AWS's cause text, else the field being evaluated. */
export function evaluationLocation(error: StatesError, field: string | undefined): string | undefined {
  const m = FIELD_IN_CAUSE.exec(error.causeText);
  return m ? m[1] : field;
}

export function isJsonataString(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('{%') && v.endsWith('%}');
}

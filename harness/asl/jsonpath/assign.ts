/**
 * `Assign` in JSONPath states — https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 * The block is a payload template: `name.$` keys take a path or intrinsic,
 * other values are literal (`"$.x"` without `.$` stays the string "$.x").
 * `$` is the state's result when it has one (Task/Map/Parallel result after
 * ResultSelector, Pass Result/Parameters), otherwise its input. Every
 * expression sees the variables as they were before this Assign.
 */
import type { IdSource } from '../../core/index.ts';
import type { StateRef } from '../errors.ts';
import { applyPayloadTemplate } from './payload-template.ts';
import type { PathScope } from './resolve.ts';

export function evaluateAssignJsonPath(
  assign: Record<string, unknown>,
  scope: PathScope & { result?: unknown },
  where: StateRef,
  ids: IdSource,
): Record<string, unknown> {
  const effective: PathScope = 'result' in scope && scope.result !== undefined
    ? { input: scope.result, context: scope.context, variables: scope.variables }
    : scope;
  return applyPayloadTemplate(assign, effective, where, 'Assign', ids) as Record<string, unknown>;
}

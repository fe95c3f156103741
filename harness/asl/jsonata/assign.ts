/**
 * `Assign` in JSONata states — https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 * Each value is evaluated like any JSONata field (field name `Assign/<name>`,
 * as in AWS's causes); all values see the variables as they were before
 * this Assign, so `{"a": 1, "b": "{% $a %}"}` reads the old `$a`.
 */
import type { StateRef } from '../errors.ts';
import type { JsonataOptions, JsonataScope } from './expression.ts';
import { evaluateJsonataValue } from './value.ts';

export async function evaluateAssignJsonata(
  assign: Record<string, unknown>,
  scope: JsonataScope,
  where: StateRef,
  options?: JsonataOptions,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(assign)) {
    out[name] = await evaluateJsonataValue(value, scope, where, `Assign/${name}`, options);
  }
  return out;
}

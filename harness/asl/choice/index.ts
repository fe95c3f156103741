/**
 * Choice rules. JSONPath: `Variable` + one comparison operator, or
 * And / Or / Not. JSONata: a `Condition` that must evaluate to a boolean.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import type { StateRef } from '../errors.ts';
import { evaluateJsonataTyped, type JsonataOptions, type JsonataScope } from '../jsonata/index.ts';
import { compileOrFail, readPath, type PathScope } from '../jsonpath/index.ts';
import { runtimeError } from '../jsonpath/messages.ts';
import { compare, COMPARISONS, matches, TYPE_TESTS, typeTest, type TypeTest } from './operators.ts';

export { COMPARISONS, TYPE_TESTS } from './operators.ts';
export { parseTimestamp, isTimestamp } from './timestamp.ts';
export { stringMatches } from './string-matches.ts';

/** AWS: `Invalid path '$.x': The choice state's condition path references an invalid value.` */
function invalidValue(where: StateRef, path: string) {
  return runtimeError(where, `Invalid path '${path}': The choice state's condition path references an invalid value.`);
}

function read(path: string, scope: PathScope, where: StateRef): { present: boolean; value: unknown } {
  const r = readPath(compileOrFail(path, where), scope);
  return r.found ? { present: true, value: r.value } : { present: false, value: undefined };
}

export function evaluateChoiceRule(rule: Record<string, unknown>, scope: PathScope, where: StateRef): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Array<Record<string, unknown>>).every((r) => evaluateChoiceRule(r, scope, where));
  if (Array.isArray(rule.Or)) return (rule.Or as Array<Record<string, unknown>>).some((r) => evaluateChoiceRule(r, scope, where));
  if (rule.Not !== null && typeof rule.Not === 'object') return !evaluateChoiceRule(rule.Not as Record<string, unknown>, scope, where);

  const variable = rule.Variable;
  if (typeof variable !== 'string') throw runtimeError(where, 'A Choice rule needs a Variable (or And, Or, Not).');
  for (const test of TYPE_TESTS) {
    if (test in rule) {
      const { present, value } = read(variable, scope, where);
      if (!present && test !== 'IsPresent') throw invalidValue(where, variable);
      return typeTest(test as TypeTest, present, value, rule[test]);
    }
  }
  for (const [key, operand] of Object.entries(rule)) {
    if (key === 'StringMatches') {
      const left = read(variable, scope, where);
      if (!left.present) throw invalidValue(where, variable);
      return matches(left.value, operand);
    }
    const op = COMPARISONS.get(key);
    if (!op) continue;
    const left = read(variable, scope, where);
    if (!left.present) throw invalidValue(where, variable);
    let right = operand;
    if (op.path) {
      if (typeof operand !== 'string') throw runtimeError(where, `The value of ${key} must be a path.`);
      const r = read(operand, scope, where);
      if (!r.present) throw invalidValue(where, operand);
      right = r.value;
    }
    return compare(op.kind, op.relation, left.value, right);
  }
  throw runtimeError(where, `The Choice rule on '${variable}' has no comparison operator.`);
}

/**
 * JSONata `Condition`: must produce a boolean, else States.QueryEvaluationError
 * (`… specified for the field 'Condition' returned an unexpected result type.
 * Expected 'boolean', but was 'string' for value: "x"`).
 */
export async function evaluateJsonataCondition(condition: string, scope: JsonataScope, where: StateRef, options?: JsonataOptions): Promise<boolean> {
  return (await evaluateJsonataTyped(condition, 'boolean', scope, where, 'Condition', options)) as boolean;
}

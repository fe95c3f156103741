/**
 * The JSONata query language: `{% %}` fields, `$states`, variables, Assign.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
import type { StateRef } from '../errors.ts';
import { jsonataExpressionText, queryEvaluationError, type JsonataOptions, type JsonataScope } from './expression.ts';
import { evaluateJsonataValue } from './value.ts';

export type { JsonataScope, JsonataOptions } from './expression.ts';
export { jsonataExpressionText, jsonataSyntaxError, jsonataTopLevelContextReference, queryEvaluationError } from './expression.ts';
export { evaluateAssignJsonata } from './assign.ts';
export { evaluateJsonataValue } from './value.ts';

export type JsonType = 'array' | 'object' | 'string' | 'number' | 'boolean' | 'null';

export function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as JsonType;
}

/**
 * Evaluates a field that must produce one JSON type (Items → array,
 * Condition → boolean, …). AWS's text: `The JSONata expression 'true'
 * specified for the field 'Items' returned an unexpected result type.
 * Expected 'array', but was 'boolean' for value: true`.
 */
export async function evaluateJsonataTyped(value: unknown, expected: JsonType, scope: JsonataScope, where: StateRef, field: string, options?: JsonataOptions): Promise<unknown> {
  const result = await evaluateJsonataValue(value, scope, where, field, options);
  const actual = jsonTypeOf(result);
  if (actual !== expected) {
    const text = jsonataExpressionText(value) ?? JSON.stringify(value);
    throw queryEvaluationError(
      where,
      `The JSONata expression '${text}' specified for the field '${field}' returned an unexpected result type. Expected '${expected}', but was '${actual}' for value: ${JSON.stringify(result)}`,
    );
  }
  return result;
}

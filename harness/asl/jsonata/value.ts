/**
 * Evaluating a JSONata-mode field value recursively.
 */
import type { StateRef } from '../errors.ts';
import { evaluateExpression, jsonataExpressionText, type JsonataOptions, type JsonataScope } from './expression.ts';

/**
 * Evaluates a field value: a `{% expr %}` string is an expression; objects
 * and arrays are evaluated member by member (field names `Output/key`,
 * `Output/list/0`); everything else is literal.
 */
export async function evaluateJsonataValue(value: unknown, scope: JsonataScope, where: StateRef, field: string, options?: JsonataOptions): Promise<unknown> {
  if (typeof value === 'string') {
    const text = jsonataExpressionText(value);
    return text === undefined ? value : evaluateExpression(text, scope, where, field, options);
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(await evaluateJsonataValue(value[i], scope, where, `${field}/${i}`, options));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = await evaluateJsonataValue(v, scope, where, `${field}/${k}`, options);
  }
  return out;
}

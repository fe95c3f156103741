/**
 * Subscription filter policies on message attributes (SNS developer guide,
 * "Amazon SNS message filtering"), scope `MessageAttributes`: exact strings and
 * numbers, `prefix`, `suffix`, `anything-but`, `numeric`, `exists`,
 * `equals-ignore-case`. Keys are ANDed, values in a key's list ORed. A policy
 * with scope `MessageBody` is matched against the JSON message body's
 * top-level (and nested) properties the same way.
 */
import type { MessageAttribute } from './models.ts';

type Condition = string | number | boolean | null | Record<string, unknown>;

function numberOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function numericMatch(spec: unknown[], n: number | undefined): boolean {
  if (n === undefined) return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const bound = Number(spec[i + 1]);
    const ok = op === '=' ? n === bound : op === '<' ? n < bound : op === '<=' ? n <= bound : op === '>' ? n > bound : op === '>=' ? n >= bound : false;
    if (!ok) return false;
  }
  return true;
}

/** Whether one condition matches one of the values the attribute holds (`undefined` = attribute absent). */
function conditionMatches(cond: Condition, values: string[] | undefined, isNumber: boolean): boolean {
  if (cond !== null && typeof cond === 'object') {
    const [op, arg] = Object.entries(cond)[0] ?? [];
    switch (op) {
      case 'exists':
        return arg === true ? values !== undefined : values === undefined;
      case 'prefix':
        return values?.some((v) => v.startsWith(String(arg))) ?? false;
      case 'suffix':
        return values?.some((v) => v.endsWith(String(arg))) ?? false;
      case 'equals-ignore-case':
        return values?.some((v) => v.toLowerCase() === String(arg).toLowerCase()) ?? false;
      case 'numeric':
        return values?.some((v) => numericMatch(Array.isArray(arg) ? arg : [], numberOf(v))) ?? false;
      case 'anything-but': {
        if (values === undefined) return false;
        if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
          const prefix = (arg as { prefix?: unknown }).prefix;
          return typeof prefix === 'string' ? values.every((v) => !v.startsWith(prefix)) : true;
        }
        const banned = (Array.isArray(arg) ? arg : [arg]).map(String);
        return values.every((v) => !banned.includes(v));
      }
      default:
        return false;
    }
  }
  if (values === undefined) return false;
  if (typeof cond === 'number') return values.some((v) => numberOf(v) === cond);
  if (!isNumber || typeof cond === 'string') return values.some((v) => v === String(cond));
  return false;
}

function matchKey(policyValue: unknown, values: string[] | undefined, isNumber: boolean): boolean {
  const conds = (Array.isArray(policyValue) ? policyValue : [policyValue]) as Condition[];
  return conds.some((c) => conditionMatches(c, values, isNumber));
}

function attributeValues(attr: MessageAttribute | undefined): string[] | undefined {
  if (!attr) return undefined;
  if (attr.DataType.startsWith('String.Array')) {
    try {
      const arr = JSON.parse(attr.StringValue ?? '[]') as unknown[];
      return arr.map(String);
    } catch {
      return [attr.StringValue ?? ''];
    }
  }
  return [attr.StringValue ?? attr.BinaryValue ?? ''];
}

export function matchesAttributes(policy: Record<string, unknown>, attributes: Record<string, MessageAttribute>): boolean {
  return Object.entries(policy).every(([key, cond]) => {
    const attr = attributes[key];
    return matchKey(cond, attributeValues(attr), attr?.DataType.startsWith('Number') ?? false);
  });
}

export function matchesBody(policy: Record<string, unknown>, body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  const obj = body as Record<string, unknown>;
  return Object.entries(policy).every(([key, cond]) => {
    const value = obj[key];
    // In a body policy, operators only appear inside arrays; a bare object is a nested property.
    if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) return matchesBody(cond as Record<string, unknown>, value);
    const values = value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map((v) => String(v));
    return matchKey(cond, values, typeof value === 'number');
  });
}

/** Parses a FilterPolicy attribute; throws a plain Error naming the problem. */
export function parseFilterPolicy(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('FilterPolicy must be a JSON object');
  return parsed as Record<string, unknown>;
}

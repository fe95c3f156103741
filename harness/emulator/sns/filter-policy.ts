/**
 * Subscription filter policies (SNS developer guide, "Amazon SNS message
 * filtering"): EventBridge's event-pattern language without `wildcard`,
 * matched by the shared module in harness/emulator/event-pattern. Scope
 * `MessageAttributes` matches the message attributes as one JSON object
 * (`String` → string, `Number` → number, `String.Array` → its array);
 * scope `MessageBody` matches the JSON message body, nested properties included.
 */
import { compilePattern, compilePatternText, EventPatternError, matchesPattern, type CompiledPattern } from '../event-pattern/index.ts';
import type { MessageAttribute } from './models.ts';

const SNS_DIALECT = { unsupported: ['wildcard'] } as const;

function compiled(policy: Record<string, unknown>): CompiledPattern | undefined {
  try {
    return compilePattern(policy, SNS_DIALECT);
  } catch (e) {
    if (e instanceof EventPatternError) return undefined;
    throw e;
  }
}

/** What a filter policy sees of one attribute. */
function attributeValue(attr: MessageAttribute): unknown {
  const text = attr.StringValue ?? attr.BinaryValue ?? '';
  if (attr.DataType.startsWith('Number')) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (attr.DataType.startsWith('String.Array')) {
    try {
      const arr = JSON.parse(text) as unknown;
      return Array.isArray(arr) ? arr : text;
    } catch {
      return text;
    }
  }
  return text;
}

export function matchesAttributes(policy: Record<string, unknown>, attributes: Record<string, MessageAttribute>): boolean {
  const pattern = compiled(policy);
  if (!pattern) return false;
  const values: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(attributes)) values[name] = attributeValue(attr);
  return matchesPattern(pattern, values);
}

export function matchesBody(policy: Record<string, unknown>, body: unknown): boolean {
  const pattern = compiled(policy);
  return pattern !== undefined && matchesPattern(pattern, body);
}

/** Parses and checks a FilterPolicy attribute; throws a plain Error naming the problem (and where). */
export function parseFilterPolicy(text: string): Record<string, unknown> {
  try {
    compilePatternText(text, SNS_DIALECT);
  } catch (e) {
    if (e instanceof EventPatternError) throw new Error(e.message, { cause: e });
    throw e;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

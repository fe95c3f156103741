/**
 * Matching a compiled pattern against an event (any JSON value). Fields of a
 * pattern object are ANDed, the elements of a pattern array are ORed; a
 * nested pattern object follows the event's structure, and an event array is
 * looked through: its elements are tried one by one, so the fields of one
 * sub-pattern must all match within the same element.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html#eb-filtering-match-values
 */
import type { CompiledPattern } from './compile.ts';
import { testLeaf, type Condition, type Leaf } from './conditions.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The leaf values a field offers: scalars, and the scalars inside (nested) arrays. Objects are not leaves. */
function leaves(v: unknown, out: Leaf[] = []): Leaf[] {
  if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(v);
  return out;
}

/** Whether a field's value satisfies one of the conditions of its pattern array. */
function matchesConditions(conditions: Condition[], value: unknown, present: boolean): boolean {
  const values = present ? leaves(value) : [];
  for (const c of conditions) {
    // `exists` only looks at leaves: a field holding an object (or an empty array) does not "exist".
    if (c.kind === 'exists') {
      if (c.exists === values.length > 0) return true;
      continue;
    }
    for (const v of values) if (testLeaf(c, v)) return true;
  }
  return false;
}

function matchesObject(p: CompiledPattern, event: Record<string, unknown>): boolean {
  for (const { name, node } of p.fields) {
    const present = Object.prototype.hasOwnProperty.call(event, name);
    const value = present ? event[name] : undefined;
    if (Array.isArray(node)) {
      if (!matchesConditions(node, value, present)) return false;
    } else if (!matchesNested(node, value)) return false;
  }
  return p.or.every((alternatives) => alternatives.some((alt) => matchesObject(alt, event)));
}

function matchesNested(p: CompiledPattern, value: unknown): boolean {
  if (Array.isArray(value) && value.length > 0) return value.some((element) => matchesNested(p, element));
  if (isObject(value)) return matchesObject(p, value);
  // A pattern that only asks for absence matches where the whole subtree is missing.
  return matchesObject(p, {});
}

/** Whether `event` matches the compiled pattern. */
export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  return isObject(event) ? matchesObject(pattern, event) : false;
}

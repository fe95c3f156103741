/**
 * Choice rule comparison operators (JSONPath states).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html#amazon-states-language-choice-state-rules
 * A comparison whose operands are not of the operator's type is false, not
 * an error (491 recorded AWS executions agree).
 */
import { stringMatches } from './string-matches.ts';
import { isTimestamp, parseTimestamp } from './timestamp.ts';

export type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
export type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

export const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;
export type TypeTest = (typeof TYPE_TESTS)[number];

export interface Comparison {
  kind: Kind;
  relation: Relation;
  /** `…Path` variant: the operand is a path into the input. */
  path: boolean;
}

const KINDS: readonly Kind[] = ['String', 'Numeric', 'Boolean', 'Timestamp'];
const RELATIONS: readonly Relation[] = ['Equals', 'LessThanEquals', 'GreaterThanEquals', 'LessThan', 'GreaterThan'];

/** Every comparison operator name → its meaning (StringMatches is separate). */
export const COMPARISONS: ReadonlyMap<string, Comparison> = (() => {
  const m = new Map<string, Comparison>();
  for (const kind of KINDS) {
    for (const relation of RELATIONS) {
      if (kind === 'Boolean' && relation !== 'Equals') continue;
      m.set(`${kind}${relation}`, { kind, relation, path: false });
      m.set(`${kind}${relation}Path`, { kind, relation, path: true });
    }
  }
  return m;
})();

function relate(c: number, relation: Relation): boolean {
  switch (relation) {
    case 'Equals': return c === 0;
    case 'LessThan': return c < 0;
    case 'GreaterThan': return c > 0;
    case 'LessThanEquals': return c <= 0;
    case 'GreaterThanEquals': return c >= 0;
  }
}

export function compare(kind: Kind, relation: Relation, left: unknown, right: unknown): boolean {
  switch (kind) {
    case 'String':
      if (typeof left !== 'string' || typeof right !== 'string') return false;
      return relate(left < right ? -1 : left > right ? 1 : 0, relation);
    case 'Numeric':
      if (typeof left !== 'number' || typeof right !== 'number') return false;
      return relate(left < right ? -1 : left > right ? 1 : 0, relation);
    case 'Boolean':
      return typeof left === 'boolean' && typeof right === 'boolean' && left === right;
    case 'Timestamp': {
      const a = parseTimestamp(left);
      const b = parseTimestamp(right);
      if (a === undefined || b === undefined) return false;
      return relate(a < b ? -1 : a > b ? 1 : 0, relation);
    }
  }
}

export function typeTest(test: TypeTest, present: boolean, value: unknown, expected: unknown): boolean {
  let actual: boolean;
  switch (test) {
    case 'IsPresent': actual = present; break;
    case 'IsNull': actual = present && value === null; break;
    case 'IsNumeric': actual = present && typeof value === 'number'; break;
    case 'IsString': actual = present && typeof value === 'string'; break;
    case 'IsBoolean': actual = present && typeof value === 'boolean'; break;
    case 'IsTimestamp': actual = present && isTimestamp(value); break;
  }
  return actual === expected;
}

export function matches(value: unknown, pattern: unknown): boolean {
  return typeof value === 'string' && typeof pattern === 'string' && stringMatches(value, pattern);
}

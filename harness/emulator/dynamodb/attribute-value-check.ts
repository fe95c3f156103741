/**
 * dynalite's `validateAttributeValue` — DynamoDB's rules for one attribute
 * value (one data type, a NULL that is true, sets neither empty nor holding
 * duplicates, numbers of at most 38 digits within 1E-130..1E+125, rewritten
 * in canonical form) — with a shortcut for values that pass: each number
 * string is parsed by big.js once and its canonical form remembered, which
 * was most of a PutItem's validation (bench/dynamodb.ts). Anything that
 * fails, or that the shortcut does not know, goes to dynalite's own check,
 * which gives the message; re-running it on a value the shortcut has already
 * partly rewritten is the same, as a canonical number stays as it is.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */
import type { AttributeValue } from './dynalite.ts';

export type ValidateAttributeValue = (value: AttributeValue) => string | undefined;
type FindDuplicate = (values: unknown[]) => unknown;

const NUMBER_MEMO_SIZE = 10_000;

export function fastAttributeValueCheck(original: ValidateAttributeValue, findDuplicate: FindDuplicate): ValidateAttributeValue {
  /** A number string → its canonical form, or null when DynamoDB refuses it. */
  const numbers = new Map<string, string | null>();

  function canonical(n: unknown): string | null {
    if (typeof n !== 'string') return null;
    let known = numbers.get(n);
    if (known === undefined) {
      const probe = { N: n };
      known = original(probe) === undefined ? probe.N : null;
      if (numbers.size >= NUMBER_MEMO_SIZE) numbers.clear();
      numbers.set(n, known);
    }
    return known;
  }

  /** True when dynalite would pass `value`, rewritten as it would rewrite it; false: ask dynalite. */
  function passes(value: Record<string, unknown>): boolean {
    let types = 0;
    for (const type in value) {
      types++;
      const v = value[type];
      switch (type) {
        case 'S':
        case 'B':
        case 'BOOL':
          break;
        case 'N': {
          const n = canonical(v);
          if (n === null) return false;
          value.N = n;
          break;
        }
        case 'NULL':
          if (!v) return false;
          break;
        case 'SS':
        case 'BS':
          if (!Array.isArray(v) || v.length === 0 || findDuplicate(v)) return false;
          break;
        case 'NS': {
          if (!Array.isArray(v) || v.length === 0) return false;
          for (let i = 0; i < v.length; i++) {
            const n = canonical(v[i]);
            if (n === null) return false;
            v[i] = n;
          }
          if (findDuplicate(v)) return false;
          break;
        }
        case 'M': {
          if (v === null || typeof v !== 'object') return false;
          const map = v as Record<string, unknown>;
          for (const name in map) {
            const member = map[name];
            if (member === null || typeof member !== 'object' || !passes(member as Record<string, unknown>)) return false;
          }
          break;
        }
        case 'L': {
          if (!Array.isArray(v)) return false;
          for (const member of v) if (member === null || typeof member !== 'object' || !passes(member as Record<string, unknown>)) return false;
          break;
        }
        default:
          return false;
      }
    }
    return types === 1;
  }

  return (value) => (value !== null && typeof value === 'object' && passes(value as unknown as Record<string, unknown>) ? undefined : original(value));
}

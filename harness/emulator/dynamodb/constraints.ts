/**
 * dynalite's constraint check (`checkValidations`: `required`, `tableName`,
 * then `notNull`, ranges, `regex`, lengths and `enum` on every member, down
 * through lists, maps and structures — the ValidationException pass after
 * the member types) with a fast path for a request that passes. dynalite
 * builds every message it might need and a RegExp per `regex` member of
 * every request; here a passing request is only tested (RegExps made once
 * per pattern), and the first sign of a failure, or a rule this does not
 * mirror (`keys`, `values` on maps), hands the request to dynalite's own
 * check, so every error is dynalite's, word for word
 * (test/emulator/dynamodb/constraints.test.ts).
 */
type Rules = Record<string, unknown>;

const patterns = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(`^${source}$`);
    patterns.set(source, re);
  }
  return re;
}

/** As dynalite's length rules: an object that is not an array counts its keys. */
function lengthOf(value: unknown): number {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value).length : (value as { length: number }).length;
}

/** One rule of one member; false: it fails, or it is not one mirrored here. */
function passes(rule: string, limit: unknown, value: unknown): boolean {
  switch (rule) {
    case 'notNull':
      return value != null;
    case 'greaterThanOrEqual':
      return (value as number) >= (limit as number);
    case 'lessThanOrEqual':
      return (value as number) <= (limit as number);
    case 'regex':
      return pattern(limit as string).test(String(value));
    case 'lengthGreaterThanOrEqual':
      return lengthOf(value) >= (limit as number);
    case 'lengthLessThanOrEqual':
      return lengthOf(value) <= (limit as number);
    case 'enum':
      return (limit as unknown[]).indexOf(value) !== -1;
    default:
      return false;
  }
}

function memberPasses(value: unknown, rules: unknown): boolean {
  // As dynalite: a member described by a type name alone has no rules.
  if (rules == null || typeof rules !== 'object') return true;
  const r = rules as Rules;
  for (const rule in r) {
    if (rule === 'type' || rule === 'required' || rule === 'tableName') continue;
    if (rule !== 'notNull' && value == null) continue;
    if (rule === 'children') {
      const type = r.type as string | undefined;
      if (/List$/.test(String(type))) {
        for (const element of value as unknown[]) if (!memberPasses(element, r.children)) return false;
      } else if (/Map/.test(String(type))) {
        const map = value as Record<string, unknown>;
        for (const key of Object.keys(map)) if (!memberPasses(map[key], r.children)) return false;
      } else if (!membersPass(value as Record<string, unknown>, r.children)) return false;
      continue;
    }
    if (!passes(rule, r[rule], value)) return false;
  }
  return true;
}

function membersPass(data: Record<string, unknown>, types: unknown): boolean {
  // dynalite walks a structure whose children are a type name character by character: no rules either.
  if (types == null || typeof types !== 'object') return true;
  for (const name in types as Rules) if (!memberPasses(data[name], (types as Rules)[name])) return false;
  return true;
}

/** True when dynalite's `checkValidations` would find nothing wrong with `data` (its `custom` check aside). */
export function satisfiesConstraints(data: Record<string, unknown>, types: Rules): boolean {
  for (const name in types) {
    const rules = types[name] as { required?: boolean; tableName?: boolean } | undefined;
    if (rules?.required && data[name] == null) return false;
    const value = data[name] as string | undefined;
    if (rules?.tableName && value != null && (value.length < 3 || value.length > 255)) return false;
  }
  return membersPass(data, types);
}

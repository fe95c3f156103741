/**
 * Partial deep matching of JSON values, as used by `then.execution.output`,
 * state outputs, SNS messages and object bodies. Pure.
 *
 * - Objects: every expected key must match; extra actual keys are fine.
 * - Arrays: same length, element by element (partial for objects inside).
 * - Matcher objects — every key starts with `$`: `$gte`, `$gt`, `$lte`, `$lt`,
 *   `$contains` (substring or array element), `$matches` (regex), `$exists`,
 *   `$absent`, `$length`, `$type`, `$any` (one of several values), `$approx` + `$tolerance`.
 */
import { requireCommonJs } from '../core/commonjs.ts';

const { JSONPath } = requireCommonJs('jsonpath-plus') as typeof import('jsonpath-plus');

export interface Mismatch {
  /** JSON-ish path inside the value, e.g. `$.images[0].width`. */
  path: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

const MATCHER_KEYS = new Set([
  '$gte',
  '$gt',
  '$lte',
  '$lt',
  '$contains',
  '$matches',
  '$exists',
  '$absent',
  '$length',
  '$type',
  '$any',
  '$approx',
  '$tolerance',
  '$not',
]);

export function isMatcher(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function child(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function applyMatcher(m: Record<string, unknown>, actual: unknown, path: string, present: boolean): Mismatch[] {
  const out: Mismatch[] = [];
  const fail = (message: string) => out.push({ path, expected: m, actual, message });
  for (const [k, want] of Object.entries(m)) {
    if (!MATCHER_KEYS.has(k)) {
      fail(`unknown matcher ${k} (known: ${[...MATCHER_KEYS].join(', ')})`);
      continue;
    }
    switch (k) {
      case '$exists':
        if (Boolean(want) !== present) fail(want ? 'expected a value, found none' : 'expected no value');
        break;
      case '$absent':
        if (Boolean(want) === present) fail(want ? 'expected no value' : 'expected a value, found none');
        break;
      case '$gte':
      case '$gt':
      case '$lte':
      case '$lt': {
        if (typeof actual !== 'number' || typeof want !== 'number') {
          fail(`${k} needs numbers, got ${typeOf(actual)}`);
          break;
        }
        const ok = k === '$gte' ? actual >= want : k === '$gt' ? actual > want : k === '$lte' ? actual <= want : actual < want;
        if (!ok) fail(`expected ${k.slice(1)} ${want}, got ${actual}`);
        break;
      }
      case '$approx': {
        const tol = typeof m.$tolerance === 'number' ? m.$tolerance : 1e-6;
        if (typeof actual !== 'number' || typeof want !== 'number' || Math.abs(actual - want) > tol)
          fail(`expected ≈ ${String(want)} (± ${tol}), got ${JSON.stringify(actual)}`);
        break;
      }
      case '$tolerance':
        break;
      case '$contains':
        if (typeof actual === 'string') {
          if (!actual.includes(String(want))) fail(`expected text containing ${JSON.stringify(want)}`);
        } else if (Array.isArray(actual)) {
          if (!actual.some((el) => matchValue(want, el).length === 0)) fail(`expected an element matching ${JSON.stringify(want)}`);
        } else fail(`$contains needs a string or array, got ${typeOf(actual)}`);
        break;
      case '$matches':
        if (typeof actual !== 'string' || !new RegExp(String(want)).test(actual)) fail(`expected text matching /${String(want)}/`);
        break;
      case '$length': {
        const len = typeof actual === 'string' || Array.isArray(actual) ? actual.length : undefined;
        if (len === undefined) fail(`$length needs a string or array, got ${typeOf(actual)}`);
        else if (isMatcher(want)) out.push(...applyMatcher(want, len, `${path}.length`, true));
        else if (len !== want) fail(`expected length ${String(want)}, got ${len}`);
        break;
      }
      case '$type':
        if (typeOf(actual) !== want) fail(`expected type ${String(want)}, got ${typeOf(actual)}`);
        break;
      case '$any':
        if (!Array.isArray(want) || !want.some((w) => matchValue(w, actual, path, present).length === 0))
          fail(`expected one of ${JSON.stringify(want)}`);
        break;
      case '$not':
        if (matchValue(want, actual, path, present).length === 0) fail(`expected anything but ${JSON.stringify(want)}`);
        break;
    }
  }
  return out;
}

/** Mismatches of `actual` against the partial expectation `expected` (empty = match). */
export function matchValue(expected: unknown, actual: unknown, path = '$', present = actual !== undefined): Mismatch[] {
  if (isMatcher(expected)) return applyMatcher(expected, actual, path, present);
  if (expected === null || typeof expected !== 'object') {
    if (Object.is(expected, actual) || expected === actual) return [];
    return [{ path, expected, actual, message: present ? `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}` : `expected ${JSON.stringify(expected)}, found no value` }];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual, message: `expected an array, got ${present ? typeOf(actual) : 'no value'}` }];
    const out: Mismatch[] = [];
    if (expected.length !== actual.length)
      out.push({ path, expected: expected.length, actual: actual.length, message: `expected ${expected.length} elements, got ${actual.length}` });
    expected.forEach((e, i) => {
      if (i < actual.length) out.push(...matchValue(e, actual[i], child(path, i)));
    });
    return out;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
    return [{ path, expected, actual, message: `expected an object, got ${present ? typeOf(actual) : 'no value'}` }];
  const out: Mismatch[] = [];
  const a = actual as Record<string, unknown>;
  for (const [k, e] of Object.entries(expected as Record<string, unknown>)) {
    out.push(...matchValue(e, a[k], child(path, k), Object.prototype.hasOwnProperty.call(a, k)));
  }
  return out;
}

/** Evaluates a JSONPath selector: one match → that value; several → the array; none → undefined. */
export function select(path: string, json: unknown): { found: boolean; value: unknown } {
  if (json === undefined) return { found: false, value: undefined };
  const results = JSONPath({ path, json: json as object, wrap: true }) as unknown[];
  if (results.length === 0) return { found: false, value: undefined };
  return { found: true, value: results.length === 1 && !/\[\*\]|\.\.|\[\?/.test(path) ? results[0] : results };
}

/** Parses JSON text if it is JSON, else returns the text. */
export function parseMaybeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Short, single-line JSON for messages. */
export function brief(v: unknown, max = 160): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Comparison rules from the corpus README ("How a runner should compare"):
 * normalise dates/region/partition like the snapshot tool, then compare
 * status, output (deep, placeholders as wildcards), error, cause, and the
 * history event-type sequence (as a multiset for concurrent branches).
 */
const ISO_DATE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?(\d{2})?)/g;

/** Bare words the snapshot tool wrote in place of volatile values. */
const BARE_PLACEHOLDERS = new Set([
  'date',
  'timestamp',
  'snf_role_arn',
  'sfn_role_arn',
  'start-time',
  'entered-time',
  'RequestId',
  'x-amzn-RequestId',
  'X-Amzn-Trace-Id',
  'x-amz-crc32',
  'RandomNumberGenerated',
  'LogResult',
  'map_run_arn',
]);

/** Like the snapshot tool: only real calendar date-times become `date`. */
function replaceDates(text: string): string {
  return text.replace(ISO_DATE, (m) => {
    const [, mo, d, h, mi, s] = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(m)!.map(Number);
    return mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= 31 && h! <= 23 && mi! <= 59 && s! <= 59 ? 'date' : m;
  });
}

export function normaliseText(text: string): string {
  return replaceDates(text).replaceAll('us-east-1', '<region>').replaceAll('arn:aws:', 'arn:<partition>:');
}

export function normalise(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(normaliseText(JSON.stringify(value))) as unknown;
}

const TOKEN = /<[^<>\s]+>/g;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `expected` with `<token>`s and bare placeholder words as wildcards. */
export function wildcardMatch(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  if (BARE_PLACEHOLDERS.has(expected)) return true;
  if (!TOKEN.test(expected)) return false;
  TOKEN.lastIndex = 0;
  const parts = expected.split(TOKEN).map(escapeRegex);
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`).test(actual);
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}["${key}"]`;
}

/** Deep equality with placeholders; returns the first difference's path, or undefined. */
export function diff(actual: unknown, expected: unknown, path = '$', wildcardPaths: ReadonlySet<string> = new Set()): string | undefined {
  if (typeof expected === 'string') {
    if (BARE_PLACEHOLDERS.has(expected) || (wildcardPaths.has(path) && typeof actual !== 'string')) return undefined;
    if (typeof actual === 'string' && wildcardMatch(actual, expected)) return undefined;
    return path;
  }
  if (wildcardPaths.has(path) && typeof actual !== typeof expected) return undefined;
  if (expected === null || typeof expected !== 'object') return actual === expected ? undefined : path;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return path;
    for (let i = 0; i < expected.length; i++) {
      const d = diff(actual[i], expected[i], childPath(path, i), wildcardPaths);
      if (d) return d;
    }
    return undefined;
  }
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return path;
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
  for (const k of keys) {
    if (!(k in a) || !(k in e)) return childPath(path, k);
    const d = diff(a[k], e[k], childPath(path, k), wildcardPaths);
    if (d) return d;
  }
  return undefined;
}

export function sameSequence(actual: string[], expected: string[], asMultiset: boolean): boolean {
  if (actual.length !== expected.length) return false;
  if (!asMultiset) return actual.every((t, i) => t === expected[i]);
  const a = [...actual].sort();
  const e = [...expected].sort();
  return a.every((t, i) => t === e[i]);
}

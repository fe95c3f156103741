/**
 * Compiled JSONPath references. AWS evaluates paths with Jayway JsonPath;
 * we mirror its results and its error texts. Plain references (`$.a.b[0]`,
 * `$['a']`) are compiled once into a segment list and walked directly (the
 * engine bench budgets ~3 µs per transition); anything else (wildcards,
 * filters, slices, deep scan) goes to jsonpath-plus.
 *
 * Roots (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html):
 *   `$…`    the state's input (or whatever document the field applies to)
 *   `$$…`   the context object
 *   `$name…` a workflow variable
 */
import { requireCommonJs } from '../../core/commonjs.ts';

const { JSONPath } = requireCommonJs('jsonpath-plus') as typeof import('jsonpath-plus');

export type PathRoot = 'input' | 'context' | 'variable';
export type Segment = string | number;

export interface CompiledPath {
  readonly text: string;
  readonly root: PathRoot;
  /** Variable name for `$name…` paths. */
  readonly variable?: string;
  /** Present when the path is a plain reference; walked without jsonpath-plus. */
  readonly segments?: readonly Segment[];
  /** The path relative to its root, starting with `$`, for jsonpath-plus. */
  readonly relative: string;
  /** Jayway "definite" path: yields one value (or none); otherwise a list. */
  readonly definite: boolean;
  /** A trailing Jayway function (`$.items.length()`), applied to what the path selects. */
  readonly fn?: PathFunction;
  /**
   * A trailing multi-property bracket (`$[*]['bucket','key']`): Jayway merges
   * the named properties of each object the rest of the path selects into one
   * object (missing ones left out), a definite leaf of its own.
   */
  readonly pick?: readonly string[];
}

/** The Jayway JsonPath functions AWS evaluates at the end of a path. */
export type PathFunction = 'length' | 'min' | 'max' | 'avg' | 'sum' | 'stddev';
const FUNCTION_SUFFIX = /\.(length|min|max|avg|sum|stddev)\(\)$/;

export class PathSyntaxError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`Invalid JSONPath '${path}': ${detail}`);
    this.name = 'PathSyntaxError';
  }
}

export type Lookup =
  | { found: true; value: unknown }
  /** `at`: segments up to and including the one that failed; `kind`: why (Jayway's wording differs). */
  | { found: false; at: readonly Segment[]; kind: 'leaf' | 'intermediate' | 'not-container' | 'no-variable'; actual?: unknown };

const MULTI_PROPERTY_LEAF = /\[\s*((?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")(?:\s*,\s*(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))+)\s*\]$/;
const QUOTED_NAME = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;

/**
 * Jayway JsonPath (what Step Functions evaluates with) reads a dot before a
 * bracket as the bracket alone: `$.[0]`, `$.Snapshots.[0].State`,
 * `$.[?(@.OU > 0)]`, `$.[*].['bucket','key']` run on AWS. Quoted names
 * (`['a.[b']`) and deep scans (`$..[0]`) are left alone.
 */
export function dotBracketAsBracket(path: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (quote) {
      if (c === '\\') {
        out += c + (path[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '.' && path[i + 1] === '[' && path[i - 1] !== '.') {
      continue;
    }
    out += c;
  }
  return out;
}

const VARIABLE_ROOT = /^\$([A-Za-z_][A-Za-z0-9_]*)/;
const cache = new Map<string, CompiledPath>();
const CACHE_LIMIT = 10_000;

export function compilePath(text: string): CompiledPath {
  const hit = cache.get(text);
  if (hit) return hit;
  const compiled = compile(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, compiled);
  return compiled;
}

/** True when `text` is syntactically a path this module accepts (used by validation). */
export function isValidPath(text: string): boolean {
  try {
    compilePath(text);
    return true;
  } catch {
    return false;
  }
}

function compile(text: string): CompiledPath {
  if (typeof text !== 'string' || !text.startsWith('$')) throw new PathSyntaxError(String(text), "a path must start with '$'");
  let root: PathRoot = 'input';
  let variable: string | undefined;
  let relative: string;
  if (text.startsWith('$$')) {
    root = 'context';
    relative = '$' + text.slice(2);
  } else {
    const m = VARIABLE_ROOT.exec(text);
    if (m) {
      root = 'variable';
      variable = m[1]!;
      relative = '$' + text.slice(m[0].length);
    } else {
      relative = text;
    }
  }
  relative = dotBracketAsBracket(relative);
  let fn: PathFunction | undefined;
  const f = FUNCTION_SUFFIX.exec(relative);
  if (f) {
    fn = f[1] as PathFunction;
    relative = relative.slice(0, -f[0].length);
  }
  let pick: string[] | undefined;
  const multi = fn ? null : MULTI_PROPERTY_LEAF.exec(relative);
  if (multi) {
    pick = [...multi[1]!.matchAll(QUOTED_NAME)].map((q) => (q[1] ?? q[2]!).replace(/\\(.)/g, '$1'));
    relative = relative.slice(0, -multi[0].length);
  }
  const segments = parsePlain(relative);
  if (segments) return { text, root, variable, segments, relative, definite: true, fn, pick };
  checkGeneralSyntax(text, relative);
  return { text, root, variable, relative, definite: isDefinite(relative), fn, pick };
}

/** Parses `$`, `.name`, `[3]`, `['name']`, `["name"]`; undefined when anything else appears. */
function parsePlain(rel: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 1;
  const n = rel.length;
  while (i < n) {
    const c = rel[i];
    if (c === '.') {
      let j = i + 1;
      while (j < n && rel[j] !== '.' && rel[j] !== '[') j++;
      const name = rel.slice(i + 1, j);
      if (name === '' || name === '*' || /[\s()'"*@?,:\]]/.test(name)) return undefined;
      out.push(name);
      i = j;
    } else if (c === '[') {
      const q = rel[i + 1];
      if (q === "'" || q === '"') {
        const end = rel.indexOf(q, i + 2);
        if (end < 0 || rel[end + 1] !== ']') return undefined;
        const name = rel.slice(i + 2, end);
        if (name.includes('\\')) return undefined;
        out.push(name);
        i = end + 2;
      } else {
        const end = rel.indexOf(']', i);
        if (end < 0) return undefined;
        const inner = rel.slice(i + 1, end);
        if (!/^\d+$/.test(inner)) return undefined;
        out.push(Number(inner));
        i = end + 1;
      }
    } else {
      return undefined;
    }
  }
  return out;
}

function checkGeneralSyntax(text: string, rel: string): void {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 1; i < rel.length; i++) {
    const c = rel[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth < 0) throw new PathSyntaxError(text, `unbalanced '${c}'`);
    }
  }
  if (quote) throw new PathSyntaxError(text, 'unterminated quoted name');
  if (depth !== 0) throw new PathSyntaxError(text, 'unbalanced brackets');
  if (rel.length > 1 && rel[1] !== '.' && rel[1] !== '[') throw new PathSyntaxError(text, "expected '.' or '[' after '$'");
  if (/\.\.\.|\.$|\[\]/.test(rel)) throw new PathSyntaxError(text, 'empty path segment');
  try {
    JSONPath.toPathArray(rel);
  } catch (e) {
    throw new PathSyntaxError(text, (e as Error).message);
  }
}

/** Jayway: a path is indefinite when it has a deep scan, wildcard, filter, union or slice. */
function isDefinite(rel: string): boolean {
  if (rel.includes('..') || rel.includes('*') || rel.includes('?(')) return false;
  // union ['a','b'] / [1,2] or slice [1:2]
  return !/\[[^\]]*[,:][^\]]*\]/.test(rel);
}

/** Reads a compiled path from `doc` (already the root's document). */
export function lookup(path: CompiledPath, doc: unknown): Lookup {
  const result = select(path, doc);
  if (path.pick && result.found) return pickProperties(path, result.value);
  if (!path.fn || !result.found) return result;
  const value = applyFunction(path.fn, result.value);
  return value === undefined ? { found: false, at: [], kind: 'leaf' } : { found: true, value };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Jayway's multi-property merge: each selected object reduced to the named properties it has. */
function pickProperties(path: CompiledPath, selected: unknown): Lookup {
  const names = path.pick!;
  const merge = (o: Record<string, unknown>) => Object.fromEntries(names.filter((n) => Object.prototype.hasOwnProperty.call(o, n)).map((n) => [n, o[n]]));
  if (path.definite) return isObject(selected) ? { found: true, value: merge(selected) } : { found: false, at: [], kind: 'not-container', actual: selected };
  return { found: true, value: (Array.isArray(selected) ? selected : []).filter(isObject).map(merge) };
}

function applyFunction(fn: PathFunction, value: unknown): unknown {
  if (fn === 'length') {
    if (Array.isArray(value)) return value.length;
    if (typeof value === 'string') return value.length;
    if (value !== null && typeof value === 'object') return Object.keys(value).length;
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const nums = value.filter((v): v is number => typeof v === 'number');
  if (nums.length === 0) return undefined;
  const sum = nums.reduce((a, b) => a + b, 0);
  switch (fn) {
    case 'min': return Math.min(...nums);
    case 'max': return Math.max(...nums);
    case 'sum': return sum;
    case 'avg': return sum / nums.length;
    case 'stddev': {
      const mean = sum / nums.length;
      return Math.sqrt(nums.reduce((a, b) => a + (b - mean) ** 2, 0) / nums.length);
    }
  }
}

function select(path: CompiledPath, doc: unknown): Lookup {
  const segs = path.segments;
  if (segs) {
    let cur = doc;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      if (typeof s === 'number') {
        if (!Array.isArray(cur)) {
          return { found: false, at: segs.slice(0, i + 1), kind: cur !== null && typeof cur === 'object' ? 'leaf' : 'not-container', actual: cur };
        }
        if (s >= cur.length) return { found: false, at: segs.slice(0, i + 1), kind: i === segs.length - 1 ? 'leaf' : 'intermediate' };
        cur = cur[s];
      } else {
        if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
          return { found: false, at: segs.slice(0, i), kind: 'not-container', actual: cur };
        }
        const obj = cur as Record<string, unknown>;
        if (!Object.prototype.hasOwnProperty.call(obj, s)) {
          return { found: false, at: segs.slice(0, i + 1), kind: i === segs.length - 1 ? 'leaf' : 'intermediate' };
        }
        cur = obj[s];
      }
    }
    return { found: true, value: cur };
  }
  const results = doc !== null && typeof doc === 'object'
    ? (JSONPath({ path: path.relative, json: doc as object, wrap: true, resultType: 'value' }) as unknown[])
    : [];
  if (!path.definite) return { found: true, value: Array.isArray(results) ? results : [] };
  if (!Array.isArray(results) || results.length === 0) {
    let at: Segment[] = [];
    try {
      at = JSONPath.toPathArray(path.relative).slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    } catch {
      /* syntax was checked at compile time */
    }
    return { found: false, at, kind: 'leaf' };
  }
  return { found: true, value: results[0] };
}

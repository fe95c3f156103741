/**
 * Checks an event pattern and compiles it for matching. The grammar and the
 * reasons given for a bad pattern are EventBridge's (its matching engine is
 * AWS's open-source event-ruler): a field maps to an object (nested fields)
 * or to a non-empty array of values and match expressions; `$or` takes an
 * array of at least two sub-patterns.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import ipaddr from 'ipaddr.js';
import type { Condition, Leaf, NumericRange, StringTest } from './conditions.ts';

/** A compiled pattern object: fields are ANDed, and each `$or` needs one of its alternatives. */
export interface CompiledPattern {
  fields: Array<{ name: string; node: CompiledPattern | Condition[] }>;
  or: CompiledPattern[][];
}

/** Thrown for a pattern EventBridge would refuse: `reason` is its wording, `path` where (`detail.state[0]`). */
export class EventPatternError extends Error {
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(path ? `${reason} at ${path}` : reason);
    this.name = 'EventPatternError';
  }
}

export interface CompileOptions {
  /** Match types this dialect refuses (SNS filter policies have no `wildcard`). */
  unsupported?: readonly string[];
}

const OR = '$or';
const MATCH_TYPES = ['exactly', 'prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'cidr', 'equals-ignore-case', 'wildcard'] as const;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isLeaf(v: Json): v is Leaf {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

class Compiler {
  constructor(private readonly options: CompileOptions) {}

  fail(reason: string, path: string): never {
    throw new EventPatternError(reason, path);
  }

  object(v: Record<string, Json>, path: string, insideOr: boolean): CompiledPattern {
    const out: CompiledPattern = { fields: [], or: [] };
    const keys = Object.keys(v);
    if (keys.length === 0) this.fail('Empty objects are not allowed', path);
    for (const key of keys) {
      const value = v[key];
      const at = child(path, key);
      if (key === OR) {
        out.or.push(this.alternatives(value, at));
        continue;
      }
      if (insideOr && (MATCH_TYPES as readonly string[]).includes(key)) this.fail(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`, at);
      if (isObject(value)) out.fields.push({ name: key, node: this.object(value, at, insideOr) });
      else if (Array.isArray(value)) out.fields.push({ name: key, node: this.values(value, at) });
      else this.fail(`"${key}" must be an object or an array`, at);
    }
    return out;
  }

  alternatives(v: Json, path: string): CompiledPattern[] {
    if (!Array.isArray(v)) this.fail(`It must be an Array followed with ${OR}.`, path);
    const alts = v.map((alt, i) => {
      if (!isObject(alt)) this.fail(`Only JSON object is allowed in array of ${OR} relationship.`, child(path, i));
      return this.object(alt, child(path, i), true);
    });
    if (alts.length < 2) this.fail(`There must have at least 2 Objects in ${OR} relationship.`, path);
    return alts;
  }

  values(v: Json[], path: string): Condition[] {
    if (v.length === 0) this.fail('Empty arrays are not allowed', path);
    return v.map((item, i) => {
      const at = child(path, i);
      if (isObject(item)) return this.expression(item, at);
      if (!isLeaf(item)) this.fail('Match value must be String, number, true, false, or null', at);
      return { kind: 'exact', value: item };
    });
  }

  expression(e: Record<string, Json>, path: string): Condition {
    const keys = Object.keys(e);
    if (keys.length === 0) this.fail('Match expression name not found', path);
    if (keys.length > 1) this.fail('Only one key allowed in match expression', path);
    const type = keys[0]!;
    const arg = e[type];
    const at = child(path, type);
    if (!(MATCH_TYPES as readonly string[]).includes(type) || this.options.unsupported?.includes(type)) this.fail(`Unrecognized match type ${type}`, at);
    switch (type) {
      case 'exactly':
        if (typeof arg !== 'string') this.fail('exact match pattern must be a string', at);
        return { kind: 'exact', value: arg };
      case 'prefix':
      case 'suffix':
        return this.affix(type, arg, at);
      case 'equals-ignore-case':
        if (typeof arg !== 'string') this.fail('equals-ignore-case match pattern must be a string', at);
        return { kind: 'equals-ignore-case', value: arg };
      case 'wildcard':
        if (typeof arg !== 'string') this.fail('wildcard match pattern must be a string', at);
        return { kind: 'wildcard', regex: this.wildcard(arg, at) };
      case 'numeric':
        return { kind: 'numeric', range: this.numeric(arg, at) };
      case 'exists':
        if (typeof arg !== 'boolean') this.fail('exists match pattern must be either true or false.', at);
        return { kind: 'exists', exists: arg };
      case 'cidr':
        if (typeof arg !== 'string') this.fail('cidr match pattern must be a string', at);
        return { kind: 'cidr', range: this.cidr(arg, at) };
      default:
        return this.anythingBut(arg, at);
    }
  }

  /** `{"prefix": "abc"}` or `{"prefix": {"equals-ignore-case": "abc"}}` (and the same for suffix). */
  affix(kind: 'prefix' | 'suffix', arg: Json, path: string): StringTest {
    if (typeof arg === 'string') return { kind, value: arg, ignoreCase: false };
    if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
      return { kind, value: arg['equals-ignore-case'], ignoreCase: true };
    }
    return this.fail(`${kind} match pattern must be a string`, path);
  }

  /** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
  wildcard(text: string, path: string): RegExp {
    let re = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') {
        const next = text[i + 1];
        if (next !== '*' && next !== '\\') this.fail(`Invalid escape character at pos ${i}`, path);
        re += `\\${next}`;
        i++;
      } else if (c === '*') {
        if (text[i + 1] === '*') this.fail(`Consecutive wildcard characters at pos ${i + 1}`, path);
        re += '[\\s\\S]*';
      } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
  }

  /** `["=", 5]`, `[">", 0]`, `[">=", 0, "<", 10]`, `["<=", 5]`: a lower bound comes first. */
  numeric(arg: Json, path: string): NumericRange {
    if (!Array.isArray(arg)) this.fail('Value of numeric must be an array.', path);
    const op = arg[0];
    if (typeof op !== 'string') this.fail(`Invalid member in numeric match: ${JSON.stringify(op ?? null)}`, path);
    const number = (v: Json, name: string): number => {
      if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`Value of ${name} must be numeric`, path);
      return v;
    };
    switch (op) {
      case '=': {
        const n = number(arg[1], 'equals');
        if (arg.length > 2) this.fail('Too many elements in numeric expression', path);
        return { lower: { value: n, inclusive: true }, upper: { value: n, inclusive: true } };
      }
      case '<':
      case '<=': {
        const n = number(arg[1], op);
        if (arg.length > 2) this.fail('Too many elements in numeric expression', path);
        return { upper: { value: n, inclusive: op === '<=' } };
      }
      case '>':
      case '>=': {
        const lower = { value: number(arg[1], op), inclusive: op === '>=' };
        if (arg.length === 2) return { lower };
        const top = arg[2];
        if (typeof top !== 'string') this.fail(`Bad value in numeric range: ${JSON.stringify(top)}`, path);
        if (top !== '<' && top !== '<=') this.fail(`Bad numeric range operator: ${top}`, path);
        const upper = { value: number(arg[3], top), inclusive: top === '<=' };
        if (arg.length > 4) this.fail('Too many terms in numeric range expression', path);
        if (lower.value >= upper.value) this.fail('Bottom must be less than top', path);
        return { lower, upper };
      }
      default:
        return this.fail(`Unrecognized numeric range operator: ${op}`, path);
    }
  }

  cidr(text: string, path: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
    try {
      return ipaddr.parseCIDR(text);
    } catch {
      return this.fail(`Nonsensical CIDR IP: ${text}`, path);
    }
  }

  /**
   * `anything-but`: a string or number, a list of strings or of numbers, or an
   * object naming `prefix`, `suffix`, `equals-ignore-case` or `wildcard` (each
   * with one string or a list of strings).
   */
  anythingBut(arg: Json, path: string): Condition {
    if (isObject(arg)) {
      const keys = Object.keys(arg);
      if (keys.length === 0) this.fail('Anything-But expression name not found', path);
      if (keys.length > 1) this.fail('Only one key allowed in match expression', path);
      const op = keys[0]!;
      const at = child(path, op);
      const raw = arg[op];
      const list = Array.isArray(raw) ? raw : [raw];
      if (op !== 'prefix' && op !== 'suffix' && op !== 'equals-ignore-case' && op !== 'wildcard') this.fail(`Unsupported anything-but pattern: ${op}`, at);
      if (list.length === 0) this.fail('Empty arrays are not allowed', at);
      const tests = list.map((s): StringTest => {
        if (typeof s !== 'string') this.fail(`${op} match pattern must be a string`, at);
        if (s === '' && (op === 'prefix' || op === 'suffix')) this.fail('Null prefix/suffix not allowed', at);
        if (op === 'wildcard') return { kind: 'wildcard', regex: this.wildcard(s, at) };
        if (op === 'equals-ignore-case') return { kind: 'equals-ignore-case', value: s };
        return { kind: op, value: s, ignoreCase: false };
      });
      return { kind: 'anything-but-test', tests };
    }
    if (typeof arg === 'string') return { kind: 'anything-but', values: [arg], numbers: false };
    if (typeof arg === 'number') return { kind: 'anything-but', values: [arg], numbers: true };
    if (!Array.isArray(arg)) this.fail('Value of anything-but must be an array or single string/number value.', path);
    if (arg.some((v) => typeof v !== 'string' && typeof v !== 'number')) this.fail('Inside anything but list, start|null|boolean is not supported.', path);
    const numbers = arg.filter((v) => typeof v === 'number').length;
    if (numbers === 0 ? arg.length === 0 : numbers !== arg.length) {
      this.fail('Inside anything but list, either all values are number or string, mixed type is not supported', path);
    }
    return { kind: 'anything-but', values: arg as Array<string | number>, numbers: numbers > 0 };
  }
}

/** Checks and compiles a parsed pattern; throws EventPatternError naming what is wrong and where. */
export function compilePattern(pattern: unknown, options: CompileOptions = {}): CompiledPattern {
  if (!isObject(pattern)) throw new EventPatternError('Filter is not an object', '');
  return new Compiler(options).object(pattern, '', false);
}

/** Parses and compiles pattern text (EventPattern, FilterPolicy). */
export function compilePatternText(text: string, options: CompileOptions = {}): CompiledPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new EventPatternError(`Filter is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, '');
  }
  return compilePattern(parsed, options);
}

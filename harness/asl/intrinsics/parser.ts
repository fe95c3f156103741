/**
 * Parser for intrinsic function calls (`States.Format('x{}', $.a)`).
 * Grammar (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html):
 *   call     := 'States.' Name '(' [ arg (',' arg)* ] ')'
 *   arg      := string | number | 'null' | 'true' | 'false' | path | call
 *   string   := "'" ( char | '\'' | '\{' | '\}' | '\\' )* "'"     (an open backslash is an error)
 *   path     := '$' … up to the next top-level ',' or ')'  (`$.a`, `$$.b`, `$var.c[0]`)
 * Results are cached by expression text.
 */
import { compilePath, PathSyntaxError, type CompiledPath } from '../jsonpath/path.ts';

export type IntrinsicArg =
  | { kind: 'literal'; value: string | number | boolean | null; raw?: string }
  | { kind: 'path'; path: CompiledPath }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  /** Full name, e.g. `States.Format`. */
  name: string;
  args: IntrinsicArg[];
  /** The call's source text (for messages). */
  text: string;
  /** Nesting depth of the deepest call below and including this one. */
  depth: number;
}

export class IntrinsicSyntaxError extends Error {
  constructor(readonly expression: string, readonly position: number, detail: string) {
    super(`Invalid intrinsic function '${expression}' at position ${position}: ${detail}`);
    this.name = 'IntrinsicSyntaxError';
  }
}

const cache = new Map<string, IntrinsicCall>();

/** Cheap check used to decide whether a `.$` value is a call rather than a path. */
export function looksLikeIntrinsic(text: string): boolean {
  return typeof text === 'string' && text.startsWith('States.');
}

export function parseIntrinsic(text: string): IntrinsicCall {
  const hit = cache.get(text);
  if (hit) return hit;
  const p = new Parser(text);
  p.skipWs();
  const call = p.call();
  p.skipWs();
  if (p.pos !== text.length) p.fail('unexpected text after the closing parenthesis');
  if (cache.size > 10_000) cache.clear();
  cache.set(text, call);
  return call;
}

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  fail(detail: string): never {
    throw new IntrinsicSyntaxError(this.src, this.pos, detail);
  }

  skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  call(): IntrinsicCall {
    const start = this.pos;
    const m = /^States\.([A-Za-z0-9]+)/.exec(this.src.slice(this.pos));
    if (!m) this.fail("expected a function name like 'States.Format'");
    this.pos += m[0].length;
    this.skipWs();
    if (this.src[this.pos] !== '(') this.fail(`expected '(' after ${m[0]}`);
    this.pos++;
    const args: IntrinsicArg[] = [];
    this.skipWs();
    if (this.src[this.pos] === ')') {
      this.pos++;
    } else {
      for (;;) {
        this.skipWs();
        args.push(this.arg());
        this.skipWs();
        const c = this.src[this.pos];
        if (c === ',') {
          this.pos++;
          continue;
        }
        if (c === ')') {
          this.pos++;
          break;
        }
        this.fail(c === undefined ? "missing ')'" : `unexpected '${c}'`);
      }
    }
    let depth = 1;
    for (const a of args) if (a.kind === 'call') depth = Math.max(depth, a.call.depth + 1);
    return { name: m[0], args, text: this.src.slice(start, this.pos), depth };
  }

  arg(): IntrinsicArg {
    const c = this.src[this.pos];
    if (c === undefined) this.fail('missing argument');
    if (c === "'") return this.string();
    if (c === '$') return this.path();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    const rest = this.src.slice(this.pos);
    for (const [word, value] of [['null', null], ['true', true], ['false', false]] as const) {
      if (rest.startsWith(word) && !/[A-Za-z0-9_.]/.test(rest[word.length] ?? '')) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    if (rest.startsWith('States.')) return { kind: 'call', call: this.call() };
    if (c === ',' || c === ')') this.fail('missing argument');
    return this.fail(`unexpected '${c}'`);
  }

  string(): IntrinsicArg {
    const start = ++this.pos;
    let value = '';
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) this.fail('unterminated string literal');
      if (c === "'") break;
      if (c === '\\') {
        const n = this.src[this.pos + 1];
        if (n === "'" || n === '{' || n === '}' || n === '\\') {
          value += n;
          this.pos += 2;
          continue;
        }
        this.fail('open escape backslash in string literal (escape it as \\\\)');
      }
      value += c;
      this.pos++;
    }
    const raw = this.src.slice(start, this.pos);
    this.pos++;
    return { kind: 'literal', value, raw };
  }

  number(): IntrinsicArg {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.src.slice(this.pos));
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
    return { kind: 'literal', value: Number(m[0]) };
  }

  path(): IntrinsicArg {
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    for (; this.pos < this.src.length; this.pos++) {
      const c = this.src[this.pos]!;
      if (quote) {
        if (c === '\\') this.pos++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if ((c === ']' || c === ')') && depth > 0) depth--;
      else if ((c === ',' || c === ')') && depth === 0) break;
    }
    const text = this.src.slice(start, this.pos).trim();
    try {
      return { kind: 'path', path: compilePath(text) };
    } catch (e) {
      if (e instanceof PathSyntaxError) {
        this.pos = start;
        this.fail(e.message);
      }
      throw e;
    }
  }
}

/**
 * Compiling and running one JSONata expression the way Step Functions does.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 * A field is an expression only when its whole string is `{% … %}` (a
 * recorded execution keeps " {% x %} " with spaces as a literal string).
 * Expressions are compiled once per text.
 */
import type jsonata from 'jsonata';
import { requireCommonJs } from '../../core/commonjs.ts';
import { createIdSource, type IdSource } from '../../core/index.ts';
import { StatesError, type StateRef } from '../errors.ts';
import { statePrefix } from '../jsonpath/messages.ts';
import { stepFunctionsFunctions } from './functions.ts';

export interface JsonataScope {
  states: { input: unknown; result?: unknown; errorOutput?: unknown; context: unknown };
  variables: Record<string, unknown>;
}

export interface JsonataOptions {
  /** Source for $random() and $uuid(); defaults to an unseeded source. */
  ids?: IdSource;
  /** Epoch ms that $now() and $millis() report (the Clock's time); default: jsonata's own. */
  now?: number;
}

type Compiled = { ok: true; expression: jsonata.Expression } | { ok: false; error: JsonataFailure };
interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;
const cache = new Map<string, Compiled>();
const fallbackIds = createIdSource();
const functionsByIds = new WeakMap<IdSource, Record<string, (...args: unknown[]) => unknown>>();

function functionsFor(ids: IdSource): Record<string, (...args: unknown[]) => unknown> {
  let fns = functionsByIds.get(ids);
  if (!fns) {
    fns = stepFunctionsFunctions(ids);
    functionsByIds.set(ids, fns);
  }
  return fns;
}

/** The expression inside `{% … %}`, trimmed; undefined when `value` is not one. */
export function jsonataExpressionText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = EXPRESSION.exec(value);
  return m ? m[1]!.trim() : undefined;
}

function compile(text: string): Compiled {
  let hit = cache.get(text);
  if (!hit) {
    try {
      // Loaded by the first expression compiled (≈ 6–14 ms): a project whose workflows are all JSONPath never needs it.
      hit = { ok: true, expression: (requireCommonJs('jsonata') as typeof jsonata)(text) };
    } catch (e) {
      hit = { ok: false, error: e as JsonataFailure };
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(text, hit);
  }
  return hit;
}

/** Syntax problem of `text`, or undefined when it compiles (validation uses this). */
export function jsonataSyntaxError(text: string): string | undefined {
  const c = compile(text);
  return c.ok ? undefined : describe(c.error);
}

type AstNode = { type?: string; value?: unknown; steps?: AstNode[]; lhs?: unknown; rhs?: AstNode; expressions?: AstNode[];
  arguments?: AstNode[]; condition?: AstNode; then?: AstNode; else?: AstNode; expression?: AstNode };

/**
 * Step Functions evaluates JSONata without a context value: `$`, `$$` and bare
 * field names at the top level of an expression are not allowed — data comes
 * from `$states.input` (transforming-data.html). Returns what was found.
 */
export function jsonataTopLevelContextReference(text: string): string | undefined {
  const c = compile(text);
  if (!c.ok) return undefined;
  return findContextReference(c.expression.ast() as AstNode);
}

function findContextReference(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = findContextReference(n);
      if (hit) return hit;
    }
    return undefined;
  }
  const n = node as AstNode;
  switch (n.type) {
    case 'variable':
      return n.value === '' ? '$' : n.value === '$' ? '$$' : undefined;
    case 'name':
      return `the field name '${String(n.value)}'`;
    case 'path':
      return findContextReference(n.steps?.[0]);
    case 'binary':
    case 'apply':
      return findContextReference(n.lhs) ?? findContextReference(n.rhs);
    case 'unary':
      return n.value === '-' ? findContextReference(n.expression) : findContextReference(n.value === '{' ? n.lhs : n.expressions);
    case 'condition':
      return findContextReference(n.condition) ?? findContextReference(n.then) ?? findContextReference(n.else);
    case 'block':
      return findContextReference(n.expressions);
    case 'function':
    case 'partial':
      return findContextReference(n.arguments);
    case 'bind':
      return findContextReference(n.rhs);
    default:
      return undefined;
  }
}

function describe(e: JsonataFailure): string {
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? e);
}

export function queryEvaluationError(where: StateRef, message: string): StatesError {
  return new StatesError('States.QueryEvaluationError', statePrefix(where) + message);
}

function expressionError(where: StateRef, text: string, field: string, tail: string): StatesError {
  return queryEvaluationError(where, `The JSONata expression '${text}' specified for the field '${field}' ${tail}`);
}

/** A JSONata lambda (`function($x){…}`) or a built-in function reference such as `$sum`. */
function isJsonataFunction(v: unknown): boolean {
  if (typeof v === 'function') return true;
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return o._jsonata_lambda === true || o._jsonata_function === true;
}

/** jsonata marks sequences with extra array properties; hand back plain JSON values (copy-on-write). */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    const marked = Object.prototype.hasOwnProperty.call(value, 'sequence') || Object.prototype.hasOwnProperty.call(value, 'keepSingleton');
    for (let i = 0; i < value.length; i++) {
      const v = plain(value[i]);
      if (v !== value[i] && !copy) copy = value.slice(0, i);
      if (copy) copy.push(v);
    }
    if (copy) return copy;
    return marked ? value.slice() : value;
  }
  let copy: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    const v = plain(obj[k]);
    if (v !== obj[k] && !copy) copy = { ...obj };
    if (copy) copy[k] = v;
  }
  return copy ?? value;
}

/**
 * Evaluates one expression text. Throws States.QueryEvaluationError with
 * AWS's cause texts: `returned nothing (undefined).`, `threw an error during
 * evaluation. T1006: …`, `returned an unsupported result type.`
 */
const SIMPLE_REFERENCE = /^\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/;
const simpleCache = new Map<string, { root: string; keys: string[] } | null>();

/**
 * `$states.input.a.b` / `$var.x`: walked directly when every step lands on a
 * plain object and the result is not an array — exactly the cases where
 * JSONata's sequence rules cannot change the answer. Anything else (arrays,
 * missing keys, unknown variables) goes through jsonata. Undefined = not handled.
 */
function simpleReference(text: string, scope: JsonataScope): unknown {
  let ref = simpleCache.get(text);
  if (ref === undefined) {
    const m = SIMPLE_REFERENCE.exec(text);
    ref = m ? { root: m[1]!, keys: m[2] ? m[2].slice(1).split('.') : [] } : null;
    if (simpleCache.size > 10_000) simpleCache.clear();
    simpleCache.set(text, ref);
  }
  if (ref === null) return undefined;
  let cur: unknown;
  if (ref.root === 'states') cur = scope.states;
  else if (Object.prototype.hasOwnProperty.call(scope.variables, ref.root)) cur = scope.variables[ref.root];
  else return undefined;
  for (const key of ref.keys) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur === undefined || Array.isArray(cur) || typeof cur === 'function') return undefined;
  return cur;
}

export async function evaluateExpression(text: string, scope: JsonataScope, where: StateRef, field: string, options: JsonataOptions = {}): Promise<unknown> {
  const simple = simpleReference(text, scope);
  if (simple !== undefined) return simple;
  const compiled = compile(text);
  if (!compiled.ok) throw expressionError(where, text, field, `threw an error during evaluation. ${describe(compiled.error)}`);
  const bindings: Record<string, unknown> = Object.assign({}, functionsFor(options.ids ?? fallbackIds), scope.variables);
  bindings.states = scope.states;
  if (options.now !== undefined) {
    const now = options.now;
    bindings.millis = () => now;
    bindings.now = () => new Date(now).toISOString();
  }
  let result: unknown;
  try {
    result = await compiled.expression.evaluate(undefined, bindings);
  } catch (e) {
    const err = e as JsonataFailure;
    throw expressionError(where, text, field, `threw an error during evaluation. ${describe(err)}`);
  }
  if (result === undefined) throw expressionError(where, text, field, 'returned nothing (undefined).');
  if (isJsonataFunction(result)) throw expressionError(where, text, field, 'returned an unsupported result type.');
  return plain(result);
}

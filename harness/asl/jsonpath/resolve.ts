/**
 * Reading a path against a state's scope (input `$`, context `$$`,
 * variables `$name`) and the AWS cause texts for paths that find nothing.
 */
import { StatesError, type StateRef } from '../errors.ts';
import { jsonText, normalisedPath, runtimeError } from './messages.ts';
import { compilePath, lookup, PathSyntaxError, type CompiledPath, type Lookup } from './path.ts';

export interface PathScope {
  input: unknown;
  /** The context object (`$$`). */
  context: unknown;
  /** Workflow variables (`$name`). */
  variables: Record<string, unknown>;
}

export function rootDocument(path: CompiledPath, scope: PathScope): { ok: true; doc: unknown } | { ok: false } {
  if (path.root === 'input') return { ok: true, doc: scope.input };
  if (path.root === 'context') return { ok: true, doc: scope.context };
  const vars = scope.variables;
  if (vars && Object.prototype.hasOwnProperty.call(vars, path.variable!)) return { ok: true, doc: vars[path.variable!] };
  return { ok: false };
}

/** Evaluates a compiled path in a scope; never throws for missing data. */
export function readPath(path: CompiledPath, scope: PathScope): Lookup {
  const root = rootDocument(path, scope);
  if (!root.ok) return { found: false, at: [], kind: 'no-variable' };
  return lookup(path, root.doc);
}

/** Compiles `text`, turning a syntax error into the States.Runtime failure AWS would raise. */
export function compileOrFail(text: string, where: StateRef): CompiledPath {
  try {
    return compilePath(text);
  } catch (e) {
    if (e instanceof PathSyntaxError) throw runtimeError(where, `Invalid path '${text}' : ${e.message}`);
    throw e;
  }
}

/** Jayway's explanation of a failed lookup, as AWS quotes it after `Invalid path '…' : `. */
export function jaywayReason(path: CompiledPath, result: Lookup & { found: false }): string {
  if (result.kind === 'no-variable') return `The variable '${path.variable}' is not defined`;
  if (result.kind === 'intermediate') return `Missing property in path ${normalisedPath(result.at)}`;
  if (result.kind === 'not-container') {
    const next = path.segments?.[result.at.length];
    const type = result.actual === null ? 'null' : Array.isArray(result.actual) ? 'java.util.ArrayList' : typeof result.actual === 'string' ? 'java.lang.String' : typeof result.actual === 'number' ? 'java.lang.Number' : 'java.lang.Boolean';
    return typeof next === 'number'
      ? `Filter: [${next}] can only be applied to arrays. Current context is: ${jsonText(result.actual)}`
      : `Expected to find an object with property ['${String(next)}'] in path ${normalisedPath(result.at)} but found '${type}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`;
  }
  return `No results for path: ${normalisedPath(result.at)}`;
}

/** InputPath / OutputPath / ItemsPath…: `Invalid path '$.x' : No results for path: $['x']`. */
export function invalidPathError(where: StateRef, path: CompiledPath, result: Lookup & { found: false }): StatesError {
  return runtimeError(where, `Invalid path '${path.text}' : ${jaywayReason(path, result)}`);
}

/**
 * Payload templates, intrinsic arguments, ErrorPath/CausePath:
 * `The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '{"a":1}'`.
 */
export function pathNotFoundError(where: StateRef, path: CompiledPath, field: string, scope: PathScope): StatesError {
  const root = rootDocument(path, scope);
  const doc = root.ok ? root.doc : scope.input;
  return runtimeError(where, `The JSONPath '${path.text}' specified for the field '${field}' could not be found in the input '${jsonText(doc)}'`);
}

/** Reads `text` or throws the payload-template style error. */
export function readPathOrFail(text: string, scope: PathScope, where: StateRef, field: string): unknown {
  const path = compileOrFail(text, where);
  const result = readPath(path, scope);
  if (!result.found) throw pathNotFoundError(where, path, field, scope);
  return result.value;
}

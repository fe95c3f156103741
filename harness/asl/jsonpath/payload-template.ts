/**
 * Payload templates (Parameters, ResultSelector, ItemSelector, Assign in
 * JSONPath states): keys ending in `.$` take their value from a path
 * (`$.a`, `$$.Execution.Id`, `$var`) or an intrinsic function; every other
 * value is copied literally, recursing into objects and arrays.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-parameters
 *
 * Templates are compiled once per definition object (WeakMap) so a state
 * transition only walks precompiled instructions. Results may share
 * structure with the input and the definition: treat them as immutable.
 */
import type { IdSource } from '../../core/index.ts';
import type { StateRef } from '../errors.ts';
import { evaluateIntrinsic, isIntrinsic } from '../intrinsics/index.ts';
import { runtimeError } from './messages.ts';
import { compilePath, PathSyntaxError, type CompiledPath } from './path.ts';
import { pathNotFoundError, readPath, type PathScope } from './resolve.ts';

type Node =
  | { k: 'lit'; v: unknown }
  | { k: 'obj'; entries: Array<[string, Node]> }
  | { k: 'arr'; items: Node[] }
  | { k: 'path'; path: CompiledPath; key: string }
  | { k: 'bad-path'; text: string; key: string; detail: string }
  | { k: 'fn'; text: string; key: string };

const compiled = new WeakMap<object, Node>();

function compileNode(value: unknown): Node {
  if (value === null || typeof value !== 'object') return { k: 'lit', v: value };
  const hit = compiled.get(value);
  if (hit) return hit;
  let node: Node;
  if (Array.isArray(value)) {
    const items = value.map(compileNode);
    node = items.every((i) => i.k === 'lit') ? { k: 'lit', v: value } : { k: 'arr', items };
  } else {
    const entries: Array<[string, Node]> = [];
    let dynamic = false;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key.endsWith('.$') && typeof v === 'string') {
        dynamic = true;
        entries.push([key.slice(0, -2), compileDynamic(key, v)]);
      } else {
        const child = compileNode(v);
        if (child.k !== 'lit') dynamic = true;
        entries.push([key, child]);
      }
    }
    node = dynamic ? { k: 'obj', entries } : { k: 'lit', v: value };
  }
  compiled.set(value, node);
  return node;
}

function compileDynamic(key: string, text: string): Node {
  if (isIntrinsic(text)) return { k: 'fn', text, key };
  try {
    return { k: 'path', path: compilePath(text), key };
  } catch (e) {
    if (e instanceof PathSyntaxError) return { k: 'bad-path', text, key, detail: e.message };
    throw e;
  }
}

function run(node: Node, scope: PathScope, where: StateRef, ids: IdSource): unknown {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of node.entries) out[key] = run(child, scope, where, ids);
      return out;
    }
    case 'arr':
      return node.items.map((i) => run(i, scope, where, ids));
    case 'path': {
      const r = readPath(node.path, scope);
      if (!r.found) throw pathNotFoundError(where, node.path, node.key, scope);
      return r.value;
    }
    case 'fn':
      return evaluateIntrinsic(node.text, scope, where, ids, node.key);
    case 'bad-path':
      throw runtimeError(where, `The value for the field '${node.key}' must be a valid JSONPath or a valid intrinsic function call: ${node.detail}`);
  }
}

export function applyPayloadTemplate(template: unknown, scope: PathScope, where: StateRef, _field: string, ids: IdSource): unknown {
  return run(compileNode(template), scope, where, ids);
}

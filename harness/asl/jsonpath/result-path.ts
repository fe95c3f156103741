/**
 * ResultPath — https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
 *   absent or `$`  the result replaces the input
 *   null           the result is discarded; the input passes through
 *   `$.a.b`        the result is placed at a.b in a copy of the input (missing
 *                  objects on the way are created); only the spine is copied.
 * A ResultPath that cannot be applied raises States.ResultPathMatchFailure.
 */
import { StatesError, type StateRef } from '../errors.ts';
import { jsonText, statePrefix } from './messages.ts';
import { compilePath, PathSyntaxError, type Segment } from './path.ts';

function failure(where: StateRef, resultPath: string, input: unknown): StatesError {
  return new StatesError(
    'States.ResultPathMatchFailure',
    `${statePrefix(where)}Unable to apply ResultPath '${resultPath}' to input '${jsonText(input)}'`,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function applyResultPath(input: unknown, result: unknown, resultPath: string | null | undefined, where: StateRef): unknown {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return input;
  let segments: readonly Segment[] | undefined;
  try {
    const path = compilePath(resultPath);
    if (path.root === 'input') segments = path.segments;
  } catch (e) {
    if (!(e instanceof PathSyntaxError)) throw e;
  }
  if (!segments) {
    throw new StatesError('States.Runtime', `${statePrefix(where)}Invalid ResultPath '${resultPath}': ResultPath must be a reference path ('$', '$.a.b', '$.a[0]')`);
  }
  return setAt(input, segments, 0, result, () => failure(where, resultPath, input));
}

function setAt(container: unknown, segs: readonly Segment[], i: number, value: unknown, fail: () => StatesError): unknown {
  if (i === segs.length) return value;
  const seg = segs[i]!;
  if (typeof seg === 'number') {
    if (!Array.isArray(container) || seg >= container.length) throw fail();
    const copy = container.slice();
    copy[seg] = setAt(container[seg], segs, i + 1, value, fail);
    return copy;
  }
  if (!isObject(container)) throw fail();
  const child = Object.prototype.hasOwnProperty.call(container, seg) ? container[seg] : undefined;
  const next = i + 1 < segs.length && (child === undefined || child === null) && typeof segs[i + 1] === 'string' ? {} : child;
  // A for-in copy: object spread is several times slower on Node 20 and this runs on every transition.
  const copy: Record<string, unknown> = {};
  for (const k in container) copy[k] = container[k];
  copy[seg] = setAt(next, segs, i + 1, value, fail);
  return copy;
}

/**
 * What every intrinsic function family needs: argument checks that fail the
 * way AWS does. AWS reports bad arguments as `States.Runtime` with the cause
 * `Invalid arguments in States.<Name>` (observed against AWS; the
 * `States.IntrinsicFailure` name in the error docs is not what executions show).
 */
import type { IdSource } from '../../core/index.ts';
import type { StateRef, StatesError } from '../errors.ts';
import { runtimeError } from '../jsonpath/messages.ts';
import type { IntrinsicCall } from './parser.ts';

export interface IntrinsicContext {
  where: StateRef;
  ids: IdSource;
  call: IntrinsicCall;
}

export type IntrinsicImpl = (args: unknown[], ctx: IntrinsicContext) => unknown;

export function invalidArguments(ctx: IntrinsicContext): StatesError {
  return runtimeError(ctx.where, `Invalid arguments in ${ctx.call.name}`);
}

export function arity(args: unknown[], ctx: IntrinsicContext, min: number, max = min): void {
  if (args.length < min || args.length > max) throw invalidArguments(ctx);
}

export function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function numberArg(v: unknown, ctx: IntrinsicContext): number {
  if (!isNumber(v)) throw invalidArguments(ctx);
  return v;
}

export function stringArg(v: unknown, ctx: IntrinsicContext): string {
  if (typeof v !== 'string') throw invalidArguments(ctx);
  return v;
}

export function arrayArg(v: unknown, ctx: IntrinsicContext): unknown[] {
  if (!Array.isArray(v)) throw invalidArguments(ctx);
  return v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** JSON value equality (key order irrelevant), as AWS compares items in ArrayContains/ArrayUnique. */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!jsonEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;
}

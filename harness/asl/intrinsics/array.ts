/**
 * Array intrinsics — https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-arrays
 * Numeric arguments are truncated toward zero, as AWS does for ArrayRange,
 * ArrayPartition and ArrayGetItem (`ArrayGetItem($.a, 1.2)` reads index 1).
 */
import { arity, arrayArg, invalidArguments, jsonEquals, numberArg, type IntrinsicContext } from './shared.ts';

/** AWS caps States.ArrayRange at 1,000 items. */
export const ARRAY_RANGE_LIMIT = 1000;

export function statesArray(args: unknown[]): unknown[] {
  return args.slice();
}

export function statesArrayPartition(args: unknown[], ctx: IntrinsicContext): unknown[][] {
  arity(args, ctx, 2);
  const array = arrayArg(args[0], ctx);
  const size = Math.trunc(numberArg(args[1], ctx));
  if (size <= 0) throw invalidArguments(ctx);
  const out: unknown[][] = [];
  for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
  return out;
}

export function statesArrayContains(args: unknown[], ctx: IntrinsicContext): boolean {
  arity(args, ctx, 2);
  const array = arrayArg(args[0], ctx);
  return array.some((item) => jsonEquals(item, args[1]));
}

export function statesArrayRange(args: unknown[], ctx: IntrinsicContext): number[] {
  arity(args, ctx, 3);
  const start = Math.trunc(numberArg(args[0], ctx));
  const end = Math.trunc(numberArg(args[1], ctx));
  const step = Math.trunc(numberArg(args[2], ctx));
  if (step === 0) throw invalidArguments(ctx);
  const count = (end - start) / step < 0 ? 0 : Math.floor((end - start) / step) + 1;
  if (count > ARRAY_RANGE_LIMIT) throw invalidArguments(ctx);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(start + i * step);
  return out;
}

export function statesArrayGetItem(args: unknown[], ctx: IntrinsicContext): unknown {
  arity(args, ctx, 2);
  const array = arrayArg(args[0], ctx);
  const index = Math.trunc(numberArg(args[1], ctx));
  if (index < 0) throw invalidArguments(ctx);
  // Observed: AWS answers null for any index into an empty array, but fails past the end of a non-empty one.
  if (array.length === 0) return null;
  if (index >= array.length) throw invalidArguments(ctx);
  return array[index];
}

export function statesArrayLength(args: unknown[], ctx: IntrinsicContext): number {
  arity(args, ctx, 1);
  return arrayArg(args[0], ctx).length;
}

export function statesArrayUnique(args: unknown[], ctx: IntrinsicContext): unknown[] {
  arity(args, ctx, 1);
  const out: unknown[] = [];
  for (const item of arrayArg(args[0], ctx)) if (!out.some((seen) => jsonEquals(seen, item))) out.push(item);
  return out;
}

/**
 * States.MathRandom / States.MathAdd — https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math-operation
 * MathAdd rounds each operand to the nearest integer and works in int32
 * (`MathAdd(1.6, 2.7)` is 5; overflow fails). MathRandom returns an integer
 * in [start, end) with truncated bounds; the same seed gives the same number.
 */
import { createIdSource } from '../../core/index.ts';
import { arity, invalidArguments, isInt32, numberArg, type IntrinsicContext } from './shared.ts';

export function statesMathAdd(args: unknown[], ctx: IntrinsicContext): number {
  arity(args, ctx, 2);
  const a = Math.round(numberArg(args[0], ctx));
  const b = Math.round(numberArg(args[1], ctx));
  const sum = a + b;
  if (!isInt32(a) || !isInt32(b) || !isInt32(sum)) throw invalidArguments(ctx);
  return sum;
}

export function statesMathRandom(args: unknown[], ctx: IntrinsicContext): number {
  arity(args, ctx, 2, 3);
  const start = Math.trunc(numberArg(args[0], ctx));
  const end = Math.trunc(numberArg(args[1], ctx));
  if (!isInt32(start) || !isInt32(end) || start >= end) throw invalidArguments(ctx);
  let random: number;
  if (args.length === 3) {
    const seed = Math.trunc(numberArg(args[2], ctx));
    random = createIdSource(`States.MathRandom/${seed}`).random();
  } else {
    random = ctx.ids.random();
  }
  return start + Math.floor(random * (end - start));
}

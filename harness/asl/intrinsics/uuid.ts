/**
 * States.UUID() — a version 4 UUID, taken from the execution's IdSource so runs are reproducible.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-uuid-generate
 */
import { arity, type IntrinsicContext } from './shared.ts';

export function statesUuid(args: unknown[], ctx: IntrinsicContext): string {
  arity(args, ctx, 0);
  return ctx.ids.uuid();
}

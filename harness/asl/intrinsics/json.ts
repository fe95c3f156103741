/**
 * States.StringToJson, States.JsonToString, States.JsonMerge.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate
 */
import { arity, invalidArguments, isPlainObject, stringArg, type IntrinsicContext } from './shared.ts';

export function statesStringToJson(args: unknown[], ctx: IntrinsicContext): unknown {
  arity(args, ctx, 1);
  const text = stringArg(args[0], ctx);
  // AWS returns null for an empty (or blank) string (recorded execution).
  if (text.trim() === '') return null;
  try {
    // JSON has no negative zero; AWS answers 0 for "-0".
    return JSON.parse(text, (_k, v: unknown) => (Object.is(v, -0) ? 0 : v)) as unknown;
  } catch {
    throw invalidArguments(ctx);
  }
}

export function statesJsonToString(args: unknown[], ctx: IntrinsicContext): string {
  arity(args, ctx, 1);
  return JSON.stringify(args[0] === undefined ? null : args[0]);
}

/** Shallow merge only: AWS requires the third argument to be `false`. */
export function statesJsonMerge(args: unknown[], ctx: IntrinsicContext): Record<string, unknown> {
  arity(args, ctx, 3);
  const [a, b, deep] = args;
  if (!isPlainObject(a) || !isPlainObject(b) || deep !== false) throw invalidArguments(ctx);
  return { ...a, ...b };
}

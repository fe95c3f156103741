/**
 * States.Base64Encode / States.Base64Decode (UTF-8), inputs up to 10,000 characters.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-data-encode-decode
 */
import { arity, invalidArguments, stringArg, type IntrinsicContext } from './shared.ts';

export const BASE64_INPUT_LIMIT = 10_000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function statesBase64Encode(args: unknown[], ctx: IntrinsicContext): string {
  arity(args, ctx, 1);
  const text = stringArg(args[0], ctx);
  if (text.length > BASE64_INPUT_LIMIT) throw invalidArguments(ctx);
  return Buffer.from(text, 'utf8').toString('base64');
}

export function statesBase64Decode(args: unknown[], ctx: IntrinsicContext): string {
  arity(args, ctx, 1);
  const text = stringArg(args[0], ctx);
  if (text.length > BASE64_INPUT_LIMIT || !BASE64.test(text)) throw invalidArguments(ctx);
  return Buffer.from(text, 'base64').toString('utf8');
}

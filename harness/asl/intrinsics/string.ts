/**
 * States.StringSplit — https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-string-operation
 * Behaves like Java's StringTokenizer: every character of the delimiter
 * string is a delimiter and empty tokens are dropped (a recorded AWS
 * execution splits "a\n,,,\nb" on "," into ["a\n", "\nb"]).
 */
import { arity, stringArg, type IntrinsicContext } from './shared.ts';

export function statesStringSplit(args: unknown[], ctx: IntrinsicContext): string[] {
  arity(args, ctx, 2);
  const text = stringArg(args[0], ctx);
  const delimiters = stringArg(args[1], ctx);
  const out: string[] = [];
  let token = '';
  for (const ch of text) {
    if (delimiters.includes(ch)) {
      if (token !== '') out.push(token);
      token = '';
    } else {
      token += ch;
    }
  }
  if (token !== '') out.push(token);
  return out;
}

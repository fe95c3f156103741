/**
 * States.Hash(data, algorithm) — hex digest; algorithms MD5, SHA-1, SHA-256,
 * SHA-384, SHA-512; data up to 10,000 characters.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-hash-calc
 */
import { createHash } from 'node:crypto';
import { arity, invalidArguments, stringArg, type IntrinsicContext } from './shared.ts';

export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
export const HASH_INPUT_LIMIT = 10_000;

export function statesHash(args: unknown[], ctx: IntrinsicContext): string {
  arity(args, ctx, 2);
  const data = args[0];
  if (data === null || data === undefined) throw invalidArguments(ctx);
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const algorithm = HASH_ALGORITHMS[stringArg(args[1], ctx)];
  if (!algorithm || text.length > HASH_INPUT_LIMIT) throw invalidArguments(ctx);
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

/**
 * The JSONata functions Step Functions adds to the standard library:
 * $partition, $range, $hash, $random, $uuid, $parse.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html#jsonata-functions
 * Randomness comes from the execution's IdSource (determinism); a thrown
 * Error becomes a States.QueryEvaluationError with its message.
 */
import { createHash } from 'node:crypto';
import { createIdSource, type IdSource } from '../../core/index.ts';
import { HASH_ALGORITHMS } from '../intrinsics/hash.ts';

class FunctionArgumentError extends Error {}

function fail(message: string): never {
  throw new FunctionArgumentError(message);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function stepFunctionsFunctions(ids: IdSource): Record<string, (...args: unknown[]) => unknown> {
  return {
    partition(array: unknown, size: unknown): unknown[][] {
      if (!Array.isArray(array)) fail('$partition: the first argument must be an array');
      if (!isNumber(size) || !Number.isInteger(size) || size <= 0) fail('$partition: the chunk size must be a positive integer');
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
      return out;
    },
    range(start: unknown, end: unknown, step: unknown): number[] {
      if (!isNumber(start) || !isNumber(end) || !isNumber(step) || !Number.isInteger(start) || !Number.isInteger(end) || !Number.isInteger(step)) {
        fail('$range: start, end and step must be integers');
      }
      if (step === 0) fail('$range: step must not be 0');
      const count = (end - start) / step < 0 ? 0 : Math.floor((end - start) / step) + 1;
      if (count > 1000) fail('$range: the range may hold at most 1000 items');
      // Returned as a JSONata sequence: AWS answers `1`, not `[1]`, for $range(1, 9, 9) (recorded execution).
      return Object.assign(Array.from({ length: count }, (_, i) => start + i * step), { sequence: true });
    },
    hash(value: unknown, algorithm: unknown): string {
      if (typeof value !== 'string') fail('$hash: the value must be a string');
      const algo = typeof algorithm === 'string' ? HASH_ALGORITHMS[algorithm] : undefined;
      if (!algo) fail(`$hash: the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      return createHash(algo).update(value, 'utf8').digest('hex');
    },
    random(seed?: unknown): number {
      if (seed === undefined) return ids.random();
      if (!isNumber(seed)) fail('$random: the seed must be a number');
      return createIdSource(`$random/${seed}`).random();
    },
    uuid(): string {
      return ids.uuid();
    },
    // "$eval is not available — use $parse" (transforming-data.html, supported JSONata version).
    eval(): never {
      return fail('$eval is not available in Step Functions; use $parse to read JSON text');
    },
    parse(text: unknown): unknown {
      if (typeof text !== 'string') fail('$parse: the argument must be a string');
      try {
        return JSON.parse(text, (_k, v: unknown) => (Object.is(v, -0) ? 0 : v)) as unknown;
      } catch (e) {
        return fail(`$parse: ${(e as Error).message}`);
      }
    },
  };
}

export { FunctionArgumentError };

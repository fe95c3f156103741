/**
 * The 256 KiB payload quota (States.DataLimitExceeded).
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-task-executions
 */
import { EngineError } from './frame.ts';

export const MAX_PAYLOAD_BYTES = 262_144;

/**
 * Lower bound of the JSON size of `value` in UTF-16 units, stopping as soon as it
 * passes the limit — cheaper than JSON.stringify for the small values of the hot path.
 */
function sizeAtLeast(value: unknown, budget: number): number {
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'boolean':
      return 5;
    case 'object': {
      let n = 2;
      if (Array.isArray(value)) {
        for (const v of value) {
          n += sizeAtLeast(v, budget - n) + 1;
          if (n > budget) return n;
        }
      } else {
        for (const k in value as Record<string, unknown>) {
          n += k.length + 4 + sizeAtLeast((value as Record<string, unknown>)[k], budget - n);
          if (n > budget) return n;
        }
      }
      return n;
    }
    default:
      return 0;
  }
}

export function exceedsPayloadLimit(value: unknown): boolean {
  if (sizeAtLeast(value, MAX_PAYLOAD_BYTES) <= MAX_PAYLOAD_BYTES / 4) return false; // worst case 4 bytes per unit
  return Buffer.byteLength(JSON.stringify(value ?? null)) > MAX_PAYLOAD_BYTES;
}

/** AWS's cause: "The state/task 'X' returned a result with a size exceeding the maximum number of bytes service limit." */
export function dataLimitError(name: string): EngineError {
  return new EngineError('States.DataLimitExceeded', `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`);
}

/**
 * Request-field checks for the Step Functions API. AWS answers a missing or
 * mistyped field with ValidationException naming the member; so do we.
 */
import { InvalidToken, ValidationException } from './errors.ts';

export type Input = Record<string, unknown>;

export function requiredString(input: Input, field: string, max = 256): string {
  const v = input[field];
  if (v === undefined || v === null) {
    throw ValidationException(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  if (typeof v !== 'string') throw ValidationException(`Value at '${field}' must be a string`);
  if (v.length < 1 || v.length > max) {
    throw ValidationException(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and ${max}`);
  }
  return v;
}

export function optionalString(input: Input, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw ValidationException(`Value at '${field}' must be a string`);
  return v;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw ValidationException(`Value at '${field}' must be a boolean`);
  return v;
}

/** `maxResults`: 0 or absent means the default (AWS: 100), at most 1000. */
export function pageSize(input: Input, field = 'maxResults', dflt = 100): number {
  const v = input[field];
  if (v === undefined || v === null || v === 0) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) {
    throw ValidationException(`1 validation error detected: Value '${String(v)}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  return v;
}

/** Opaque page tokens: base64 of the offset and what was listed, so a token for one list is rejected by another. */
export function encodePageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64');
}

export function decodePageToken(token: string | undefined, scope: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { s?: unknown; o?: unknown };
    if (parsed.s === scope && typeof parsed.o === 'number' && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through: AWS answers any unusable token the same way
  }
  throw InvalidToken(`Invalid Token: '${token}'`);
}

/** Tags as the API sends them: `[{key, value}]`. */
export function tagList(input: Input, field = 'tags'): Array<{ key: string; value: string }> {
  const v = input[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw ValidationException(`Value at '${field}' must be a list`);
  return v.map((t, i) => {
    const tag = t as { key?: unknown; value?: unknown };
    if (typeof tag?.key !== 'string') throw ValidationException(`Value at '${field}.${i + 1}.member.key' must be a string`);
    return { key: tag.key, value: typeof tag.value === 'string' ? tag.value : '' };
  });
}

/** Seconds since the epoch, the awsJson timestamp format (fractional milliseconds kept). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

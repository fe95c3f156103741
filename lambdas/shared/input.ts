/** Small, explicit payload checks: a bad payload names the field it lacks. */
import { InvalidInputError } from './errors.ts';

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

export function requireString(obj: Record<string, unknown>, field: string, what = 'event'): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new InvalidInputError(`${what}.${field} must be a non-empty string, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return v;
}

export function optionalString(obj: Record<string, unknown>, field: string, what = 'event'): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidInputError(`${what}.${field} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** `{bucket, key}`: the object a handler works on. */
export function objectRef(event: unknown): { bucket: string; key: string } {
  const e = asRecord(event, 'event');
  return { bucket: requireString(e, 'bucket'), key: requireString(e, 'key') };
}

/**
 * Reading EventBridge request members: each check fails with the
 * ValidationException EventBridge's frontend sends (`1 validation error
 * detected: Value 'x' at 'name' failed to satisfy constraint: …`), naming
 * the member.
 */
import { constraintViolation, ValidationException } from './errors.ts';

export type Input = Record<string, unknown>;

/** Member names on the wire are PascalCase; AWS's constraint messages name them camelCase. */
function memberName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function optionalString(input: Input, name: string, options: { max?: number; pattern?: RegExp; min?: number } = {}): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw ValidationException(`Parameter ${name} must be a string, got ${Array.isArray(v) ? 'an array' : typeof v}.`);
  const min = options.min ?? 1;
  if (v.length < min) throw constraintViolation(memberName(name), v, `Member must have length greater than or equal to ${min}`);
  if (options.max !== undefined && v.length > options.max) throw constraintViolation(memberName(name), v, `Member must have length less than or equal to ${options.max}`);
  if (options.pattern && !options.pattern.test(v)) throw constraintViolation(memberName(name), v, `Member must satisfy regular expression pattern: ${options.pattern.source.replace(/^\^|\$$/g, '')}`);
  return v;
}

export function requiredString(input: Input, name: string, options: { max?: number; pattern?: RegExp } = {}): string {
  const v = optionalString(input, name, options);
  if (v === undefined) throw constraintViolation(memberName(name), null, 'Member must not be null');
  return v;
}

export function optionalBoolean(input: Input, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw ValidationException(`Parameter ${name} must be a boolean, got ${typeof v}.`);
  return v;
}

export function list(input: Input, name: string, options: { min?: number; max?: number; required?: boolean } = {}): unknown[] {
  const v = input[name];
  if (v === undefined || v === null) {
    if (options.required) throw constraintViolation(memberName(name), null, 'Member must not be null');
    return [];
  }
  if (!Array.isArray(v)) throw ValidationException(`Parameter ${name} must be a list, got ${typeof v}.`);
  if (options.min !== undefined && v.length < options.min) throw constraintViolation(memberName(name), v, `Member must have length greater than or equal to ${options.min}`);
  if (options.max !== undefined && v.length > options.max) throw constraintViolation(memberName(name), v, `Member must have length less than or equal to ${options.max}`);
  return v;
}

export function struct(value: unknown, at: string): Input {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw ValidationException(`${at} must be a structure (a JSON object).`);
  return value as Input;
}

/** Tags as `[{Key, Value}]` (TagResource, PutRule, CreateEventBus). */
export function tagList(input: Input, name = 'Tags'): Record<string, string> {
  const out: Record<string, string> = {};
  list(input, name, { max: 50 }).forEach((t, i) => {
    const tag = struct(t, `${name}[${i}]`);
    const key = requiredString(tag, 'Key', { max: 128 });
    const value = tag.Value;
    if (typeof value !== 'string' || value.length > 256) throw ValidationException(`${name}[${i}].Value must be a string of at most 256 characters.`);
    out[key] = value;
  });
  return out;
}

/** Limit and NextToken of a List* operation: the page's start index and size. */
export function page(input: Input, scope: string): { start: number; size: number } {
  const limit = input.Limit;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100)) {
    throw constraintViolation('limit', limit, 'Member must have value between 1 and 100');
  }
  const token = optionalString(input, 'NextToken', { max: 2048 });
  let start = 0;
  if (token !== undefined) {
    const m = /^(.*):(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!m || m[1] !== scope) throw ValidationException('The NextToken value is not valid.');
    start = Number(m[2]);
  }
  return { start, size: typeof limit === 'number' ? limit : 100 };
}

export function nextToken(scope: string, next: number, total: number): { NextToken?: string } {
  return next < total ? { NextToken: Buffer.from(`${scope}:${next}`, 'utf8').toString('base64') } : {};
}

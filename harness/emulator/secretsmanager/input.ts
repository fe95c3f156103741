/**
 * Reads request members with AWS's checks: a member of the wrong JSON type is a
 * SerializationException, a missing required member or a length outside its
 * constraint is a ValidationException in AWS's "1 validation error detected"
 * wording — so a bad request names the member that is wrong.
 */
import { SerializationException, ValidationException } from './errors.ts';

type Raw = Record<string, unknown>;

/** `SecretId` → `secretId`: Coral messages name members in camelCase. */
function coralName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export interface LengthRule {
  min?: number;
  max?: number;
}

export class Input {
  constructor(
    private readonly raw: Raw,
    private readonly where = '',
  ) {}

  private path(member: string): string {
    return this.where ? `${this.where}.${member}` : member;
  }

  has(member: string): boolean {
    return this.raw[member] !== undefined && this.raw[member] !== null;
  }

  private missing(member: string): never {
    throw ValidationException(
      `1 validation error detected: Value null at '${coralName(this.path(member))}' failed to satisfy constraint: Member must not be null`,
    );
  }

  private wrongType(member: string, expected: string, v: unknown): never {
    throw SerializationException(`Expected ${expected} for ${this.path(member)}, got ${typeName(v)}`);
  }

  optString(member: string, rule: LengthRule = {}): string | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.wrongType(member, 'a string', v);
    if (rule.min !== undefined && v.length < rule.min) {
      throw ValidationException(
        `1 validation error detected: Value at '${coralName(this.path(member))}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
      );
    }
    if (rule.max !== undefined && v.length > rule.max) {
      throw ValidationException(
        `1 validation error detected: Value at '${coralName(this.path(member))}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
      );
    }
    return v;
  }

  string(member: string, rule: LengthRule = {}): string {
    const v = this.optString(member, rule);
    if (v === undefined) this.missing(member);
    return v;
  }

  optBoolean(member: string): boolean | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.wrongType(member, 'a boolean', v);
    return v;
  }

  optInteger(member: string, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.wrongType(member, 'an integer', v);
    if ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) {
      const bound = range.min !== undefined && v < range.min ? `greater than or equal to ${range.min}` : `less than or equal to ${range.max}`;
      throw ValidationException(
        `1 validation error detected: Value '${v}' at '${coralName(this.path(member))}' failed to satisfy constraint: Member must have value ${bound}`,
      );
    }
    return v;
  }

  optStringList(member: string): string[] | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.wrongType(member, 'a list', v);
    return v.map((item, i) => {
      if (typeof item !== 'string') this.wrongType(`${member}[${i}]`, 'a string', item);
      return item;
    });
  }

  /** A list of structures, each read through its own Input (so errors name `Tags[1].Key`). */
  optList(member: string): Input[] | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.wrongType(member, 'a list', v);
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) this.wrongType(`${member}[${i}]`, 'a structure', item);
      return new Input(item as Raw, this.path(`${member}[${i}]`));
    });
  }

  optStruct(member: string): Input | undefined {
    const v = this.raw[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.wrongType(member, 'a structure', v);
    return new Input(v as Raw, this.path(member));
  }
}

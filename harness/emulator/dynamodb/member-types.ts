/**
 * dynalite's member type check (`checkTypes`: the SerializationException
 * pass, before any ValidationException) with a fast path for the members
 * that hold AttributeValues — `Item`, `Key`, `ExpressionAttributeValues`,
 * `ExclusiveStartKey`. dynalite checks every attribute value by building
 * its ten-member type description again and matching type names with a
 * regex at each level: most of a PutItem's validation (bench/dynamodb.ts).
 * A well-formed map of AttributeValues (each value one member of the JSON
 * type its name needs: `S`/`N` a string, `B` valid base64, `BOOL`/`NULL` a
 * boolean, sets arrays of those, `L`/`M` well-formed in turn) comes out of
 * dynalite's check as an equal copy, so it is copied here; anything else —
 * where dynalite converts (`"true"` for a BOOL), drops members or throws — is
 * handed to dynalite itself, member by member in dynalite's own order, so
 * the result and the first error are dynalite's (test/emulator/dynamodb/member-types.test.ts).
 */

export type CheckTypes = (data: Record<string, unknown>, types: Record<string, unknown>) => Record<string, unknown>;

const ATTRIBUTE_VALUE_MAP = 'Map<AttributeValue>';
const ATTRIBUTE_VALUE = 'AttrStruct<ValueStruct>';

function holdsAttributeValues(type: unknown): boolean {
  return typeof type === 'object' && type !== null && (type as { type?: unknown }).type === ATTRIBUTE_VALUE_MAP && (type as { children?: unknown }).children === ATTRIBUTE_VALUE;
}

/** A check as dynalite's for `types`, given dynalite's own for the members the fast path does not take. */
export function fastCheckTypes(dynaliteCheckTypes: CheckTypes): CheckTypes {
  return (data, types) => {
    // As dynalite: members without a type, and null members, are dropped from the request.
    for (const key in data) if (!types[key] || data[key] == null) delete data[key];
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(types)) {
      const value = data[key];
      if (value == null) continue;
      let checked: unknown = holdsAttributeValues(types[key]) ? attributeValueMap(value) : undefined;
      if (checked === undefined) checked = dynaliteCheckTypes({ [key]: value }, { [key]: types[key] })[key];
      if (checked != null) out[key] = checked;
    }
    return out;
  };
}

/** A copy of a well-formed `{ name: AttributeValue }` map, or undefined for dynalite to check. */
function attributeValueMap(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    const checked = attributeValue((value as Record<string, unknown>)[name]);
    if (checked === undefined) return undefined;
    // The same assignment dynalite makes (a `__proto__` name behaves as it does there).
    out[name] = checked;
  }
  return out;
}

function isBlob(value: unknown): value is string {
  return typeof value === 'string' && value.length % 4 === 0 && Buffer.from(value, 'base64').toString('base64') === value;
}

function attributeValue(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const members = Object.keys(value);
  // dynalite lists a value's members in its own type order: with one member there is no order to keep.
  if (members.length !== 1) return undefined;
  const type = members[0]!;
  const v = (value as Record<string, unknown>)[type];
  switch (type) {
    case 'S':
      return typeof v === 'string' ? { S: v } : undefined;
    case 'N':
      return typeof v === 'string' ? { N: v } : undefined;
    case 'B':
      return isBlob(v) ? { B: v } : undefined;
    case 'BOOL':
      return typeof v === 'boolean' ? { BOOL: v } : undefined;
    case 'NULL':
      return typeof v === 'boolean' ? { NULL: v } : undefined;
    case 'SS':
    case 'NS':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? { [type]: [...(v as string[])] } : undefined;
    case 'BS':
      return Array.isArray(v) && v.every(isBlob) ? { BS: [...(v as string[])] } : undefined;
    case 'L': {
      if (!Array.isArray(v)) return undefined;
      const list: unknown[] = [];
      for (const element of v) {
        const checked = attributeValue(element);
        if (checked === undefined) return undefined;
        list.push(checked);
      }
      return { L: list };
    }
    case 'M': {
      const map = attributeValueMap(v);
      return map === undefined ? undefined : { M: map };
    }
    default:
      return undefined;
  }
}

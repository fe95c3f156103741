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
 * dynalite's check as an equal copy, so it is taken as it is; anything else —
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

/**
 * The map itself when it is a well-formed `{ name: AttributeValue }` map,
 * else undefined for dynalite to check. Not a copy: dynalite's copy of such
 * a map is equal member for member, in the same order, and the request's
 * parsed body belongs to this request alone. A `__proto__` name is dynalite's
 * to handle (its copy assigns it, which sets the prototype).
 */
function attributeValueMap(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const name of Object.keys(value)) {
    if (name === '__proto__' || !wellFormed((value as Record<string, unknown>)[name])) return undefined;
  }
  return value as Record<string, unknown>;
}

function isBlob(value: unknown): value is string {
  return typeof value === 'string' && value.length % 4 === 0 && Buffer.from(value, 'base64').toString('base64') === value;
}

/** One member of the JSON type its name needs (`S`/`N` a string, `B` base64, …; `L`/`M` well formed in turn). */
function wellFormed(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const members = Object.keys(value);
  // dynalite lists a value's members in its own type order: with one member there is no order to keep.
  if (members.length !== 1) return false;
  const type = members[0]!;
  const v = (value as Record<string, unknown>)[type];
  switch (type) {
    case 'S':
    case 'N':
      return typeof v === 'string';
    case 'B':
      return isBlob(v);
    case 'BOOL':
    case 'NULL':
      return typeof v === 'boolean';
    case 'SS':
    case 'NS':
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
    case 'BS':
      return Array.isArray(v) && v.every(isBlob);
    case 'L':
      return Array.isArray(v) && v.every(wellFormed);
    case 'M':
      return attributeValueMap(v) !== undefined;
    default:
      return false;
  }
}

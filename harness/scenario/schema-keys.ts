/**
 * Which keys the schema allows at a path — for "did you mean" suggestions. Walks
 * zod 4's public `_zod.def` tree (object shape, optional/default wrappers,
 * arrays, records, unions, lazy).
 */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Unwraps optional/default/lazy/etc. into the candidate schemas at this level. */
function unwrap(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 20) return [];
  const d = defOf(schema);
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
    case 'catch':
    case 'prefault':
    case 'nonoptional':
      return d.innerType ? unwrap(d.innerType, depth + 1) : [];
    case 'lazy':
      return d.getter ? unwrap(d.getter(), depth + 1) : [];
    case 'pipe':
      return d.in ? unwrap(d.in, depth + 1) : [];
    case 'union':
      return (d.options ?? []).flatMap((o) => unwrap(o, depth + 1));
    default:
      return [schema];
  }
}

/** The schemas reached by following `path` from `root`. */
export function schemasAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType[] {
  let current = unwrap(root);
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const d = defOf(s);
      if (d.type === 'object' && typeof seg === 'string' && d.shape?.[seg]) next.push(...unwrap(d.shape[seg]));
      else if (d.type === 'array' && typeof seg === 'number' && d.element) next.push(...unwrap(d.element));
      else if (d.type === 'record' && d.valueType) next.push(...unwrap(d.valueType));
    }
    current = next;
  }
  return current;
}

/** Keys the object schema(s) at `path` accept. */
export function keysAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(root, path)) {
    const d = defOf(s);
    if (d.type === 'object' && d.shape) for (const k of Object.keys(d.shape)) keys.add(k);
  }
  return [...keys];
}

/**
 * Diagnostic locations. We name fields the way a reader finds them:
 * `States.ResizeImage.Retry[0].BackoffRate`, `States.P.Parameters.key.$`;
 * other names containing `.`, `[` or `]` are bracketed (`States['a.b'].Next`). ValidateStateMachineDefinition
 * reports JSON-pointer style (`/States/ResizeImage/Retry/0/BackoffRate`):
 * toJsonPointer converts.
 */
export type LocationPart = string | number;

export function formatLocation(parts: readonly LocationPart[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    // `Parameters.key.$` reads better than `Parameters['key.$']` and parses back unambiguously.
    else if (/[.[\]']/.test(p.endsWith('.$') ? p.slice(0, -2) : p) || p === '' || p === '$' || p === '.$') out += `['${p}']`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

export function parseLocation(location: string): LocationPart[] {
  const parts: LocationPart[] = [];
  const re = /\['((?:[^']|'(?!\]))*)'\]|\[(\d+)\]|\.?([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(location)) !== null) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] === '$' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += '.$';
    else if (m[3] !== undefined) parts.push(m[3]);
  }
  return parts;
}

export function toJsonPointer(location: string): string {
  const parts = parseLocation(location);
  return parts.length === 0 ? '/' : parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromJsonPointer(pointer: string): LocationPart[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.slice(1).split('/').map((s) => {
    const v = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(v) ? Number(v) : v;
  });
}

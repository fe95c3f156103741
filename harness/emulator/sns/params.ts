/**
 * Un-flattens awsQuery parameters as SDK v3, the AWS CLI and boto3 send them:
 * lists as `Prefix.member.N[.Field]`, maps as `Prefix.entry.N.<key>` /
 * `Prefix.entry.N.<value>` (N from 1; SNS names the map key/value `Name`/`Value`
 * for MessageAttributes and `key`/`value` for Attributes).
 */

/** Groups `${prefix}.${kind}.N.rest` into one record per N (ordered by N) of `rest → value`. */
function grouped(params: Record<string, string>, prefix: string, kind: 'member' | 'entry'): Array<Record<string, string>> {
  const start = `${prefix}.${kind}.`;
  const byIndex = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(start)) continue;
    const rest = key.slice(start.length);
    const dot = rest.indexOf('.');
    const indexText = dot < 0 ? rest : rest.slice(0, dot);
    if (!/^\d+$/.test(indexText)) continue;
    const index = Number(indexText);
    const field = dot < 0 ? '' : rest.slice(dot + 1);
    const group = byIndex.get(index) ?? {};
    group[field] = value;
    byIndex.set(index, group);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/** `Prefix.member.N.Field=…` → `[{Field: …}, …]`; a scalar list (`Prefix.member.N=…`) has its value under `''`. */
export function members(params: Record<string, string>, prefix: string): Array<Record<string, string>> {
  return grouped(params, prefix, 'member');
}

/** `Prefix.entry.N.<sub>=…` → `[{<sub>: …}, …]`. */
export function entries(params: Record<string, string>, prefix: string): Array<Record<string, string>> {
  return grouped(params, prefix, 'entry');
}

/** The sub-parameters of one nested structure: keys under `prefix.` with the prefix removed. */
export function sub(params: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const start = `${prefix}.`;
  for (const [k, v] of Object.entries(params)) if (k.startsWith(start)) out[k.slice(start.length)] = v;
  return out;
}

/** A string→string map sent as `Prefix.entry.N.key` / `Prefix.entry.N.value`. */
export function stringMap(params: Record<string, string>, prefix: string, keyName = 'key', valueName = 'value'): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries(params, prefix)) {
    const k = e[keyName];
    if (k !== undefined) out.set(k, e[valueName] ?? '');
  }
  return out;
}

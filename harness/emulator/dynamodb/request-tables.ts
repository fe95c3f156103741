/**
 * The tables a request touches, read from its members alone (no validation):
 * `TableName`, the keys of `RequestItems`, each `TransactItems` action's
 * `TableName`, a tag's `ResourceArn` — what faults aimed at a table
 * (`given.faults: - { table: … }`) match.
 */
export function tablesOf(input: Record<string, unknown>): string[] {
  const out = new Set<string>();
  if (typeof input.TableName === 'string') out.add(input.TableName);
  if (typeof input.ResourceArn === 'string') out.add(input.ResourceArn.slice(input.ResourceArn.lastIndexOf('/') + 1));
  if (input.RequestItems && typeof input.RequestItems === 'object') for (const name of Object.keys(input.RequestItems)) out.add(name);
  if (Array.isArray(input.TransactItems)) {
    for (const entry of input.TransactItems) {
      if (!entry || typeof entry !== 'object') continue;
      for (const action of Object.values(entry as Record<string, unknown>)) {
        const name = (action as { TableName?: unknown } | null)?.TableName;
        if (typeof name === 'string') out.add(name);
      }
    }
  }
  return [...out];
}

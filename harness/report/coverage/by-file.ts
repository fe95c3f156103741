/** State machines grouped by their definition file (several can share a template), files in name order. */
import type { StateMachineCoverage } from './types.ts';

export function byFile(machines: StateMachineCoverage[]): Array<[string, StateMachineCoverage[]]> {
  const files = new Map<string, StateMachineCoverage[]>();
  for (const m of machines) if (m.file !== undefined) files.set(m.file, [...(files.get(m.file) ?? []), m]);
  return [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
}

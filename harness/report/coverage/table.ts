/** The console summary: one row per state machine, each measure as covered/total and its percentage. */
import { MEASURE_HEADINGS, MEASURES, percent, type RunCoverage, type Tally } from './types.ts';

const cell = (t: Tally) => (t.total === 0 ? '-' : `${t.covered}/${t.total} ${Math.floor(percent(t))}%`);

export function renderCoverageTable(coverage: RunCoverage): string {
  const header = ['state machine', 'runs', ...MEASURES.map((k) => MEASURE_HEADINGS[k])];
  const rows = coverage.stateMachines.map((m) => [`${m.name}${m.file ? ` (${m.file})` : ''}`, String(m.executions), ...MEASURES.map((k) => cell(m.totals[k]))]);
  if (rows.length === 0) return 'coverage: no state machine was created by these scenarios\n';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Text left, numbers right, as coverage tables read.
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return `${['coverage:', line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Workflow coverage as an lcov tracefile (the format of geninfo/genhtml, read
 * by Codecov, Coveralls, SonarQube, VS Code Coverage Gutters…), on the
 * definition files themselves: each state machine is a function (hit once per
 * execution), each state a line (its key's line, hit once per entry), each
 * transition a branch on the line it is written (a Choice rule, a Default, a
 * catcher, a Next), grouped in one block per state.
 * https://github.com/linux-test-project/lcov/blob/master/man/geninfo.1 (TRACEFILE FORMAT)
 */
import type { StateMachineCoverage } from './types.ts';
import { byFile } from './by-file.ts';

/** One record per definition file; state machines without a known file are left out (the console and JSON still count them). */
export function renderLcov(machines: StateMachineCoverage[]): string {
  const out: string[] = [];
  for (const [file, list] of byFile(machines)) {
    out.push('TN:rehearse', `SF:${file}`);
    for (const m of list) out.push(`FN:${functionLine(m)},${m.name}`);
    for (const m of list) out.push(`FNDA:${m.executions},${m.name}`);
    out.push(`FNF:${list.length}`, `FNH:${list.filter((m) => m.executions > 0).length}`);
    let block = 0;
    let branches = 0;
    let branchesHit = 0;
    for (const m of list) {
      const entered = new Map(m.states.map((s) => [s.path, s.entered]));
      const stateLine = new Map(m.states.map((s) => [s.path, s.line]));
      for (const s of m.states) {
        const from = m.transitions.filter((t) => t.from === s.path);
        from.forEach((t, i) => {
          const line = t.line ?? stateLine.get(t.from);
          if (line === undefined) return;
          // `-`: the block's state never ran, so its branches were not even reachable.
          out.push(`BRDA:${line},${block},${i},${(entered.get(s.path) ?? 0) > 0 ? t.taken : '-'}`);
          branches++;
          if (t.taken > 0) branchesHit++;
        });
        block++;
      }
    }
    out.push(`BRF:${branches}`, `BRH:${branchesHit}`);
    const lines = new Map<number, number>();
    for (const m of list) for (const s of m.states) if (s.line !== undefined) lines.set(s.line, (lines.get(s.line) ?? 0) + s.entered);
    const sorted = [...lines.entries()].sort(([a], [b]) => a - b);
    for (const [line, hits] of sorted) out.push(`DA:${line},${hits}`);
    out.push(`LF:${sorted.length}`, `LH:${sorted.filter(([, h]) => h > 0).length}`, 'end_of_record');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** Where a state machine "starts" in its file: its first state's line. */
function functionLine(m: StateMachineCoverage): number {
  const lines = m.states.flatMap((s) => (s.line !== undefined ? [s.line] : []));
  return lines.length > 0 ? Math.min(...lines) : 1;
}

/**
 * Workflow coverage of a whole run, from what the run already recorded: each
 * scenario's state machines (with where their definitions are written) and
 * its executions' histories. Nothing is re-run. State machines are told apart
 * by name and source file, so the same workflow exercised by many scenarios
 * adds up, and a scenario's edited copy of it is counted on its own file.
 */
import { relative } from 'node:path';
import type { RunReport, StateMachineSource } from '../../scenario/results.ts';
import { addExecution, emptyHits, type Hits } from './collect.ts';
import { coverageModel, type CoverageModel } from './model.ts';
import { sourceLines, type SourceCache, type SourceLines } from './source-lines.ts';
import { measureTotals, type RunCoverage, type StateMachineCoverage } from './types.ts';

interface Machine {
  name: string;
  definition: string;
  file?: string;
  model: CoverageModel;
  lines?: SourceLines;
  hits: Hits;
}

const keyOf = (s: { name: string; file?: string; at?: Array<string | number> }) => JSON.stringify([s.name, s.file ?? '', s.at ?? []]);

export function computeCoverage(report: RunReport, cwd: string): RunCoverage {
  const machines = new Map<string, Machine>();
  const parsedFiles: SourceCache = new Map();
  const machineFor = (source: StateMachineSource | { name: string; definition: string }): Machine | undefined => {
    const key = keyOf(source);
    let m = machines.get(key);
    if (!m) {
      const model = coverageModel(source.definition);
      if (!model) return undefined;
      const file = 'file' in source ? source.file : undefined;
      const lines = file !== undefined && 'at' in source ? sourceLines(file, source.at, parsedFiles) : undefined;
      m = { name: source.name, definition: source.definition, model, hits: emptyHits(), ...(file !== undefined ? { file } : {}), ...(lines ? { lines } : {}) };
      machines.set(key, m);
    }
    return m;
  };
  for (const s of report.scenarios) {
    const sources = new Map((s.stateMachines ?? []).map((sm) => [sm.name, sm]));
    // Every state machine a scenario created counts, run or not: one never started shows as 0 %.
    for (const sm of sources.values()) machineFor(sm);
    for (const exec of s.executions) {
      const source = sources.get(exec.workflow) ?? (exec.definition !== undefined ? { name: exec.workflow, definition: exec.definition } : undefined);
      const m = source ? machineFor(source) : undefined;
      if (m) addExecution(m.model, exec.history, m.hits);
    }
  }
  const stateMachines = [...machines.values()].map((m) => summarize(m, cwd));
  stateMachines.sort((a, b) => a.name.localeCompare(b.name) || (a.file ?? '').localeCompare(b.file ?? ''));
  return { stateMachines };
}

function summarize(m: Machine, cwd: string): StateMachineCoverage {
  const line = (at: Array<string | number>) => {
    const n = m.lines?.lineOf(at);
    return n !== undefined ? { line: n } : {};
  };
  const { model, hits } = m;
  const states = model.states.map((s) => ({ path: s.path, name: s.name, type: s.type, entered: hits.states.get(s.path) ?? 0, ...line(s.at) }));
  const transitions = model.transitions.map((t) => ({ id: t.id, from: t.from, to: t.to, kind: t.kind, taken: hits.transitions.get(t.id) ?? 0, ...line(t.at) }));
  const retriers = model.retriers.map((r) => ({ id: r.id, state: r.state, errorEquals: r.errorEquals, fired: hits.retriers.get(r.id) ?? 0, ...line(r.at) }));
  const containers = model.containers.map((c) => ({
    path: c.path,
    type: c.type,
    branches: c.branches.map((b) => ({ index: b.index, startAt: b.startAt, entered: hits.branches.get(`${c.path}#${b.index}`) ?? 0 })),
    ...(c.type === 'Map' ? { iterations: hits.iterations.get(c.path) ?? 0 } : {}),
    ...(c.distributed ? { distributed: true as const } : {}),
  }));
  return {
    name: m.name,
    ...(m.file !== undefined ? { file: relative(cwd, m.file) || m.file } : {}),
    executions: hits.executions,
    definition: m.definition,
    states,
    transitions,
    retriers,
    containers,
    totals: measureTotals({ states, transitions, retriers }),
  };
}

/**
 * Workflow coverage as reported (the JSON report's `coverage` section, and
 * what the console table, lcov and Cobertura writers and the threshold check
 * read): per state machine, each coverable item with its count and the line
 * it is written on.
 */
import type { TransitionKind } from './model.ts';

export interface Tally {
  covered: number;
  total: number;
}

/** The measures a threshold can name (`--coverage-threshold states=100,transitions=90`). */
export const MEASURES = ['states', 'transitions', 'choices', 'catches', 'retries'] as const;
export type Measure = (typeof MEASURES)[number];

/** Each measure's column heading, in the console table and the HTML report. */
export const MEASURE_HEADINGS: Record<Measure, string> = { states: 'states', transitions: 'transitions', choices: 'choice rules', catches: 'catch', retries: 'retry' };

export interface StateMachineCoverage {
  name: string;
  /** The definition's file, relative to the run's directory (absent when only the deployed text was known). */
  file?: string;
  executions: number;
  /** The definition as created, for the HTML report's graph; left out of the JSON report. */
  definition?: string;
  states: Array<{ path: string; name: string; type: string; entered: number; line?: number }>;
  transitions: Array<{ id: string; from: string; to: string; kind: TransitionKind; taken: number; line?: number }>;
  retriers: Array<{ id: string; state: string; errorEquals: string[]; fired: number; line?: number }>;
  /** Parallel branches and Map item processors: how often each was entered; a Map's iterations (a distributed Map's processor is not counted). */
  containers: Array<{ path: string; type: 'Parallel' | 'Map'; branches: Array<{ index: number; startAt: string; entered: number }>; iterations?: number; distributed?: true }>;
  /** `choices`: Choice rules and Defaults; `catches`: catchers whose Next was taken; `retries`: retriers that fired. */
  totals: Record<Measure, Tally>;
}

export interface RunCoverage {
  stateMachines: StateMachineCoverage[];
}

export function percent(t: Tally): number {
  return t.total === 0 ? 100 : (100 * t.covered) / t.total;
}

/**
 * The items one measure counts in a state machine's coverage, each named as
 * a threshold miss names it (a state's path, `IsValid.Default → Done`, a
 * retrier's id) and whether the run covered it — the one definition the
 * totals and the threshold check both read.
 */
export function measureItems(m: Pick<StateMachineCoverage, 'states' | 'transitions' | 'retriers'>, measure: Measure): Array<{ name: string; covered: boolean }> {
  const edges = (kinds: readonly TransitionKind[] | undefined) =>
    m.transitions.filter((t) => kinds === undefined || kinds.includes(t.kind)).map((t) => ({ name: `${t.id} → ${t.to}`, covered: t.taken > 0 }));
  switch (measure) {
    case 'states':
      return m.states.map((s) => ({ name: s.path, covered: s.entered > 0 }));
    case 'transitions':
      return edges(undefined);
    case 'choices':
      return edges(['choice', 'default']);
    case 'catches':
      return edges(['catch']);
    case 'retries':
      return m.retriers.map((r) => ({ name: r.id, covered: r.fired > 0 }));
  }
}

/** covered/total of every measure. */
export function measureTotals(m: Pick<StateMachineCoverage, 'states' | 'transitions' | 'retriers'>): Record<Measure, Tally> {
  const tally = (items: Array<{ covered: boolean }>): Tally => ({ covered: items.filter((i) => i.covered).length, total: items.length });
  return Object.fromEntries(MEASURES.map((k) => [k, tally(measureItems(m, k))])) as Record<Measure, Tally>;
}

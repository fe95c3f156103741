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

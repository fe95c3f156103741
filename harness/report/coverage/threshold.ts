/**
 * `--coverage-threshold states=100,transitions=90`: the minimum percentage of
 * each measure every state machine of the run must reach, and what each one
 * missed when it does not.
 */
import { RehearseError } from '../../core/index.ts';
import { MEASURES, measureItems, percent, type Measure, type RunCoverage } from './types.ts';

export type Thresholds = Partial<Record<Measure, number>>;

export function parseThresholds(text: string): Thresholds {
  const out: Thresholds = {};
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new RehearseError('ERR_BAD_INPUT', `--coverage-threshold '${text}': expected MEASURE=PERCENT[,…] with MEASURE one of ${MEASURES.join(', ')}, e.g. states=100,transitions=90`);
  for (const part of parts) {
    const m = /^([a-z]+)\s*=\s*(\S+)$/i.exec(part);
    if (!m) throw new RehearseError('ERR_BAD_INPUT', `--coverage-threshold: '${part}' is not MEASURE=PERCENT (e.g. states=100)`);
    const name = m[1]!;
    if (!(MEASURES as readonly string[]).includes(name)) throw new RehearseError('ERR_BAD_INPUT', `--coverage-threshold: unknown measure '${name}' in '${part}' (known: ${MEASURES.join(', ')})`);
    const value = Number(m[2]!.replace(/%$/, ''));
    if (!Number.isFinite(value) || value < 0 || value > 100) throw new RehearseError('ERR_BAD_INPUT', `--coverage-threshold: '${m[2]}' in '${part}' is not a percentage from 0 to 100`);
    if (Object.hasOwn(out, name)) throw new RehearseError('ERR_BAD_INPUT', `--coverage-threshold: '${name}' is given twice`);
    out[name as Measure] = value;
  }
  return out;
}

export interface ThresholdMiss {
  stateMachine: string;
  file?: string;
  measure: Measure;
  percent: number;
  threshold: number;
  /** What was not covered: state paths, transition ids (`IsValid.Default → Done`), retrier ids. */
  missed: string[];
}

export function checkThresholds(coverage: RunCoverage, thresholds: Thresholds): ThresholdMiss[] {
  const misses: ThresholdMiss[] = [];
  for (const m of coverage.stateMachines) {
    for (const measure of MEASURES) {
      const threshold = thresholds[measure];
      if (threshold === undefined) continue;
      const p = percent(m.totals[measure]);
      if (p + 1e-9 >= threshold) continue;
      misses.push({ stateMachine: m.name, ...(m.file !== undefined ? { file: m.file } : {}), measure, percent: p, threshold, missed: measureItems(m, measure).filter((i) => !i.covered).map((i) => i.name) });
    }
  }
  return misses;
}

/** One line per miss: `image-processor (workflows/image-processor.asl.json): states 83.3% < 100%, not entered: NotifyError, Failed`. */
export function describeMisses(misses: ThresholdMiss[]): string[] {
  const what: Record<Measure, string> = { states: 'not entered', transitions: 'not taken', choices: 'not taken', catches: 'never caught', retries: 'never fired' };
  return misses.map((x) => `${x.stateMachine}${x.file ? ` (${x.file})` : ''}: ${x.measure} ${x.percent.toFixed(1)}% < ${x.threshold}%, ${what[x.measure]}: ${x.missed.join(', ')}`);
}

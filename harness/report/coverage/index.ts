/**
 * Workflow coverage (`rehearse run --coverage`): computed from a finished run
 * (compute.ts), shown as a console table, kept in the JSON report and drawn
 * on the HTML report's graphs, and written as lcov and Cobertura files for
 * the coverage tools CI already runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunCoverage } from './types.ts';
import { renderLcov } from './lcov.ts';
import { renderCobertura } from './cobertura.ts';

export { computeCoverage } from './compute.ts';
export { coverageModel, type CoverageModel } from './model.ts';
export { renderLcov } from './lcov.ts';
export { renderCobertura } from './cobertura.ts';
export { renderCoverageTable } from './table.ts';
export { checkThresholds, describeMisses, parseThresholds, type Thresholds, type ThresholdMiss } from './threshold.ts';
export { MEASURES, percent, type Measure, type RunCoverage, type StateMachineCoverage } from './types.ts';

export const COVERAGE_FILES = { lcov: 'lcov.info', cobertura: 'cobertura-coverage.xml' } as const;

/** Writes lcov.info and cobertura-coverage.xml into `dir`; returns their paths. Paths inside are relative to `cwd`. */
export async function writeCoverageFiles(coverage: RunCoverage, dir: string, options: { cwd: string; timestamp: number; version: string }): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const lcov = join(dir, COVERAGE_FILES.lcov);
  const cobertura = join(dir, COVERAGE_FILES.cobertura);
  await writeFile(lcov, renderLcov(coverage.stateMachines));
  await writeFile(cobertura, renderCobertura(coverage.stateMachines, { sourceDir: options.cwd, timestamp: options.timestamp, version: options.version }));
  return [lcov, cobertura];
}

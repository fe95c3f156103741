/**
 * The JSON report: the RunReport model, stable (scenarios sorted by file then
 * name; keys in a fixed order; thumbnails left out — they belong to the HTML).
 * With --coverage it ends with a `coverage` section (harness/report/coverage/types.ts):
 * per state machine, every state, transition, retrier and branch with its count and line.
 */
import type { RunReport, ScenarioResult } from '../scenario/results.ts';

function stableScenario(s: ScenarioResult): ScenarioResult {
  return {
    file: s.file,
    name: s.name,
    ...(s.workflow !== undefined ? { workflow: s.workflow } : {}),
    status: s.status,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    durationMs: Math.round(s.durationMs),
    ...(s.virtualSeconds !== undefined ? { virtualSeconds: s.virtualSeconds } : {}),
    ...(s.handlerMs !== undefined ? { handlerMs: s.handlerMs } : {}),
    seed: s.seed,
    steps: s.steps,
    checks: s.checks,
    executions: s.executions.map((e) => ({ ...e, definition: undefined })).map(({ definition: _d, ...rest }) => rest),
    images: s.images.map(({ thumbnail: _t, ...rest }) => rest),
    logs: s.logs,
  };
}

export function renderJson(report: RunReport): string {
  const scenarios = [...report.scenarios].sort((a, b) => a.file.localeCompare(b.file) || a.name.localeCompare(b.name)).map(stableScenario);
  const out: RunReport = {
    schemaVersion: 1,
    backend: report.backend,
    seed: report.seed,
    durationMs: Math.round(report.durationMs),
    summary: report.summary,
    scenarios,
    ...(report.coverage ? { coverage: { stateMachines: report.coverage.stateMachines.map(({ definition: _d, ...rest }) => rest) } } : {}),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * What a scenario run produces — the model every reporter reads (console,
 * JSON, JUnit, HTML). Plain JSON data, so the JSON report is this, sorted.
 */
import type { HistoryEvent } from '../asl/api.ts';
import type { RunCoverage } from '../report/coverage/types.ts';
import type { TableContents } from './tables.ts';

export type ScenarioStatus = 'passed' | 'failed' | 'skipped' | 'error';

/** Where in the execution a check looked. */
export interface CheckWhere {
  execution?: string;
  state?: string;
  eventId?: number;
  /** Seconds since the execution started (virtual time on the embedded backend). */
  atSeconds?: number;
  function?: string;
}

export interface CheckResult {
  /** The expectation's path in the file, e.g. `then.states.ResizeImage.attempts`. */
  id: string;
  status: 'passed' | 'failed' | 'skipped';
  expected?: unknown;
  actual?: unknown;
  message: string;
  where?: CheckWhere;
}

export interface StepResult {
  /** `when[2]`, `when[3].repeat[4].steps[0]`. */
  id: string;
  action: string;
  label: string;
  status: 'passed' | 'failed';
  message?: string;
  durationMs: number;
}

export interface ExecutionRecord {
  alias?: string;
  name: string;
  executionArn: string;
  stateMachineArn: string;
  workflow: string;
  status: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  history: HistoryEvent[];
  /** The state machine definition (for the graph). */
  definition?: string;
}

/**
 * A state machine a scenario created, and where its definition is written
 * (recorded for coverage: harness/report/coverage).
 */
export interface StateMachineSource {
  name: string;
  /** The definition as created (DefinitionSubstitutions applied). */
  definition: string;
  /** The file the definition is written in (a definition file, the template, or the scenario); absolute. */
  file?: string;
  /** Where in `file` the definition is: `[]` for a definition file, `['Resources', id, 'Properties', 'Definition']`, `['definition']`. */
  at: Array<string | number>;
}

export interface ImageRecord {
  bucket: string;
  key: string;
  role: 'input' | 'output';
  format?: string;
  width?: number;
  height?: number;
  bytes: number;
  /** A small `data:image/…;base64,…` thumbnail, for the HTML report. */
  thumbnail?: string;
}

export interface FunctionLogs {
  functionName: string;
  invocations: Array<{ requestId: string; logs: string; error?: string }>;
}

export interface ScenarioResult {
  file: string;
  name: string;
  workflow?: string;
  status: ScenarioStatus;
  /** Why it was skipped, or the error that stopped it. */
  reason?: string;
  durationMs: number;
  /** Virtual seconds the scenario's executions took. */
  virtualSeconds?: number;
  /**
   * Real milliseconds the handlers themselves ran: the sum of the REPORT
   * Durations of the scenario's invocations (injected faults excluded), on
   * backends that report invocations. `durationMs` minus this is overhead.
   */
  handlerMs?: number;
  steps: StepResult[];
  checks: CheckResult[];
  executions: ExecutionRecord[];
  images: ImageRecord[];
  /** Captured logs of functions that failed (or all invocations when a check about them failed). */
  logs: FunctionLogs[];
  /** DynamoDB tables holding items at the end (given items and what the scenario wrote), first items of each. */
  tables?: TableContents[];
  /** The seed this scenario ran with. */
  seed: string;
  /** The state machines it created, with their sources (only when coverage is collected). */
  stateMachines?: StateMachineSource[];
}

export interface RunReport {
  schemaVersion: 1;
  backend: string;
  seed: string;
  durationMs: number;
  summary: { total: number; passed: number; failed: number; skipped: number; errors: number };
  scenarios: ScenarioResult[];
  /**
   * Deploys the run did (embedded: one per worker and deploy key, the other
   * scenarios restore a snapshot of it). Left out of the JSON report: it
   * depends on how scenarios fell to workers, not on what they did.
   */
  deploys?: number;
  /** Workflow coverage over the run (`rehearse run --coverage`). */
  coverage?: RunCoverage;
}

export function summarize(scenarios: ScenarioResult[]): RunReport['summary'] {
  return {
    total: scenarios.length,
    passed: scenarios.filter((s) => s.status === 'passed').length,
    failed: scenarios.filter((s) => s.status === 'failed').length,
    skipped: scenarios.filter((s) => s.status === 'skipped').length,
    errors: scenarios.filter((s) => s.status === 'error').length,
  };
}

/**
 * Rehearse's public surface (DESIGN.md style 7): the only module users import.
 * Everything else is internal and may change.
 */

// The embedded AWS endpoint.
export { startEmulator } from './emulator/index.ts';
export type { Emulator, EmulatorOptions } from './emulator/index.ts';
export type { FaultPlan, FunctionFault, OperationFault, CallSelector } from './emulator/faults.ts';
export type { ObservationsSnapshot, InvocationRecord, SecretReadRecord, SnsMessageRecord } from './emulator/observations.ts';
export type { ClockState, ClockRequest, HealthResponse } from './emulator/control-types.ts';
export { hostPrefixLookup } from './protocol/host.ts';

// Scenarios: load, run one, run a suite, turn a real history into a scenario.
export { loadScenario, parseScenario, findScenarioFiles, ScenarioLoadError, runScenario, runSuite, historyToScenario, scenarioJsonSchema } from './scenario/index.ts';
export type { LoadedScenario, ScenarioProblem, ScenarioSpec, RunScenarioOptions, SuiteOptions, RunReport, ScenarioResult, CheckResult } from './scenario/index.ts';

// Reports: console, JSON, JUnit XML, HTML.
export { renderJson, renderJunit, renderHtml, writeReports } from './report/index.ts';
// Workflow coverage of a run (runSuite with `coverage: true`, then computeCoverage).
export { computeCoverage, renderLcov, renderCobertura, renderCoverageTable, writeCoverageFiles, parseThresholds, checkThresholds } from './report/coverage/index.ts';
export type { RunCoverage, StateMachineCoverage, Thresholds, ThresholdMiss } from './report/coverage/index.ts';

// Backends: where the endpoint comes from.
export { createBackend } from './backends/index.ts';
export type { Backend, BackendName, BackendSpec, Capabilities, CreateBackendOptions } from './backends/index.ts';

// Deploying workflows/ + template.yaml, and validating them before merge.
export { deploy, validatePaths, validateTemplate, loadTemplate } from './deploy/index.ts';
export type { DeployOptions, DeployResult, ValidationReport, Problem } from './deploy/index.ts';

// The ASL engine, for embedding without HTTP.
export { createEngine, validateDefinition, StatesError } from './asl/index.ts';
export type {
  Engine,
  EngineOptions,
  TaskInvoker,
  HistoryEvent,
  Diagnostic,
  ExecutionHandle,
  ExecutionSnapshot,
  StartExecutionRequest,
} from './asl/index.ts';

// Time and ids.
export { VirtualClock, SystemClock, createIdSource, AwsServiceError, RehearseError, EXIT_CODES } from './core/index.ts';
export type { Clock, IdSource } from './core/index.ts';

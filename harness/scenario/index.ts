/** harness/scenario: the scenario schema, loader, runner and matchers (public surface for harness/index.ts). */
export { Scenario, scenarioJsonSchema, type ScenarioSpec, type ScenarioInput, type StepSpec, type ThenSpec } from './schema.ts';
export { loadScenario, parseScenario, findScenarioFiles, ScenarioLoadError, formatProblem, type LoadedScenario, type ScenarioProblem } from './loader.ts';
export { runScenario, toFaultPlan, type RunScenarioOptions, type DeployFn } from './runner.ts';
export { runSuite, loadAll, selectScenarios, parseShard, usesMockConfig, type SuiteOptions, type BackendFactory, type BackendFactoryOptions } from './suite.ts';
export { planMocks, prepareMockPlan, type MockPlan, type MockAssignment } from './mock-plan.ts';
export { evaluateThen, type Evidence } from './matchers.ts';
export { historyToScenario, type ReplayInput } from './replay.ts';
export type { RunReport, ScenarioResult, CheckResult, StepResult, ExecutionRecord, ImageRecord } from './results.ts';

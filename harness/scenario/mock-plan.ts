/**
 * Function faults on a backend that can only mock Task states (LocalStack,
 * `capabilities.functionFaults === 'mock-config'`): every scenario's fault plan
 * becomes a test case of one Step Functions MockConfigFile, which the backend
 * reads once when its container boots — so the whole suite is planned before
 * the backend is created, and each scenario then starts its executions on
 * `<stateMachineArn>#<testCase>` (harness/scenario/steps.ts `startTarget`).
 *
 * What a test case cannot carry is skipped with the reason, never run without
 * its faults: a fault a MockConfigFile cannot express (buildMockConfig says
 * which), a workflow whose definition we cannot find, or executions that no
 * `start` step begins (an execution started by an S3 upload's trigger
 * function is started on the plain ARN, so no test case applies to it).
 *
 * `planMocks` is pure (definitions come in with the scenarios);
 * `prepareMockPlan` reads them — scenario definition files and the SAM
 * template's state machines — and plans.
 */
import { dirname } from 'node:path';
import { functionFaultsAsMocks } from '../backends/capabilities.ts';
import { buildMockConfig, mockTestCaseName, type MockConfigFile, type MockTestCase } from '../backends/mock-config.ts';
import { extractTestCase, readGivenMockConfig, startsWithStep, type GivenMockConfig } from './given-mock-config.ts';
import type { LoadedScenario } from './loader.ts';
import { hasFunctionFaults, readScenarioDefinition, scenarioStateMachineName, toFaultPlan } from './runner.ts';
import { ProjectResolver } from '../project/resolve.ts';

/** What a scenario with function faults gets on a mock-config backend. */
export type MockAssignment =
  | { kind: 'mocked'; stateMachineName: string; testCaseName: string; mockedStates: string[] }
  | { kind: 'skipped'; reason: string };

export interface PlannedScenario {
  loaded: LoadedScenario;
  /**
   * The definition whose Task states are mocked (JSON text or an object, with
   * function names or ARNs in its Task states): the scenario's own
   * `definition`, or else its workflow's as the template defines it;
   * undefined when neither is found.
   */
  definition?: unknown;
  /** Its `given.mockConfig`, read and checked (absent when it has none, or when reading failed: the runner reports that). */
  mockConfig?: GivenMockConfig;
}

export interface MockPlan {
  /** The MockConfigFile to boot the backend with (empty when no scenario needs one). */
  config: MockConfigFile;
  /** By scenario file. Scenarios without function faults (or skipped anyway) have no entry: they run unmocked. */
  assignments: Map<string, MockAssignment>;
  /** Whether any test case was written (otherwise the backend boots with its default file). */
  hasTestCases: boolean;
}

/** Test case names are unique per state machine; two scenario names may slug alike ("a b", "a-b"). */
function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 76)}-${i}`;
  taken.add(name);
  return name;
}

export function planMocks(scenarios: PlannedScenario[], backendName = 'localstack'): MockPlan {
  const assignments = new Map<string, MockAssignment>();
  const skip = (file: string, reason: string) => assignments.set(file, { kind: 'skipped', reason: `skipped on ${backendName}: ${reason}` });
  const cases: Array<MockTestCase & { file: string }> = [];
  const copied: Array<{ file: string; given: GivenMockConfig; testCaseName: string }> = [];
  const taken = new Map<string, Set<string>>();
  const namesFor = (stateMachineName: string) => {
    const names = taken.get(stateMachineName) ?? new Set<string>();
    taken.set(stateMachineName, names);
    return names;
  };
  const faultsAsMocks = functionFaultsAsMocks(backendName);
  for (const { loaded, definition, mockConfig } of scenarios) {
    const spec = loaded.spec;
    if (spec.skip) continue;
    const stateMachineName = scenarioStateMachineName(spec);
    if (spec.given?.mockConfig) {
      if (!mockConfig) continue; // unreadable or invalid: the runner reports why
      if (faultsAsMocks && hasFunctionFaults(spec)) {
        skip(
          loaded.file,
          'it has both given.mockConfig and function faults, and an execution runs exactly one test case of the MockConfigFile the backend boots with — ' +
            'put the faults into the file\'s test case, or run it with `--backend embedded`',
        );
        continue;
      }
      copied.push({ file: loaded.file, given: mockConfig, testCaseName: uniqueName(mockConfig.testCaseName, namesFor(stateMachineName)) });
      continue;
    }
    if (!faultsAsMocks || !hasFunctionFaults(spec)) continue;
    if (definition === undefined) {
      skip(loaded.file, `no definition found for state machine ${stateMachineName} (not in workflows/template.yaml), so its Task states cannot be mocked`);
      continue;
    }
    if (!startsWithStep(spec, stateMachineName)) {
      skip(
        loaded.file,
        `its function faults become a MockConfigFile test case, which applies only to executions started on ${stateMachineName}'s ARN + "#<test case>"; ` +
          'no `start` step starts it here (an execution started by an S3 upload\'s trigger function cannot select a test case) — add a `start` step, or run it with `--backend embedded`',
      );
      continue;
    }
    cases.push({
      file: loaded.file,
      stateMachineName,
      testCaseName: uniqueName(mockTestCaseName(spec.name), namesFor(stateMachineName)),
      definition,
      faults: toFaultPlan(spec.given?.faults ?? []),
    });
  }
  const build = buildMockConfig(cases.map(({ file: _file, ...c }) => c));
  const fileOf = (sm: string, tc: string) => cases.find((c) => c.stateMachineName === sm && c.testCaseName === tc)!.file;
  for (const tc of build.testCases) {
    assignments.set(fileOf(tc.stateMachineName, tc.testCaseName), { kind: 'mocked', ...tc });
  }
  for (const s of build.skipped) skip(fileOf(s.stateMachineName, s.testCaseName), s.reason);
  for (const { file, given, testCaseName } of copied) {
    const part = extractTestCase(given, testCaseName);
    const machine = (build.config.StateMachines[given.stateMachineName] ??= { TestCases: {} });
    Object.assign(machine.TestCases, part.StateMachines[given.stateMachineName]!.TestCases);
    Object.assign(build.config.MockedResponses, part.MockedResponses);
    const mockedStates = Object.keys(part.StateMachines[given.stateMachineName]!.TestCases[testCaseName]!);
    assignments.set(file, { kind: 'mocked', stateMachineName: given.stateMachineName, testCaseName, mockedStates });
  }
  return { config: build.config, assignments, hasTestCases: build.testCases.length + copied.length > 0 };
}

/** A template's state machines (harness/deploy), loaded only when planning: deploy brings the packaging code with it. */
async function templateWorkflows(templateFile: string): Promise<Map<string, string>> {
  const { templateStateMachines } = await import('../deploy/index.ts');
  return templateStateMachines(templateFile);
}

/**
 * Reads what planning needs — each scenario's definition file, and the
 * template of the project each scenario belongs to — and plans.
 */
export async function prepareMockPlan(scenarios: LoadedScenario[], backendName: string, projects: ProjectResolver = new ProjectResolver()): Promise<MockPlan> {
  const templates = new Map<string, Promise<Map<string, string>>>();
  const planned: PlannedScenario[] = [];
  for (const loaded of scenarios) {
    if (loaded.spec.given?.mockConfig) {
      const mockConfig = await readGivenMockConfig(loaded, scenarioStateMachineName(loaded.spec)).catch(() => undefined);
      planned.push({ loaded, ...(mockConfig ? { mockConfig } : {}) });
      continue;
    }
    if (!functionFaultsAsMocks(backendName) || !hasFunctionFaults(loaded.spec)) {
      planned.push({ loaded });
      continue;
    }
    const read = await readScenarioDefinition(loaded);
    if (read.error !== undefined) {
      // The runner reports the missing file as the scenario's error; there is nothing to mock.
      planned.push({ loaded });
      continue;
    }
    if (read.text !== undefined) {
      planned.push({ loaded, definition: read.text });
      continue;
    }
    const file = projects.at(dirname(loaded.file)).template?.value;
    if (file === undefined) {
      planned.push({ loaded });
      continue;
    }
    if (!templates.has(file)) templates.set(file, templateWorkflows(file));
    const definition = (await templates.get(file)!).get(scenarioStateMachineName(loaded.spec));
    planned.push({ loaded, ...(definition !== undefined ? { definition } : {}) });
  }
  return planMocks(planned, backendName);
}

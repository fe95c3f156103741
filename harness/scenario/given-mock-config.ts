/**
 * `given.mockConfig: { file, testCase }` — a team's Step Functions Local
 * MockConfigFile suite, run as scenarios. The file is read and checked here
 * (the state machine and test case must be in it), then reaches the backend
 * the way that backend reads mocks:
 *
 * - the embedded endpoint and `rehearse serve` elsewhere: installed through
 *   the control API (`PUT /_rehearse/mock-config`) for this scenario only;
 *   reset and restore drop it;
 * - LocalStack and Step Functions Local: read once when the container boots,
 *   so the suite copies each scenario's test case into the boot file first
 *   (harness/scenario/mock-plan.ts).
 *
 * Either way the test case applies to executions started on
 * `<stateMachineArn>#<testCase>`, which is what `start` steps do
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html);
 * an execution started by an upload's trigger starts on the plain ARN and gets
 * no mocks, so a scenario without such a `start` step is refused.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Backend } from '../backends/backend.ts';
import { parseMockConfig, type MockConfigFile, type MockedResponseEntry } from '../backends/mock-config.ts';
import type { LoadedScenario } from './loader.ts';
import { walkSteps } from './needs.ts';
import type { ScenarioSpec } from './schema.ts';

export interface GivenMockConfig {
  /** The file as resolved from the scenario's folder. */
  file: string;
  config: MockConfigFile;
  stateMachineName: string;
  testCaseName: string;
}

/** Whether a `start` step of the scenario starts `stateMachineName` (by name or ARN). */
export function startsWithStep(spec: ScenarioSpec, stateMachineName: string): boolean {
  let found = false;
  walkSteps(spec.when, (s) => {
    if (!s.start) return;
    const target = s.start.workflow ?? stateMachineName;
    if (target.split(':').pop() === stateMachineName) found = true;
  });
  return found;
}

/**
 * Reads and checks the scenario's `given.mockConfig` for the state machine it
 * runs. Throws an Error naming the file and what is wrong: unreadable, not a
 * valid MockConfigFile, no such state machine or test case, or no `start` step
 * that would select the test case.
 */
export async function readGivenMockConfig(loaded: LoadedScenario, stateMachineName: string): Promise<GivenMockConfig | undefined> {
  const given = loaded.spec.given?.mockConfig;
  if (!given) return undefined;
  const file = resolve(dirname(loaded.file), given.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`given.mockConfig: file ${given.file} not found (resolved to ${file})`);
  }
  const parsed = parseMockConfig(text, file);
  if ('problem' in parsed) throw new Error(`given.mockConfig: ${parsed.problem}`);
  const machines = parsed.config.StateMachines;
  const machine = machines[stateMachineName];
  if (!machine) {
    throw new Error(
      `given.mockConfig: ${given.file} has no state machine ${stateMachineName} (the scenario's workflow); it has ${Object.keys(machines).join(', ') || 'none'}`,
    );
  }
  if (!Object.hasOwn(machine.TestCases, given.testCase)) {
    throw new Error(
      `given.mockConfig: ${given.file} has no test case ${given.testCase} for ${stateMachineName}; it has ${Object.keys(machine.TestCases).join(', ') || 'none'}`,
    );
  }
  if (!startsWithStep(loaded.spec, stateMachineName)) {
    throw new Error(
      `given.mockConfig: the test case applies to executions started on ${stateMachineName}'s ARN + "#${given.testCase}", and no \`start\` step starts ${stateMachineName} ` +
        "(an execution started by an upload's trigger starts on the plain ARN, without mocks) — add a `start` step",
    );
  }
  return { file, config: parsed.config, stateMachineName, testCaseName: given.testCase };
}

/** LocalStack and Step Functions Local read SFN_MOCK_CONFIG once, when their container boots. */
export function bootsWithMockConfig(backendName: string): boolean {
  return backendName === 'localstack' || backendName === 'stepfunctions-local';
}

/** How a backend reads a MockConfigFile: per scenario through the control API, once at boot, or not at all. */
export function mockConfigRoute(backend: Pick<Backend, 'name' | 'controlUrl'>): 'control-api' | 'boot' | undefined {
  if (bootsWithMockConfig(backend.name)) return 'boot';
  return backend.controlUrl !== undefined ? 'control-api' : undefined;
}

/**
 * One test case of `given` as a stand-alone MockConfigFile under the name
 * `testCaseName`, for a boot file shared by a whole suite: its mocked
 * responses are renamed `<testCaseName>/<response>` so two scenarios' files
 * cannot collide on a response name.
 */
export function extractTestCase(given: GivenMockConfig, testCaseName: string): MockConfigFile {
  const mapping = given.config.StateMachines[given.stateMachineName]!.TestCases[given.testCaseName]!;
  const states: Record<string, string> = {};
  const responses: Record<string, Record<string, MockedResponseEntry>> = {};
  for (const [state, response] of Object.entries(mapping)) {
    states[state] = `${testCaseName}/${response}`;
    responses[states[state]] = given.config.MockedResponses[response]!;
  }
  return { StateMachines: { [given.stateMachineName]: { TestCases: { [testCaseName]: states } } }, MockedResponses: responses };
}

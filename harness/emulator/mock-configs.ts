/**
 * Step Functions Local's MockConfigFile on the embedded endpoint: the file
 * `rehearse serve --mock-config FILE` (or `SFN_MOCK_CONFIG`) names, plus the
 * one a scenario installs through the control API (`PUT /_rehearse/mock-config`,
 * cleared by reset and restore like the fault plan). StartExecution on
 * `<stateMachineArn>#<TestCase>` asks `testCase()` for that test case's mocks.
 *
 * The format is the one harness/backends/mock-config.ts writes for the Docker
 * backends (types and validation shared): AWS's "Configuration file for
 * mocked service integrations"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html).
 *
 * The file is read again whenever its modification time or size changed, at
 * the next StartExecution that names a test case — as LocalStack does (its
 * reader is cached by the file's mtime); an execution keeps the test case it
 * started with.
 */
import { readFileSync, statSync } from 'node:fs';
import type { ExecutionMocks, MockedTaskAnswer } from '../asl/index.ts';
import { attemptKeys, parseMockConfig, validateMockConfig, type MockConfigFile, type MockedResponseEntry } from '../backends/mock-config.ts';

/** A test case that cannot be used: the message says which file, state machine and test case, and why. */
export class MockConfigError extends Error {}

interface FileRead {
  stamp: string;
  config?: MockConfigFile;
  problem?: string;
}

interface Source {
  /** Where it came from, for messages: the file's path, or `the scenario's mock config (<file>)`. */
  name: string;
  config: MockConfigFile;
}

/** `"3"` → [3, 3]; `"1-2"` → [1, 2] (keys already validated). */
function attemptRange(key: string): [number, number] {
  const [from, to] = key.split('-').map(Number) as [number, number?];
  return [from, to ?? from];
}

function answerOf(entry: MockedResponseEntry): MockedTaskAnswer {
  return 'Throw' in entry ? { kind: 'throw', error: entry.Throw.Error, cause: entry.Throw.Cause } : { kind: 'return', value: entry.Return };
}

/**
 * One execution's mocks. Invocations are counted per state name from 0 —
 * each retry is the next invocation, and every iteration of a Map (or
 * branch of a Parallel) running the state counts on the same counter, which
 * is why AWS advises MaxConcurrency 1 for predictable Map mocks.
 */
export function testCaseMocks(source: Source, stateMachineName: string, testCaseName: string): ExecutionMocks {
  const mapping = source.config.StateMachines[stateMachineName]!.TestCases[testCaseName]!;
  const invocations = new Map<string, number>();
  return {
    next(stateName: string): MockedTaskAnswer | undefined {
      if (!Object.hasOwn(mapping, stateName)) return undefined; // not mocked: the integration is called for real
      const responseName = mapping[stateName]!;
      const n = invocations.get(stateName) ?? 0;
      invocations.set(stateName, n + 1);
      const responses = source.config.MockedResponses[responseName]!;
      const keys = attemptKeys(responses);
      for (const key of keys) {
        const [from, to] = attemptRange(key);
        if (n >= from && n <= to) return answerOf(responses[key]!);
      }
      return {
        kind: 'missing',
        message:
          `The mocked response ${responseName} (test case ${testCaseName} in ${source.name}) has no response for invocation ${n} of this state ` +
          `(it defines ${keys.map((k) => `"${k}"`).join(', ')}); a mocked Task needs a mocked response for every invocation, retries included.`,
      };
    },
  };
}

export class MockConfigs {
  private read: FileRead | undefined;
  private scenario: Source | undefined;

  /** `file`: the endpoint's MockConfigFile (`--mock-config`, `SFN_MOCK_CONFIG`); absent: only scenarios install one. */
  constructor(readonly file?: string) {}

  /** The file's contents, checked; problems are reported, never half-applied. Throws when it cannot be read or is invalid. */
  fileConfig(): MockConfigFile | undefined {
    if (this.file === undefined) return undefined;
    let stamp: string;
    try {
      const s = statSync(this.file);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch (e) {
      throw new MockConfigError(`cannot read the mock config file ${this.file}: ${(e as Error).message}`);
    }
    if (this.read?.stamp !== stamp) this.read = { stamp, ...parseMockConfig(readFileSync(this.file, 'utf8'), this.file) };
    if (this.read.problem !== undefined) throw new MockConfigError(this.read.problem);
    return this.read.config;
  }

  /** A scenario's MockConfigFile (control API); throws MockConfigError naming every problem. */
  install(config: unknown, name: string): void {
    const problems = validateMockConfig(config);
    if (problems.length > 0) throw new MockConfigError(`${name} is not a valid MockConfigFile: ${problems.join('; ')}`);
    this.scenario = { name, config: config as MockConfigFile };
  }

  clear(): void {
    this.scenario = undefined;
  }

  /** What is loaded (control API GET). */
  describe(): { file?: string; scenario?: string } {
    return { ...(this.file !== undefined ? { file: this.file } : {}), ...(this.scenario ? { scenario: this.scenario.name } : {}) };
  }

  /**
   * The mocks of `<stateMachine>#<testCase>`: the scenario's config first,
   * then the endpoint's file. Throws MockConfigError when neither has it.
   */
  testCase(stateMachineName: string, testCaseName: string): ExecutionMocks {
    const sources: Source[] = [];
    if (this.scenario) sources.push(this.scenario);
    const fromFile = this.fileConfig();
    if (fromFile && this.file !== undefined) sources.push({ name: this.file, config: fromFile });
    if (sources.length === 0) {
      throw new MockConfigError(
        `test case ${testCaseName} was asked for (the state machine ARN ends in #${testCaseName}), but this endpoint has no mock config: ` +
          'start it with --mock-config FILE or SFN_MOCK_CONFIG=FILE, or install one with PUT /_rehearse/mock-config (a scenario does so for its given.mockConfig)',
      );
    }
    for (const source of sources) {
      const machine = source.config.StateMachines[stateMachineName];
      if (machine && Object.hasOwn(machine.TestCases, testCaseName)) return testCaseMocks(source, stateMachineName, testCaseName);
    }
    const known = sources
      .map((s) => {
        const m = s.config.StateMachines[stateMachineName];
        return m ? `${s.name} has test cases ${Object.keys(m.TestCases).join(', ') || 'none'} for it` : `${s.name} has no state machine ${stateMachineName} (it has ${Object.keys(s.config.StateMachines).join(', ') || 'none'})`;
      })
      .join('; ');
    throw new MockConfigError(`no test case ${testCaseName} for state machine ${stateMachineName} in the mock config: ${known}`);
  }
}

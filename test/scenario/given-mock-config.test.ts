/**
 * `given.mockConfig: { file, testCase }`: a Step Functions Local
 * MockConfigFile suite run as scenarios. AWS's own example
 * (LambdaSQSIntegration: HappyPath, RetryPath, HybridPath) runs on the
 * embedded endpoint with the outcomes the documentation describes — through
 * runSuite and through `rehearse run` — and on a backend that reads mocks at
 * boot (Step Functions Local, LocalStack) the test case is copied into the
 * boot file, which is then what answers. Bad files and test cases are named.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../harness/backends/backend.ts';
import { BACKEND_CAPABILITIES } from '../../harness/backends/capabilities.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { validateMockConfig } from '../../harness/backends/mock-config.ts';
import { main } from '../../harness/cli/main.ts';
import { startEmulator } from '../../harness/emulator/index.ts';
import { readGivenMockConfig } from '../../harness/scenario/given-mock-config.ts';
import { parseScenario, type LoadedScenario } from '../../harness/scenario/loader.ts';
import { planMocks } from '../../harness/scenario/mock-plan.ts';
import { runScenario } from '../../harness/scenario/runner.ts';
import { runSuite, type BackendFactoryOptions } from '../../harness/scenario/suite.ts';
import { AWS_EXAMPLE_DEFINITION, AWS_EXAMPLE_MOCK_CONFIG, inAccount } from '../support/lambda-sqs-example.ts';

/** The embedded endpoint's account: the example's ARNs and queue URL moved to it. */
const CONFIG = inAccount(AWS_EXAMPLE_MOCK_CONFIG, '000000000000');
const DEFINITION = inAccount(AWS_EXAMPLE_DEFINITION, '000000000000');

const HEAD = `workflow: LambdaSQSIntegration
definition: LambdaSQSIntegration.asl.json
`;

const SCENARIOS: Record<string, string> = {
  'happy.yaml': `name: happy path
${HEAD}given:
  mockConfig: { file: MockConfigFile.json, testCase: HappyPath }
when:
  - start: { input: { order: 1 } }
then:
  execution: { status: SUCCEEDED, output: { MessageId: 3bcb6e8e-8b51-4375-b0bc-1a59812c6e51 } }
  states: { LambdaState: { attempts: 1 }, SQSState: { entered: 1 } }
`,
  // Invocation 0 throws ResourceNotReady, 1-2 time out, 3 returns: the Retry (2 s, back-off 2) runs three times.
  'retry.yaml': `name: retry path
${HEAD}given:
  mockConfig: { file: MockConfigFile.json, testCase: RetryPath }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED, output: { MessageId: 3bcb6e8e-8b51-4375-b0bc-1a59812c6e51 } }
  states:
    LambdaState:
      attempts: 4
      errors: [Lambda.ResourceNotReadyException, Lambda.TimeoutException, Lambda.TimeoutException]
      retryDelaysSeconds: [2, 4, 8]
`,
  // Only the Lambda is mocked: the SQS state sends to the embedded queue for real.
  'hybrid.yaml': `name: hybrid path
${HEAD}given:
  queues: [myQueue]
  mockConfig: { file: MockConfigFile.json, testCase: HybridPath }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED, output: { MessageId: { $matches: '^[0-9a-f-]{36}$' }, MD5OfMessageBody: { $matches: '^[0-9a-f]{32}$' } } }
  messages:
    myQueue: { count: 1, bodies: [{ StatusCode: 200, Payload: { body: Hello from Lambda! } }] }
`,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'given-mock-config-'));
  await writeFile(join(dir, 'MockConfigFile.json'), JSON.stringify(CONFIG, null, 2));
  await writeFile(join(dir, 'LambdaSQSIntegration.asl.json'), JSON.stringify(DEFINITION, null, 2));
  for (const [file, yaml] of Object.entries(SCENARIOS)) await writeFile(join(dir, file), yaml);
});

function statuses(report: { scenarios: Array<{ name: string; status: string; reason?: string; checks: unknown[]; steps: unknown[] }> }) {
  return Object.fromEntries(report.scenarios.map((s) => [s.name, s.status === 'passed' ? 'passed' : `${s.status}: ${s.reason ?? JSON.stringify([s.steps, s.checks])}`]));
}

describe('given.mockConfig on the embedded endpoint', { timeout: 120_000 }, () => {
  it("runs AWS's example test cases with the documented outcomes", async () => {
    const report = await runSuite({ paths: [dir], cwd: dir, seed: 'mock', waitTimeoutMs: 20_000 });
    expect(statuses(report)).toEqual({ 'happy path': 'passed', 'retry path': 'passed', 'hybrid path': 'passed' });
    // RetryPath waited 2 + 4 + 8 s of virtual time, none of it real.
    expect(report.scenarios.find((s) => s.name === 'retry path')!.virtualSeconds).toBe(14);
  });

  it('rehearse run exits 0 on the same files', async () => {
    const out = { stdout: '', stderr: '' };
    const sink = (k: 'stdout' | 'stderr') => new Writable({ write(c, _e, cb) { out[k] += String(c); cb(); } });
    const code = await main(['run', dir], { stdout: sink('stdout'), stderr: sink('stderr'), cwd: dir, env: {}, isTTY: false });
    expect(code, out.stdout + out.stderr).toBe(0);
    expect(out.stdout).toMatch(/3 passed/);
  });
});

describe('given.mockConfig: what can go wrong', { timeout: 120_000 }, () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createBackend('embedded', { seed: 'mock-errors' });
  }, 60_000);
  afterAll(async () => backend?.dispose());

  async function run(name: string, yaml: string) {
    const file = join(dir, `${name}.yaml`);
    return runScenario({ file, spec: parseScenario(yaml, file) }, { backend, seed: 'mock-errors', cwd: dir, reset: true, waitTimeoutMs: 20_000 });
  }

  it('the test case decides: HybridPath expectations of HappyPath fail, because SQS really ran', async () => {
    const result = await run('wrong-case', SCENARIOS['hybrid.yaml']!.replace('name: hybrid path', 'name: wrong case').replace(
      "output: { MessageId: { $matches: '^[0-9a-f-]{36}$' }, MD5OfMessageBody: { $matches: '^[0-9a-f]{32}$' } }",
      'output: { MessageId: 3bcb6e8e-8b51-4375-b0bc-1a59812c6e51 }',
    ));
    expect(result.status).toBe('failed');
    expect(result.checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual(['then.execution.output']);
  });

  it('a state the test case does not mock runs for real: the undeployed Lambda fails the execution', async () => {
    await writeFile(join(dir, 'sqs-only.json'), JSON.stringify({ ...CONFIG, StateMachines: { LambdaSQSIntegration: { TestCases: { SqsOnly: { SQSState: 'MockedSQSSuccess' } } } } }));
    const result = await run('sqs-only', `name: sqs only\n${HEAD}given:\n  mockConfig: { file: sqs-only.json, testCase: SqsOnly }\nwhen: [{ start: {} }]\nthen:\n  execution: { status: FAILED }\n`);
    expect(result.status, JSON.stringify(result.checks)).toBe('passed');
    expect(result.executions[0]!.error).toMatch(/Lambda|ResourceNotFound/);
  });

  it.each([
    ['a missing file', 'absent.json', 'HappyPath', /given\.mockConfig: file absent\.json not found \(resolved to .*absent\.json\)/],
    ['an unknown test case', 'MockConfigFile.json', 'SadPath', /has no test case SadPath for LambdaSQSIntegration; it has HappyPath, RetryPath, HybridPath/],
  ])('%s is the scenario error, naming it', async (_label, file, testCase, message) => {
    const result = await run('bad', `name: bad\n${HEAD}given:\n  mockConfig: { file: ${file}, testCase: ${testCase} }\nwhen: [{ start: {} }]\n`);
    expect(result.status).toBe('error');
    expect(result.reason).toMatch(message);
  });

  it('an invalid file names every problem, and a state machine the file lacks is named', async () => {
    await writeFile(join(dir, 'broken.json'), JSON.stringify({ StateMachines: { LambdaSQSIntegration: { TestCases: { T: { LambdaState: 'Nowhere' } } } }, MockedResponses: { R: { '1': { Return: 1 } } } }));
    const broken = await run('broken', `name: broken\n${HEAD}given:\n  mockConfig: { file: broken.json, testCase: T }\nwhen: [{ start: {} }]\n`);
    expect(broken.status).toBe('error');
    expect(broken.reason).toMatch(/broken\.json is not a valid MockConfigFile: .*Nowhere/);

    const other = await run('other', `name: other\nworkflow: Other\ndefinition: LambdaSQSIntegration.asl.json\ngiven:\n  mockConfig: { file: MockConfigFile.json, testCase: HappyPath }\nwhen: [{ start: {} }]\n`);
    expect(other.reason).toMatch(/MockConfigFile\.json has no state machine Other \(the scenario's workflow\); it has LambdaSQSIntegration/);
  });

  it('without a start step the test case could not apply: refused, not run unmocked', async () => {
    const result = await run('no-start', `name: no start\n${HEAD}given:\n  mockConfig: { file: MockConfigFile.json, testCase: HappyPath }\nwhen: [{ upload: { bucket: in, key: a.txt, text: hi } }]\n`);
    expect(result.status).toBe('error');
    expect(result.reason).toMatch(/no `start` step starts LambdaSQSIntegration/);
  });

  it('an endpoint without the control API skips it with the reason', async () => {
    const bare = { ...backend, name: 'endpoint', controlUrl: undefined } as Backend;
    const file = join(dir, 'happy.yaml');
    const result = await runScenario({ file, spec: parseScenario(SCENARIOS['happy.yaml']!, file) }, { backend: bare, seed: 's', cwd: dir });
    expect(result).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/given\.mockConfig needs a backend that reads a MockConfigFile/) as unknown });
  });
});

describe('given.mockConfig on backends that read mocks at boot', { timeout: 120_000 }, () => {
  function loaded(file: string, yaml: string): LoadedScenario {
    return { file: join(dir, file), spec: parseScenario(yaml, join(dir, file)) };
  }

  it('planMocks copies each test case under its own response names; function faults beside it skip on LocalStack', async () => {
    const happy = loaded('happy.yaml', SCENARIOS['happy.yaml']!);
    const again = loaded('again.yaml', SCENARIOS['happy.yaml']!.replace('name: happy path', 'name: happy again'));
    const both = loaded('both.yaml', SCENARIOS['happy.yaml']!.replace('name: happy path', 'name: both').replace('given:\n', 'given:\n  faults: [{ function: HelloWorldFunction, throw: { errorType: Boom } }]\n'));
    const withMocks = await Promise.all([happy, again, both].map(async (l) => ({ loaded: l, mockConfig: (await readGivenMockConfig(l, 'LambdaSQSIntegration'))! })));

    const plan = planMocks(withMocks, 'localstack');
    expect(validateMockConfig(plan.config)).toEqual([]);
    expect(plan.config.StateMachines.LambdaSQSIntegration!.TestCases).toEqual({
      HappyPath: { LambdaState: 'HappyPath/MockedLambdaSuccess', SQSState: 'HappyPath/MockedSQSSuccess' },
      'HappyPath-2': { LambdaState: 'HappyPath-2/MockedLambdaSuccess', SQSState: 'HappyPath-2/MockedSQSSuccess' },
    });
    expect(plan.config.MockedResponses['HappyPath/MockedLambdaSuccess']).toEqual(CONFIG.MockedResponses.MockedLambdaSuccess);
    expect(plan.assignments.get(again.file)).toMatchObject({ kind: 'mocked', testCaseName: 'HappyPath-2', mockedStates: ['LambdaState', 'SQSState'] });
    expect(plan.assignments.get(both.file)).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/both given\.mockConfig and function faults/) as unknown });
    // Step Functions Local takes function faults through the control API: only the mock config is copied.
    expect(planMocks(withMocks, 'stepfunctions-local').assignments.get(both.file)).toMatchObject({ kind: 'mocked', testCaseName: 'HappyPath-3' });
  });

  it('runSuite boots the backend with the planned file, and that file is what answers', async () => {
    const factoryGot: BackendFactoryOptions[] = [];
    const mockDir = await mkdtemp(join(tmpdir(), 'boot-mocks-'));
    // Step Functions Local stood in for by the embedded endpoint started on the planned file, as the container would be.
    const factory = async (spec: string, options: BackendFactoryOptions): Promise<Backend> => {
      expect(spec).toBe('stepfunctions-local');
      factoryGot.push(options);
      const mockConfigFile = join(mockDir, 'MockConfigFile.json');
      await writeFile(mockConfigFile, JSON.stringify(options.mockConfig));
      const emulator = await startEmulator({ port: 0, clock: 'virtual', seed: 'boot', mockConfigFile, log: false });
      const inner = await createBackend(`endpoint=${emulator.endpoint}`, {});
      return { ...inner, name: 'stepfunctions-local', capabilities: { ...BACKEND_CAPABILITIES['stepfunctions-local'], virtualTime: true }, dispose: async () => { await inner.dispose(); await emulator.dispose(); } } as Backend;
    };
    const report = await runSuite({ paths: [join(dir, 'happy.yaml'), join(dir, 'retry.yaml')], cwd: dir, backend: 'stepfunctions-local', seed: '1', createBackend: factory, waitTimeoutMs: 20_000 });
    expect(factoryGot).toHaveLength(1);
    expect(Object.keys(factoryGot[0]!.mockConfig!.StateMachines.LambdaSQSIntegration!.TestCases).sort()).toEqual(['HappyPath', 'RetryPath']);
    expect(statuses(report)).toEqual({ 'happy path': 'passed', 'retry path': 'passed' });
  });
});

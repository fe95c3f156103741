/**
 * LocalStack's function faults are a MockConfigFile read once at boot, so the
 * suite plans every scenario's test case before creating the backend. Checked
 * here without Docker: which scenarios get which test case (from the real
 * workflows/template.yaml and scenarios/), which are skipped and why, the
 * `arn#TestCase` start target, and — through runSuite with a factory that
 * records what it is given — that the config reaches the backend before it
 * starts and the target reaches StartExecution over HTTP. The real LocalStack
 * run is in localstack.test.ts (skipped without an engine and a token).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../harness/backends/backend.ts';
import { BACKEND_CAPABILITIES } from '../../harness/backends/capabilities.ts';
import { REPO_ROOT } from '../../harness/backends/images.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { validateMockConfig } from '../../harness/backends/mock-config.ts';
import { parseScenario, type LoadedScenario } from '../../harness/scenario/loader.ts';
import { prepareMockPlan } from '../../harness/scenario/mock-plan.ts';
import { startTarget } from '../../harness/scenario/steps.ts';
import { loadAll, runSuite, usesMockConfig, type BackendFactoryOptions } from '../../harness/scenario/suite.ts';

/** A scenario as if it lived in scenarios/ (so the repository's template is found). */
function scenario(name: string, yaml: string): LoadedScenario {
  const file = join(REPO_ROOT, 'scenarios', `${name}.yaml`);
  return { file, spec: parseScenario(yaml, file) };
}

const THROTTLED_THEN_RETURNS = scenario(
  'mock-resize-throttled',
  `
name: resize throttled twice then returns
workflow: image-processor
given:
  faults:
    - { function: resize-image, invocations: [1, 2], throw: { errorType: Lambda.TooManyRequestsException, message: Rate exceeded } }
    - { function: resize-image, invocations: [3], return: { bucket: images, key: resized/cat.jpg, width: 800 } }
when:
  - start: { input: { bucket: images, key: raw/cat.jpg } }
`,
);

describe('planning LocalStack mock test cases', () => {
  it('only backends whose function faults are mocks are planned for', () => {
    expect(usesMockConfig('localstack')).toBe(true);
    expect(usesMockConfig('embedded')).toBe(false);
    expect(usesMockConfig('stepfunctions-local')).toBe(false);
    expect(usesMockConfig('endpoint=http://127.0.0.1:4566')).toBe(false);
  });

  it('the repository scenarios: upload-started and latency scenarios are skipped with the reason, the rest run unmocked', async () => {
    const all = await loadAll(['scenarios'], REPO_ROOT);
    const plan = await prepareMockPlan(all, 'localstack');
    const throttled = plan.assignments.get(all.find((l) => l.file.endsWith('resize-throttled-twice-then-succeeds.yaml'))!.file)!;
    expect(throttled.kind).toBe('skipped');
    expect(throttled.kind === 'skipped' && throttled.reason).toMatch(
      /^skipped on localstack: .*applies only to executions started on image-processor's ARN \+ "#<test case>"; no `start` step starts it here/,
    );
    const external = [...plan.assignments.entries()].find(([file]) => file.endsWith('external-call-recovers-from-timeout.yaml'))?.[1];
    expect(external).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/adds latency, which a MockConfigFile cannot express/) });
    // Scenarios without function faults need no test case: they run as they are.
    const faultless = all.filter((l) => !(l.spec.given?.faults ?? []).some((f) => f.function !== undefined));
    expect(faultless.length).toBeGreaterThan(10);
    for (const l of faultless) expect(plan.assignments.has(l.file)).toBe(false);
    expect(plan.hasTestCases).toBe(false);
  });

  it('a template workflow started by a step: one test case, its placeholders resolved to the template function names', async () => {
    const plan = await prepareMockPlan([THROTTLED_THEN_RETURNS], 'localstack');
    expect(plan.assignments.get(THROTTLED_THEN_RETURNS.file)).toEqual({
      kind: 'mocked',
      stateMachineName: 'image-processor',
      testCaseName: 'resize-throttled-twice-then-returns',
      mockedStates: ['ResizeImage'],
    });
    expect(plan.hasTestCases).toBe(true);
    expect(validateMockConfig(plan.config)).toEqual([]);
    expect(plan.config.StateMachines).toEqual({
      'image-processor': { TestCases: { 'resize-throttled-twice-then-returns': { ResizeImage: 'image-processor.resize-throttled-twice-then-returns.ResizeImage' } } },
    });
    // Two throttles (0-based attempts 0 and 1), then the `return` wrapped as lambda:invoke's result.
    expect(plan.config.MockedResponses['image-processor.resize-throttled-twice-then-returns.ResizeImage']).toEqual({
      '0-1': { Throw: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' } },
      '2': { Return: { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { bucket: 'images', key: 'resized/cat.jpg', width: 800 } } },
    });
  });

  it('inline definitions, unique test case names, and the reasons for what cannot be mocked', async () => {
    let n = 0;
    const inline = (name: string, faults: string, extra = '') =>
      scenario(
        `inline-${++n}`,
        `
name: ${name}
definition:
  StartAt: Score
  States:
    Score: { Type: Task, Resource: "arn:aws:lambda:us-east-1:000000000000:function:score", End: true }
given:
  faults:
${faults}
${extra}
when:
  - start: {}
`,
      );
    const everyCall = inline('Score A', '    - { function: score, return: { score: 97 } }');
    const sameSlug = inline('Score-A', '    - { function: score, invocations: [1], return: { score: 1 } }');
    // Call 1 is left to the real function, which a mocked Task cannot do.
    const unanswered = inline('score throttled later', '    - { function: score, invocations: [2], throw: { errorType: Lambda.TooManyRequestsException } }');
    const skippedAnyway = inline('score skipped', '    - { function: score, return: 1 }', 'skip: not today');
    const unknown = scenario('unknown-workflow', 'name: unknown workflow\nworkflow: nope\ngiven:\n  faults: [{ function: f, return: 1 }]\nwhen:\n  - start: {}\n');
    const plan = await prepareMockPlan([everyCall, sameSlug, unanswered, skippedAnyway, unknown], 'localstack');

    const a = plan.assignments.get(everyCall.file);
    const b = plan.assignments.get(sameSlug.file);
    expect(a).toMatchObject({ kind: 'mocked', stateMachineName: 'scenario-score-a', testCaseName: 'Score-A' });
    // Names that make the same test case name on the same state machine: the second gets a suffix.
    expect(b).toMatchObject({ kind: 'mocked', stateMachineName: 'scenario-score-a', testCaseName: 'Score-A-2' });
    // A function ARN as Resource: the Return is the payload itself. A `return` on every call answers every call.
    expect(plan.config.MockedResponses['scenario-score-a.Score-A.Score']).toEqual({ '0': { Return: { score: 97 } } });
    expect(plan.assignments.get(unanswered.file)).toMatchObject({
      kind: 'skipped',
      reason: expect.stringMatching(/^skipped on localstack: call 1 of score \(state Score\) would run the real function.*mocked response for every invocation/) as unknown,
    });
    expect(plan.assignments.has(skippedAnyway.file)).toBe(false);
    expect(plan.assignments.get(unknown.file)).toEqual({
      kind: 'skipped',
      reason: 'skipped on localstack: no definition found for state machine nope (not in workflows/template.yaml), so its Task states cannot be mocked',
    });
    expect(validateMockConfig(plan.config)).toEqual([]);
  });

  it('the start target: arn#TestCase for the mocked state machine only', () => {
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:image-processor';
    const mock = { stateMachineName: 'image-processor', testCaseName: 'resize-throttled' };
    expect(startTarget(arn, mock)).toBe(`${arn}#resize-throttled`);
    expect(startTarget('arn:aws:states:us-east-1:000000000000:stateMachine:image-review', mock)).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:image-review');
    expect(startTarget(arn, undefined)).toBe(arn);
  });
});

describe('runSuite on a mock-config backend', { timeout: 120_000 }, () => {
  it('plans before creating the backend, skips what cannot be mocked, starts mocked executions on arn#case, leaves the rest alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mock-suite-'));
    const definition = `
definition:
  StartAt: Flaky
  States:
    Flaky:
      Type: Task
      Resource: arn:aws:states:::lambda:invoke
      Parameters: { FunctionName: flaky, Payload: {} }
      Retry: [{ ErrorEquals: [Lambda.TooManyRequestsException], IntervalSeconds: 1, MaxAttempts: 2 }]
      OutputPath: $.Payload
      End: true`;
    await writeFile(
      join(dir, 'mocked.yaml'),
      `name: flaky then fine${definition}
given:
  faults:
    - { function: flaky, invocations: [1], throw: { errorType: Lambda.TooManyRequestsException } }
    - { function: flaky, invocations: [2], return: { ok: true } }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED, output: { ok: true } }
`,
    );
    await writeFile(
      join(dir, 'uploaded.yaml'),
      `name: started by an upload${definition}
given:
  faults: [{ function: flaky, invocations: [1], return: { ok: true } }]
when:
  - upload: { bucket: in, key: a.txt, text: hi }
`,
    );
    await writeFile(
      join(dir, 'plain.yaml'),
      'name: no faults\ndefinition:\n  StartAt: P\n  States:\n    P: { Type: Pass, Result: { ok: 1 }, End: true }\nwhen:\n  - start: {}\nthen:\n  execution: { status: SUCCEEDED, output: { ok: 1 } }\n',
    );

    const given: BackendFactoryOptions[] = [];
    // The embedded endpoint dressed as LocalStack: mock-config faults, no control API. It cannot apply
    // the mocks, but StartExecution shows what target the runner sent.
    const factory = async (spec: string, options: BackendFactoryOptions): Promise<Backend> => {
      expect(spec).toBe('localstack');
      given.push(options);
      const inner = await createBackend('embedded', { seed: 'mock-suite' });
      return { ...inner, name: 'localstack', capabilities: { ...BACKEND_CAPABILITIES.localstack }, controlUrl: undefined, dispose: () => inner.dispose() } as Backend;
    };
    const report = await runSuite({ paths: [dir], cwd: dir, backend: 'localstack', seed: '1', createBackend: factory, waitTimeoutMs: 20_000 });

    expect(given).toHaveLength(1);
    expect(Object.keys(given[0]!.mockConfig?.StateMachines ?? {})).toEqual(['scenario-flaky-then-fine']);
    expect(given[0]!.mockConfig?.MockedResponses['scenario-flaky-then-fine.flaky-then-fine.Flaky']).toEqual({
      '0': { Throw: { Error: 'Lambda.TooManyRequestsException', Cause: 'Lambda.TooManyRequestsException' } },
      '1': { Return: { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { ok: true } } },
    });

    const byName = new Map(report.scenarios.map((s) => [s.name, s]));
    expect(byName.get('started by an upload')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no `start` step starts it here/) as unknown });
    expect(byName.get('no faults')!.status).toBe('passed');
    // The mocked scenario's StartExecution went out on arn#TestCase (the embedded endpoint, knowing no test cases, refuses it).
    const start = byName.get('flaky then fine')!.steps[0]!;
    expect(start.status).toBe('failed');
    expect(start.message).toMatch(/test case flaky-then-fine was asked for \(the state machine ARN ends in #flaky-then-fine\)/);
  });
});

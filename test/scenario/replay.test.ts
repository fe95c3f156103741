/**
 * `rehearse replay`: recorded histories (as the AWS CLI prints them) into
 * scenarios — unit checks of what is injected, and runs of the generated
 * scenario on the embedded endpoint (real HTTP, real Lambda runtime) showing
 * the replay takes the recorded path even where today's handlers would not,
 * and that `--real-lambdas` lets them.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { ControlClient } from '../../harness/backends/control-client.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { main } from '../../harness/cli/main.ts';
import { loadScenario, parseScenario } from '../../harness/scenario/loader.ts';
import { historyToScenario, lambdaOutcomes, normalizeEvents } from '../../harness/scenario/replay.ts';
import { runScenario } from '../../harness/scenario/runner.ts';
import { loadAll } from '../../harness/scenario/suite.ts';
import { captureIo } from '../support/cli-io.ts';

const FN = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

/** get-execution-history output as the AWS CLI prints it: ISO timestamps, optimised lambda:invoke tasks. */
function awsHistory() {
  let id = 0;
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
  const ev = (type: string, prev: number, s: number, details: Record<string, unknown>) => ({ id: ++id, previousEventId: prev, timestamp: t(s), type, ...details });
  const sched = (fn: string, prev: number, s: number) =>
    ev('TaskScheduled', prev, s, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN(fn), Payload: {} }) } });
  // TaskSucceeded of lambda:invoke records the whole Invoke result; the function's answer is its Payload.
  const succeeded = (prev: number, s: number, payload: unknown) =>
    ev('TaskSucceeded', prev, s, { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: invokeResult(payload), outputDetails: { truncated: false } } });
  return {
    events: [
      ev('ExecutionStarted', 0, 0, { executionStartedEventDetails: { input: '{"bucket":"images","key":"raw/cat.jpg"}', roleArn: 'arn:aws:iam::123456789012:role/x' } }),
      ev('TaskStateEntered', 1, 0, { stateEnteredEventDetails: { name: 'ValidateImage', input: '{}' } }),
      sched('validate-image', 2, 0),
      succeeded(3, 1, VALIDATED),
      ev('TaskStateExited', 4, 1, { stateExitedEventDetails: { name: 'ValidateImage', output: '{}' } }),
      ev('TaskStateEntered', 5, 1, { stateEnteredEventDetails: { name: 'ResizeImage', input: '{}' } }),
      sched('resize-image', 6, 1),
      ev('TaskFailed', 7, 2, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }),
      sched('resize-image', 8, 5),
      ev('TaskFailed', 9, 6, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }),
      sched('resize-image', 10, 10),
      ev('TaskFailed', 11, 11, { taskFailedEventDetails: { error: 'ImageProcessingError', cause: JSON.stringify({ errorType: 'ImageProcessingError', errorMessage: 'vips: out of memory' }) } }),
      ev('TaskStateExited', 12, 11, { stateExitedEventDetails: { name: 'ResizeImage' } }),
      ev('TaskStateEntered', 13, 11, { stateEnteredEventDetails: { name: 'NotifyError', input: '{}' } }),
      sched('notify-error', 14, 11),
      succeeded(15, 12, { notified: true }),
      ev('TaskStateExited', 16, 12, { stateExitedEventDetails: { name: 'NotifyError', output: '{}' } }),
      ev('ExecutionFailed', 17, 12, { executionFailedEventDetails: { error: 'ImageProcessingError', cause: 'vips: out of memory' } }),
    ],
  };
}

const VALIDATED = { isValid: true, format: 'jpeg', width: 4000, height: 3000, size: 2_400_000 };

/** The Invoke result Step Functions records for `arn:aws:states:::lambda:invoke` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html). */
function invokeResult(payload: unknown): string {
  return JSON.stringify({
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { HttpHeaders: { 'Content-Type': 'application/json' }, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: '6b5e1e0e-0000-4000-8000-000000000000' },
    StatusCode: 200,
  });
}

const DESCRIBE = {
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:image-processor:incident-42',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:image-processor',
  name: 'incident-42',
  status: 'FAILED',
  input: '{"bucket":"images","key":"raw/cat.jpg"}',
};

describe('replay', () => {
  it('turns each recorded Lambda call into its result or error at the same invocation number, and the recorded end into expectations', () => {
    const { scenario, yaml } = historyToScenario({ events: awsHistory().events, execution: DESCRIBE });
    expect(scenario.workflow).toBe('image-processor');
    // lambda:invoke: the Payload of the recorded Invoke result, not the {StatusCode, Payload, …} around it.
    expect(scenario.given?.faults).toEqual([
      { function: 'validate-image', invocations: [1], return: VALIDATED },
      { function: 'resize-image', invocations: '1-2', throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } },
      { function: 'resize-image', invocations: [3], throw: { errorType: 'ImageProcessingError', message: 'vips: out of memory' } },
      { function: 'notify-error', invocations: [1], return: { notified: true } },
    ]);
    expect(scenario.when).toEqual([{ start: { input: { bucket: 'images', key: 'raw/cat.jpg' }, as: 'replayed' } }, { await: { execution: 'replayed' } }]);
    expect(scenario.then).toEqual({
      execution: { of: 'replayed', status: 'FAILED', error: 'ImageProcessingError' },
      path: ['ValidateImage', 'ResizeImage', 'NotifyError'],
      states: { ResizeImage: { attempts: 3 } },
    });
    expect(yaml.startsWith('# yaml-language-server: $schema=./scenario.schema.json\n')).toBe(true);
    expect(parseScenario(yaml, 'replayed.yaml').name).toBe('replay of incident-42');
  });

  it('`rehearse replay` writes a loadable scenario; bad input exits 2 with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replay-'));
    await writeFile(join(dir, 'history.json'), JSON.stringify(awsHistory()));
    await writeFile(join(dir, 'execution.json'), JSON.stringify(DESCRIBE));
    await writeFile(join(dir, 'def.asl.json'), JSON.stringify({ StartAt: 'ValidateImage', States: { ValidateImage: { Type: 'Pass', End: true } } }));
    let out = '';
    let err = '';
    const io = {
      stdout: new Writable({ write(c, _e, cb) { out += String(c); cb(); } }),
      stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }),
      cwd: dir,
      env: {},
      isTTY: false,
    };
    expect(await main(['replay', 'history.json', '--execution', 'execution.json', '--definition', 'def.asl.json', '--out', 'incident.yaml'], io)).toBe(0);
    const spec = parseScenario(await readFile(join(dir, 'incident.yaml'), 'utf8'), 'incident.yaml');
    expect(spec.definition).toBe('def.asl.json');
    // With the recorded workflow's name: a template workflow of that name is deployed with this definition in its place.
    expect(spec.workflow).toBe('image-processor');
    expect(spec.then.path).toEqual(['ValidateImage']);
    await writeFile(join(dir, 'bad.json'), '{"nope": 1}');
    expect(await main(['replay', 'bad.json'], io)).toBe(2);
    expect(err).toBe('rehearse replay: bad.json has no "events" array (expected get-execution-history output)\n');
    expect(out).toContain('wrote');
  });
});

describe('replay: names', () => {
  it("the recipe's exact and --real-lambdas replays of one incident get different names, and a name the folder has already gets a number", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replay-names-'));
    await writeFile(join(dir, 'history.json'), JSON.stringify(awsHistory()));
    await writeFile(join(dir, 'execution.json'), JSON.stringify(DESCRIBE));
    const { io } = captureIo(dir);
    const replay = (...args: string[]) => main(['replay', 'history.json', '--execution', 'execution.json', ...args], io);
    expect(await replay('--out', 'scenarios/replay-incident-42.yaml')).toBe(0);
    expect(await replay('--real-lambdas', '--out', 'scenarios/incident-42-today.yaml')).toBe(0);
    expect(await replay('--out', 'scenarios/replay-again.yaml')).toBe(0);
    const names = (await loadAll(['scenarios'], dir)).map((l) => l.spec.name).sort();
    expect(names).toEqual(['replay of incident-42', 'replay of incident-42 (2)', "replay of incident-42 with today's handlers"]);
    // Writing the same file again keeps its name: it replaces itself.
    expect(await replay('--out', 'scenarios/replay-incident-42.yaml')).toBe(0);
    expect(parseScenario(await readFile(join(dir, 'scenarios/replay-incident-42.yaml'), 'utf8'), 'x').name).toBe('replay of incident-42');
  });
});

describe('replay: what is injected', () => {
  it('--real-lambdas keeps only the recorded errors, so the calls that succeeded run the real handlers', () => {
    const { scenario } = historyToScenario({ events: awsHistory().events, execution: DESCRIBE, realLambdas: true });
    expect(scenario.given?.faults).toEqual([
      { function: 'resize-image', invocations: '1-2', throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } },
      { function: 'resize-image', invocations: [3], throw: { errorType: 'ImageProcessingError', message: 'vips: out of memory' } },
    ]);
    expect(scenario.description).toMatch(/the calls that succeeded run the real handlers/);
  });

  it('a function ARN as Resource records the payload itself; callbacks and truncated outputs are left to the real function, with a note', () => {
    let id = 0;
    const ev = (type: string, prev: number, details: Record<string, unknown>) => ({ id: ++id, previousEventId: prev, timestamp: 1767268800 + id, type, ...details });
    const events = [
      ev('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } }),
      ev('TaskStateEntered', 1, { stateEnteredEventDetails: { name: 'Score', input: '{}' } }),
      ev('LambdaFunctionScheduled', 2, { lambdaFunctionScheduledEventDetails: { resource: FN('score'), input: '{}' } }),
      ev('LambdaFunctionStarted', 3, {}),
      ev('LambdaFunctionSucceeded', 4, { lambdaFunctionSucceededEventDetails: { output: '{"score":97,"Payload":"not unwrapped"}', outputDetails: { truncated: false } } }),
      ev('TaskStateExited', 5, { stateExitedEventDetails: { name: 'Score', output: '{}' } }),
      ev('TaskStateEntered', 6, { stateEnteredEventDetails: { name: 'Ask', input: '{}' } }),
      ev('TaskScheduled', 7, {
        taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: 'ask-human', Payload: {} }) },
      }),
      ev('TaskSubmitted', 8, { taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: invokeResult({ asked: true }) } }),
      ev('TaskSucceeded', 9, { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{"approved":true}' } }),
      ev('TaskStateExited', 10, { stateExitedEventDetails: { name: 'Ask', output: '{}' } }),
      ev('TaskStateEntered', 11, { stateEnteredEventDetails: { name: 'Big', input: '{}' } }),
      ev('TaskScheduled', 12, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN('big') }) } }),
      ev('TaskSucceeded', 13, { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{"Payload":{"par', outputDetails: { truncated: true } } }),
      ev('TaskStateExited', 14, { stateExitedEventDetails: { name: 'Big', output: '{}' } }),
      ev('ExecutionSucceeded', 15, { executionSucceededEventDetails: { output: '{"done":true,"at":"2026-01-01T12:00:05.123Z"}' } }),
    ];
    const { scenario, yaml } = historyToScenario({ events, execution: { ...DESCRIBE, status: 'SUCCEEDED', input: '{}', output: undefined } });
    expect(scenario.given?.faults).toEqual([{ function: 'score', invocations: [1], return: { score: 97, Payload: 'not unwrapped' } }]);
    expect(yaml).toContain('# Call 1 of ask-human runs the real function: a .waitForTaskToken call');
    expect(yaml).toContain('# Call 1 of big runs the real function: its recorded output was truncated');
    // The recorded output is expected; a timestamp of that one execution only by type.
    expect(scenario.then?.execution).toEqual({ of: 'replayed', status: 'SUCCEEDED', output: { done: true, at: { $type: 'string' } } });
    expect(parseScenario(yaml, 'x.yaml').given?.faults?.[0]?.return).toEqual({ score: 97, Payload: 'not unwrapped' });
  });
});

/**
 * A recorded production run of a small classifier: `classify` (lambda:invoke)
 * was throttled once, then said "accept"; `enrich` (a function ARN as
 * Resource) scored 97. Today's handlers say "reject" and score 1.
 */
const CLASSIFIER = {
  StartAt: 'Classify',
  States: {
    Classify: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:classify', 'Payload.$': '$' },
      ResultSelector: { 'verdict.$': '$.Payload.verdict', 'label.$': '$.Payload.label' },
      ResultPath: '$.classification',
      Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
      Next: 'Route',
    },
    Route: { Type: 'Choice', Choices: [{ Variable: '$.classification.verdict', StringEquals: 'accept', Next: 'Enrich' }], Default: 'Rejected' },
    Enrich: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:enrich', ResultPath: '$.enriched', Next: 'Accepted' },
    Accepted: { Type: 'Pass', Parameters: { 'label.$': '$.classification.label', 'score.$': '$.enriched.score', 'execution.$': '$$.Execution.Id' }, End: true },
    Rejected: { Type: 'Fail', Error: 'Rejected', Cause: 'the classifier said no' },
  },
};

function classifierHistory() {
  let id = 0;
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
  const ev = (type: string, prev: number, s: number, details: Record<string, unknown> = {}) => ({ id: ++id, previousEventId: prev, timestamp: t(s), type, ...details });
  const classify = { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN('classify'), Payload: { photo: 'cat.jpg' } }) };
  return [
    ev('ExecutionStarted', 0, 0, { executionStartedEventDetails: { input: '{"photo":"cat.jpg"}' } }),
    ev('TaskStateEntered', 1, 0, { stateEnteredEventDetails: { name: 'Classify', input: '{"photo":"cat.jpg"}' } }),
    ev('TaskScheduled', 2, 0, { taskScheduledEventDetails: classify }),
    ev('TaskStarted', 3, 0, { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } }),
    ev('TaskFailed', 4, 0, { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }),
    ev('TaskScheduled', 5, 2, { taskScheduledEventDetails: classify }),
    ev('TaskStarted', 6, 2, { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } }),
    ev('TaskSucceeded', 7, 3, { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: invokeResult({ verdict: 'accept', label: 'cat' }) } }),
    ev('TaskStateExited', 8, 3, { stateExitedEventDetails: { name: 'Classify', output: '{}' } }),
    ev('ChoiceStateEntered', 9, 3, { stateEnteredEventDetails: { name: 'Route', input: '{}' } }),
    ev('ChoiceStateExited', 10, 3, { stateExitedEventDetails: { name: 'Route', output: '{}' } }),
    ev('TaskStateEntered', 11, 3, { stateEnteredEventDetails: { name: 'Enrich', input: '{}' } }),
    ev('LambdaFunctionScheduled', 12, 3, { lambdaFunctionScheduledEventDetails: { resource: FN('enrich'), input: '{}' } }),
    ev('LambdaFunctionStarted', 13, 3),
    ev('LambdaFunctionSucceeded', 14, 4, { lambdaFunctionSucceededEventDetails: { output: '{"score":97}' } }),
    ev('TaskStateExited', 15, 4, { stateExitedEventDetails: { name: 'Enrich', output: '{}' } }),
    ev('PassStateEntered', 16, 4, { stateEnteredEventDetails: { name: 'Accepted', input: '{}' } }),
    ev('PassStateExited', 17, 4, { stateExitedEventDetails: { name: 'Accepted', output: '{}' } }),
    ev('ExecutionSucceeded', 18, 4, {
      executionSucceededEventDetails: { output: JSON.stringify({ label: 'cat', score: 97, execution: 'arn:aws:states:eu-west-1:123456789012:execution:classifier:incident-7' }) },
    }),
  ];
}

const CLASSIFIER_RUN = {
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:classifier:incident-7',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:classifier',
  name: 'incident-7',
  status: 'SUCCEEDED',
};

/** Writes the recorded run and today's handlers, generates the scenario with `rehearse replay`, and runs it on a fresh embedded backend. */
async function replayOnEmbedded(flags: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'replay-run-'));
  await writeFile(join(dir, 'history.json'), JSON.stringify({ execution: CLASSIFIER_RUN, events: classifierHistory() }));
  await writeFile(join(dir, 'classifier.asl.json'), JSON.stringify(CLASSIFIER));
  const code = join(dir, 'functions');
  await mkdir(code);
  await writeFile(join(code, 'classify.mjs'), "export const handler = async () => { console.log('classify handler ran'); return { verdict: 'reject', label: 'dog' }; };\n");
  await writeFile(join(code, 'enrich.mjs'), "export const handler = async () => { console.log('enrich handler ran'); return { score: 1 }; };\n");
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  const io = { stdout: sink, stderr: sink, cwd: dir, env: {}, isTTY: false };
  expect(await main(['replay', 'history.json', '--definition', 'classifier.asl.json', '--out', 'incident.yaml', ...flags], io)).toBe(0);
  const loaded = await loadScenario(join(dir, 'incident.yaml'));

  const backend = await createBackend('embedded', { seed: 'replay-run' });
  const lambda = new LambdaClient({ endpoint: backend.endpoint, region: backend.region, credentials: backend.credentials });
  try {
    for (const fn of ['classify', 'enrich']) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn,
          Runtime: 'nodejs20.x',
          Handler: `${fn}.handler`,
          Role: 'arn:aws:iam::000000000000:role/replay',
          Code: { S3Bucket: 'hot-reload', S3Key: code },
        }),
      );
    }
    const result = await runScenario(loaded, { backend, seed: 'replay-run', cwd: dir, waitTimeoutMs: 60_000 });
    const invocations = (await new ControlClient(backend.controlUrl!).observations()).invocations;
    return { loaded, result, invocations };
  } finally {
    lambda.destroy();
    await backend.dispose();
  }
}

describe('replay on the embedded endpoint', { timeout: 180_000 }, () => {
  it('reproduces the recorded path, retries and output although today’s handlers would reject — no handler runs', async () => {
    const { loaded, result, invocations } = await replayOnEmbedded([]);
    expect(loaded.spec.given?.faults).toEqual([
      { function: 'classify', invocations: [1], throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } },
      { function: 'classify', invocations: [2], return: { verdict: 'accept', label: 'cat' } },
      { function: 'enrich', invocations: [1], return: { score: 97 } },
    ]);
    expect(result.status, JSON.stringify(result.checks.filter((c) => c.status !== 'passed'))).toBe('passed');
    expect(result.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['then.execution.status', 'then.execution.output', 'then.path', 'then.states.Classify.attempts']));
    const replayed = result.executions.find((e) => e.alias === 'replayed')!;
    expect(replayed.output).toMatchObject({ label: 'cat', score: 97 });
    // Three calls, each answered from the recording: no environment started, no handler log line.
    expect(invocations.map((i) => [i.functionName, i.invocationNumber, i.fault, i.coldStart])).toEqual([
      ['classify', 1, 'throw Lambda.TooManyRequestsException', false],
      ['classify', 2, 'return', false],
      ['enrich', 1, 'return', false],
    ]);
    expect(invocations.some((i) => /handler ran/.test(i.logs ?? ''))).toBe(false);
  });

  it('--real-lambdas injects only the throttle: today’s classify runs, rejects, and the replay fails on the recorded path', async () => {
    const { loaded, result, invocations } = await replayOnEmbedded(['--real-lambdas']);
    expect(loaded.spec.given?.faults).toEqual([
      { function: 'classify', invocations: [1], throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } },
    ]);
    expect(loaded.spec.then.execution?.output).toBeUndefined();
    expect(result.status).toBe('failed');
    const failedChecks = result.checks.filter((c) => c.status === 'failed');
    expect(failedChecks.map((c) => c.id)).toEqual(expect.arrayContaining(['then.execution.status', 'then.path']));
    expect(failedChecks.find((c) => c.id === 'then.execution.status')!.message).toMatch(/expected status SUCCEEDED, got FAILED \(Rejected/);
    const classify = invocations.filter((i) => i.functionName === 'classify');
    expect(classify.map((i) => [i.invocationNumber, i.fault ?? null])).toEqual([
      [1, 'throw Lambda.TooManyRequestsException'],
      [2, null],
    ]);
    expect(classify[1]!.logs).toContain('classify handler ran');
    expect(invocations.some((i) => i.functionName === 'enrich')).toBe(false);
  });
});

/**
 * A Map (MaxConcurrency 2, five items) whose recorded run — as AWS interleaves
 * concurrent iterations — called `process-item` for items 2, 1, 4, 3, 5 and
 * item 3's retry, item 3's first call failing `Flaky`. The embedded engine
 * calls them 1, 2, 3, 4, 5, 3: by invocation number the `Flaky` would land on
 * item 4 and every result on the wrong item. `summarize` after the Map is
 * sequential and keeps its invocation number.
 */
const PROCESS = 'arn:aws:lambda:us-east-1:000000000000:function:process-item';
const BATCH = {
  StartAt: 'Items',
  States: {
    Items: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: {
        StartAt: 'Process',
        States: {
          Process: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: PROCESS, 'Payload.$': '$' },
            ResultSelector: { 'id.$': '$.Payload.id', 'status.$': '$.Payload.status' },
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      ResultPath: '$.results',
      Next: 'Summarize',
    },
    Summarize: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:summarize', ResultPath: '$.summary', End: true },
  },
};
const BATCH_INPUT = { items: [1, 2, 3, 4, 5].map((id) => ({ id, batch: 'b-7' })) };
const recordedItem = (id: number) => ({ id, status: `recorded-${id}` });

/** The history AWS records for that run: iteration events chained by previousEventId, calls in the interleaved order. */
function batchHistory(): unknown[] {
  const events: Array<Record<string, unknown>> = [];
  let clock = 0;
  const ev = (type: string, prev: number, details: Record<string, unknown> = {}): number => {
    events.push({ id: events.length + 1, previousEventId: prev, timestamp: new Date(Date.UTC(2026, 0, 2, 9, 0, 0, clock++ * 10)).toISOString(), type, ...details });
    return events.length;
  };
  const item = (index: number) => BATCH_INPUT.items[index]!;
  const scheduled = (prev: number, index: number) =>
    ev('TaskScheduled', prev, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN('process-item'), Payload: item(index) }) } });
  const lambda = { resourceType: 'lambda', resource: 'invoke' };
  const input = JSON.stringify(BATCH_INPUT);
  ev('ExecutionStarted', 0, { executionStartedEventDetails: { input, roleArn: 'arn:aws:iam::123456789012:role/x' } });
  const entered = ev('MapStateEntered', 1, { stateEnteredEventDetails: { name: 'Items', input } });
  const mapStarted = ev('MapStateStarted', entered, { mapStateStartedEventDetails: { length: 5 } });
  const iteration: Record<number, number> = {};
  const task: Record<number, number> = {};
  const start = (index: number) => {
    iteration[index] = ev('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'Items', index } });
    task[index] = ev('TaskStateEntered', iteration[index]!, { stateEnteredEventDetails: { name: 'Process', input: JSON.stringify(item(index)) } });
  };
  const call = (index: number) => {
    const s = scheduled(task[index]!, index);
    return ev('TaskStarted', s, { taskStartedEventDetails: lambda });
  };
  const succeed = (index: number, started: number) => {
    const done = ev('TaskSucceeded', started, { taskSucceededEventDetails: { ...lambda, output: invokeResult(recordedItem(item(index).id)), outputDetails: { truncated: false } } });
    const exited = ev('TaskStateExited', done, { stateExitedEventDetails: { name: 'Process', output: JSON.stringify(recordedItem(item(index).id)) } });
    return ev('MapIterationSucceeded', exited, { mapIterationSucceededEventDetails: { name: 'Items', index } });
  };
  start(0);
  start(1);
  const c1 = call(1); // item 2 reaches Lambda before item 1
  const c0 = call(0);
  succeed(0, c0);
  start(2);
  succeed(1, c1);
  start(3);
  const c3 = call(3); // item 4 before item 3
  const c2 = call(2);
  const failed = ev('TaskFailed', c2, { taskFailedEventDetails: { ...lambda, error: 'Flaky', cause: JSON.stringify({ errorType: 'Flaky', errorMessage: 'item 3 hiccup', trace: [] }) } });
  succeed(3, c3);
  start(4);
  const c4 = call(4);
  const retry = ev('TaskScheduled', failed, {
    taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN('process-item'), Payload: item(2) }) },
  });
  const c2b = ev('TaskStarted', retry, { taskStartedEventDetails: lambda });
  succeed(4, c4);
  const last = succeed(2, c2b);
  const results = BATCH_INPUT.items.map((i) => recordedItem(i.id));
  const mapDone = ev('MapStateSucceeded', last);
  const mapExited = ev('MapStateExited', mapDone, { stateExitedEventDetails: { name: 'Items', output: JSON.stringify({ ...BATCH_INPUT, results }) } });
  const sumEntered = ev('TaskStateEntered', mapExited, { stateEnteredEventDetails: { name: 'Summarize', input: '{}' } });
  const sumScheduled = ev('LambdaFunctionScheduled', sumEntered, { lambdaFunctionScheduledEventDetails: { resource: FN('summarize'), input: JSON.stringify({ ...BATCH_INPUT, results }) } });
  const sumStarted = ev('LambdaFunctionStarted', sumScheduled);
  const sumDone = ev('LambdaFunctionSucceeded', sumStarted, { lambdaFunctionSucceededEventDetails: { output: '{"processed":5,"retried":[3]}' } });
  const sumExited = ev('TaskStateExited', sumDone, { stateExitedEventDetails: { name: 'Summarize', output: '{}' } });
  ev('ExecutionSucceeded', sumExited, { executionSucceededEventDetails: { output: JSON.stringify({ ...BATCH_INPUT, results, summary: { processed: 5, retried: [3] } }) } });
  return events;
}

const BATCH_RUN = {
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:batch:incident-9',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:batch',
  name: 'incident-9',
  status: 'SUCCEEDED',
};

describe('replay of a Map: calls matched by payload', { timeout: 180_000 }, () => {
  it('keys each Map call by its recorded payload and per-payload call number; the sequential call keeps its number', () => {
    const { scenario, yaml } = historyToScenario({ events: batchHistory(), execution: BATCH_RUN });
    const item = (id: number) => ({ id, batch: 'b-7' });
    expect(scenario.given?.faults).toEqual([
      { function: 'process-item', input: item(2), invocations: [1], return: recordedItem(2) },
      { function: 'process-item', input: item(1), invocations: [1], return: recordedItem(1) },
      { function: 'process-item', input: item(4), invocations: [1], return: recordedItem(4) },
      { function: 'process-item', input: item(3), invocations: [1], throw: { errorType: 'Flaky', message: 'item 3 hiccup' } },
      { function: 'process-item', input: item(3), invocations: [2], return: recordedItem(3) },
      { function: 'process-item', input: item(5), invocations: [1], return: recordedItem(5) },
      { function: 'summarize', invocations: [1], return: { processed: 5, retried: [3] } },
    ]);
    // Inside the Map, which item enters Process first is not fixed: no path or attempts check for it.
    expect(scenario.then).toMatchObject({ path: ['Items', 'Summarize'] });
    expect(scenario.then?.states).toBeUndefined();
    expect(yaml).not.toContain('injected by call number');
  });

  it('runs on the embedded endpoint in a different call order and still fails item 3 once, as recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replay-map-'));
    await writeFile(join(dir, 'history.json'), JSON.stringify({ execution: BATCH_RUN, events: batchHistory() }));
    await writeFile(join(dir, 'batch.asl.json'), JSON.stringify(BATCH));
    const code = join(dir, 'functions');
    await mkdir(code);
    // Today's handlers answer differently: only the injected results can produce the recorded output.
    await writeFile(join(code, 'process-item.mjs'), "export const handler = async (e) => ({ id: e.id, status: 'today' });\n");
    await writeFile(join(code, 'summarize.mjs'), 'export const handler = async () => ({ processed: 0 });\n');
    const sink = new Writable({ write(_c, _e, cb) { cb(); } });
    expect(await main(['replay', 'history.json', '--definition', 'batch.asl.json', '--out', 'incident.yaml'], { stdout: sink, stderr: sink, cwd: dir, env: {}, isTTY: false })).toBe(0);
    const loaded = await loadScenario(join(dir, 'incident.yaml'));

    const backend = await createBackend('embedded', { seed: 'replay-map' });
    const lambda = new LambdaClient({ endpoint: backend.endpoint, region: backend.region, credentials: backend.credentials });
    const sfn = new SFNClient({ endpoint: backend.endpoint, region: backend.region, credentials: backend.credentials });
    try {
      for (const fn of ['process-item', 'summarize']) {
        await lambda.send(
          new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: `${fn}.handler`, Role: 'arn:aws:iam::000000000000:role/replay', Code: { S3Bucket: 'hot-reload', S3Key: code } }),
        );
      }
      const result = await runScenario(loaded, { backend, seed: 'replay-map', cwd: dir, waitTimeoutMs: 60_000 });
      expect(result.status, JSON.stringify(result.checks.filter((c) => c.status !== 'passed'))).toBe('passed');
      const replayed = result.executions.find((e) => e.alias === 'replayed')!;
      expect(replayed.output).toMatchObject({ results: [1, 2, 3, 4, 5].map(recordedItem), summary: { processed: 5, retried: [3] } });

      // The local history: which payload each process-item call carried and what it got.
      const local = await sfn.send(new GetExecutionHistoryCommand({ executionArn: replayed.executionArn, includeExecutionData: true, maxResults: 1000 }));
      const calls = lambdaOutcomes(normalizeEvents(local.events ?? [])).filter((o) => o.fn === 'process-item');
      const order = calls.map((o) => ('value' in o.payload ? (o.payload.value as { id: number }).id : undefined));
      // The local order is not the recorded one (2, 1, 4, 3, 5, 3): by call number the replay would have gone wrong.
      expect(order).not.toEqual([2, 1, 4, 3, 5, 3]);
      const failedCalls = calls.filter((o) => o.fault !== undefined && 'throw' in o.fault);
      expect(failedCalls.map((o) => [('value' in o.payload ? o.payload.value : undefined), o.fault])).toEqual([[{ id: 3, batch: 'b-7' }, { throw: { errorType: 'Flaky', message: 'item 3 hiccup' } }]]);
      expect(failedCalls[0]!.call).not.toBe(4); // item 3's failure was the 4th recorded call: not where it lands locally
      expect(order.filter((id) => id === 3)).toHaveLength(2);
    } finally {
      lambda.destroy();
      sfn.destroy();
      await backend.dispose();
    }
  });

  it('a Parallel branch whose payload holds the execution ARN falls back to the call number, and the file says why', () => {
    let id = 0;
    const ev = (type: string, prev: number, details: Record<string, unknown> = {}) => ({ id: ++id, previousEventId: prev, timestamp: 1767344400 + id, type, ...details });
    const sched = (prev: number, payload: unknown) =>
      ev('TaskScheduled', prev, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN('audit'), Payload: payload }) } });
    const fail = (prev: number) => ev('TaskFailed', prev, { taskFailedEventDetails: { error: 'AuditDown', cause: 'down' } });
    const events = [
      ev('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{"at":"2026-01-02T09:00:00Z"}' } }),
      ev('ParallelStateEntered', 1, { stateEnteredEventDetails: { name: 'Both', input: '{}' } }),
      ev('ParallelStateStarted', 2),
      ev('TaskStateEntered', 3, { stateEnteredEventDetails: { name: 'AuditA', input: '{}' } }),
      ev('TaskStateEntered', 3, { stateEnteredEventDetails: { name: 'AuditB', input: '{}' } }),
      // Branch A passes $$.Execution.Id: a local run has its own ARN. Branch B passes a time from the input: that recurs.
      sched(4, { branch: 'a', execution: BATCH_RUN.executionArn }),
      sched(5, { branch: 'b', at: '2026-01-02T09:00:00Z' }),
      fail(6),
      fail(7),
      ev('ParallelStateFailed', 9, { parallelStateFailedEventDetails: {} }),
      ev('ExecutionFailed', 10, { executionFailedEventDetails: { error: 'AuditDown', cause: 'down' } }),
    ];
    const { scenario, yaml } = historyToScenario({ events, execution: { ...BATCH_RUN, status: 'FAILED' } });
    expect(scenario.given?.faults).toEqual([
      { function: 'audit', invocations: [1], throw: { errorType: 'AuditDown', message: 'down' } },
      { function: 'audit', input: { branch: 'b', at: '2026-01-02T09:00:00Z' }, invocations: [1], throw: { errorType: 'AuditDown', message: 'down' } },
    ]);
    expect(yaml).toContain(
      `# Call 1 of audit (in a Map or Parallel) is injected by call number, not payload — it holds "${BATCH_RUN.executionArn}", an ARN of that execution or state machine — so it may land on another item if the local order differs.\n`,
    );
    expect(scenario.then?.path).toEqual(['Both']);
    expect(parseScenario(yaml, 'x.yaml').given?.faults?.[1]?.input).toEqual({ branch: 'b', at: '2026-01-02T09:00:00Z' });
  });
});

/**
 * `rehearse replay --children DIR`: a Distributed Map's items run as child
 * executions whose Lambda calls are only in their own histories. Given them,
 * the replay injects those calls by payload (the children run in any order),
 * numbers the parent's later calls of the same function after the children's,
 * and reproduces the recorded run on the embedded endpoint; without them, the
 * file says the children's calls run the real functions.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { ControlClient } from '../../harness/backends/control-client.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { main } from '../../harness/cli/main.ts';
import { loadScenario } from '../../harness/scenario/loader.ts';
import { historyToScenario } from '../../harness/scenario/replay.ts';
import { runScenario } from '../../harness/scenario/runner.ts';

const FN = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
const invoke = (fn: string, payload: unknown) => ({ FunctionName: FN(fn), Payload: payload });
const invokeResult = (payload: unknown) => JSON.stringify({ ExecutedVersion: '$LATEST', Payload: payload, SdkHttpMetadata: {}, StatusCode: 200 });
const lambda = { resourceType: 'lambda', resource: 'invoke' };

/** Warm-up call, a Distributed Map over three items (each a child execution), then a final call of the same function. */
const DEFINITION = {
  StartAt: 'Warmup',
  States: {
    Warmup: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'process-item', Payload: { warmup: true } }, ResultPath: null, Next: 'Items' },
    Items: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Process',
        States: {
          Process: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'process-item', 'Payload.$': '$' },
            ResultSelector: { 'id.$': '$.Payload.id', 'status.$': '$.Payload.status' },
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      ResultPath: '$.results',
      Next: 'Final',
    },
    Final: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'process-item', Payload: { final: true } }, ResultSelector: { 'done.$': '$.Payload.done' }, ResultPath: '$.final', End: true },
  },
};
const INPUT = { items: [1, 2, 3].map((id) => ({ id })) };
const recorded = (id: number) => ({ id, status: `recorded-${id}` });
const OUTPUT = { ...INPUT, results: [1, 2, 3].map(recorded), final: { done: 'recorded-final' } };
const RUN = {
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:dmap:incident-3',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:dmap',
  name: 'incident-3',
  status: 'SUCCEEDED',
};

/** Builds a history: `ev` appends an event chained to `prev` and returns its id. */
function historyBuilder() {
  const events: Array<Record<string, unknown>> = [];
  const ev = (type: string, prev: number, details: Record<string, unknown> = {}): number => {
    events.push({ id: events.length + 1, previousEventId: prev, timestamp: new Date(Date.UTC(2026, 0, 3, 9, 0, 0, events.length * 10)).toISOString(), type, ...details });
    return events.length;
  };
  /** A lambda:invoke Task state: entered, each attempt's outcome (a result, or an error), exited. */
  const task = (prev: number, name: string, fn: string, payload: unknown, attempts: Array<{ result: unknown } | { error: string; message: string }>, stateOutput: unknown): number => {
    let last = ev('TaskStateEntered', prev, { stateEnteredEventDetails: { name, input: JSON.stringify(payload) } });
    for (const a of attempts) {
      const scheduled = ev('TaskScheduled', last, { taskScheduledEventDetails: { ...lambda, region: 'eu-west-1', parameters: JSON.stringify(invoke(fn, payload)) } });
      const started = ev('TaskStarted', scheduled, { taskStartedEventDetails: lambda });
      last =
        'result' in a
          ? ev('TaskSucceeded', started, { taskSucceededEventDetails: { ...lambda, output: invokeResult(a.result), outputDetails: { truncated: false } } })
          : ev('TaskFailed', started, { taskFailedEventDetails: { ...lambda, error: a.error, cause: JSON.stringify({ errorType: a.error, errorMessage: a.message }) } });
    }
    return ev('TaskStateExited', last, { stateExitedEventDetails: { name, output: JSON.stringify(stateOutput) } });
  };
  return { events, ev, task };
}

function parentHistory(): unknown[] {
  const { events, ev, task } = historyBuilder();
  const started = ev('ExecutionStarted', 0, { executionStartedEventDetails: { input: JSON.stringify(INPUT), roleArn: 'arn:aws:iam::123456789012:role/x' } });
  const warm = task(started, 'Warmup', 'process-item', { warmup: true }, [{ result: { warmed: true } }], INPUT);
  const entered = ev('MapStateEntered', warm, { stateEnteredEventDetails: { name: 'Items', input: JSON.stringify(INPUT) } });
  const run = ev('MapRunStarted', entered, { mapRunStartedEventDetails: { mapRunArn: 'arn:aws:states:eu-west-1:123456789012:mapRun:dmap/Items:8a3f' } });
  const done = ev('MapRunSucceeded', run);
  const exited = ev('MapStateExited', done, { stateExitedEventDetails: { name: 'Items', output: JSON.stringify({ ...INPUT, results: OUTPUT.results }) } });
  const fin = task(exited, 'Final', 'process-item', { final: true }, [{ result: { done: 'recorded-final' } }], OUTPUT);
  ev('ExecutionSucceeded', fin, { executionSucceededEventDetails: { output: JSON.stringify(OUTPUT) } });
  return events;
}

/** Child execution `id`'s history; item 2 failed once with Flaky before its retry succeeded. */
function childHistory(id: number): unknown[] {
  const { events, ev, task } = historyBuilder();
  const item = { id };
  const started = ev('ExecutionStarted', 0, { executionStartedEventDetails: { input: JSON.stringify(item), roleArn: 'arn:aws:iam::123456789012:role/x' } });
  const attempts = id === 2 ? [{ error: 'Flaky', message: 'item 2 hiccup' }, { result: recorded(id) }] : [{ result: recorded(id) }];
  const exited = task(started, 'Process', 'process-item', item, attempts, recorded(id));
  ev('ExecutionSucceeded', exited, { executionSucceededEventDetails: { output: JSON.stringify(recorded(id)) } });
  return events;
}

const children = () => [3, 1, 2].map((id) => ({ source: `child-${id}.json`, events: childHistory(id) }));

describe('replay of a Distributed Map with its child executions', { timeout: 180_000 }, () => {
  it("injects the children's calls by payload and numbers the parent's later call after them", () => {
    const { scenario, yaml } = historyToScenario({ events: parentHistory(), execution: RUN, children: children() });
    expect(scenario.given?.faults).toEqual([
      { function: 'process-item', invocations: [1], return: { warmed: true } },
      // Warm-up 1 + four child calls: the parent's Final call is the 6th.
      { function: 'process-item', invocations: [6], return: { done: 'recorded-final' } },
      { function: 'process-item', input: { id: 3 }, invocations: [1], return: recorded(3) },
      { function: 'process-item', input: { id: 1 }, invocations: [1], return: recorded(1) },
      { function: 'process-item', input: { id: 2 }, invocations: [1], throw: { errorType: 'Flaky', message: 'item 2 hiccup' } },
      { function: 'process-item', input: { id: 2 }, invocations: [2], return: recorded(2) },
    ]);
    expect(yaml).toContain("# process-item is called by the parent and by the Distributed Map's children: the parent's later calls are numbered after the 4 child call(s) given");
    expect(scenario.then).toMatchObject({ execution: { status: 'SUCCEEDED', output: OUTPUT }, path: ['Warmup', 'Items', 'Final'] });
  });

  it('without the children, says their calls run the real functions and injects only the parent’s', () => {
    const { scenario, yaml } = historyToScenario({ events: parentHistory(), execution: RUN });
    expect(yaml).toContain('# Distributed Map Items ran its items as child executions, whose Lambda calls are not in this history: they run the real functions (pass their histories with --children DIR).');
    expect(scenario.given?.faults).toEqual([
      { function: 'process-item', invocations: [1], return: { warmed: true } },
      { function: 'process-item', invocations: [2], return: { done: 'recorded-final' } },
    ]);
  });

  it('a child call whose payload holds its own execution ARN runs the real function, and the file says why', () => {
    const { events, ev, task } = historyBuilder();
    const item = { id: 9, execution: 'arn:aws:states:eu-west-1:123456789012:execution:dmap/Items:7c1e' };
    const started = ev('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
    ev('ExecutionFailed', task(started, 'Process', 'process-item', item, [{ error: 'Boom', message: 'bad item' }], {}), { executionFailedEventDetails: { error: 'Boom' } });
    const { scenario, yaml } = historyToScenario({ events: parentHistory(), execution: RUN, children: [{ source: 'child-9.json', events }] });
    expect(scenario.given?.faults?.filter((f) => 'throw' in f)).toEqual([]);
    expect(yaml).toContain(
      '# A call of process-item in child execution child-9.json runs the real function: its payload cannot be matched locally: it holds "arn:aws:states:eu-west-1:123456789012:execution:dmap/Items:7c1e", an ARN of that execution or state machine.',
    );
  });

  it('`rehearse replay --children DIR` reproduces the run on the embedded endpoint, the retry landing on item 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replay-dmap-'));
    await writeFile(join(dir, 'history.json'), JSON.stringify({ execution: RUN, events: parentHistory() }));
    await writeFile(join(dir, 'dmap.asl.json'), JSON.stringify(DEFINITION));
    await mkdir(join(dir, 'children'));
    for (const c of children()) await writeFile(join(dir, 'children', c.source), JSON.stringify({ events: c.events }));
    const code = join(dir, 'functions');
    await mkdir(code);
    // Today's handler answers differently: only the injected results can produce the recorded output.
    await writeFile(join(code, 'process-item.mjs'), "export const handler = async (e) => ({ id: e.id, status: 'today', done: 'today' });\n");
    let err = '';
    const io = { stdout: new Writable({ write(_c, _e, cb) { cb(); } }), stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }), cwd: dir, env: {}, isTTY: false };
    expect(await main(['replay', 'history.json', '--children', 'nowhere', '--definition', 'dmap.asl.json'], io)).toBe(2);
    expect(err).toMatch(/^rehearse replay: --children: cannot read directory .*nowhere\n$/);
    expect(await main(['replay', 'history.json', '--children', 'children', '--definition', 'dmap.asl.json', '--out', 'incident.yaml'], io)).toBe(0);
    const loaded = await loadScenario(join(dir, 'incident.yaml'));

    const backend = await createBackend('embedded', { seed: 'replay-dmap' });
    const client = new LambdaClient({ endpoint: backend.endpoint, region: backend.region, credentials: backend.credentials });
    try {
      await client.send(
        new CreateFunctionCommand({ FunctionName: 'process-item', Runtime: 'nodejs20.x', Handler: 'process-item.handler', Role: 'arn:aws:iam::000000000000:role/replay', Code: { S3Bucket: 'hot-reload', S3Key: code } }),
      );
      const result = await runScenario(loaded, { backend, seed: 'replay-dmap', cwd: dir, waitTimeoutMs: 60_000 });
      expect(result.status, JSON.stringify(result.checks.filter((c) => c.status !== 'passed'))).toBe('passed');
      expect(result.executions.find((e) => e.alias === 'replayed')!.output).toEqual(OUTPUT);
      // Six invocations, as recorded: warm-up, four in the children (item 2 twice), final.
      const calls = (await new ControlClient(backend.controlUrl!).observations()).invocations.filter((i) => i.functionName === 'process-item');
      expect(calls).toHaveLength(6);
      expect(calls.filter((c) => c.error?.errorType === 'Flaky')).toHaveLength(1);
      // Had the error landed on another item, that item's retry (its 2nd call) would have no injection
      // and today's handler ('today') would show in the output checked above.
    } finally {
      client.destroy();
      await backend.dispose();
    }
  });
});

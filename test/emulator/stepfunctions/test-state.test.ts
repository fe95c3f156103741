/**
 * TestState over HTTP with the SDK v3 client: mocks, stateName, variables,
 * context, stateConfiguration and inspectionData as AWS answers them, and
 * AWS's typed refusals. No Lambda function exists here: every Task is mocked.
 */
import { InvalidDefinition, TestStateCommand, ValidationException, type SFNClient, type TestStateCommandInput } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceModels } from '../../../harness/emulator/stepfunctions/service-models.ts';
import { startEndpoint } from './fixtures.ts';

let env: Awaited<ReturnType<typeof startEndpoint>>;
let sfn: SFNClient;

beforeAll(async () => {
  env = await startEndpoint();
  sfn = env.sfn;
});
afterAll(async () => {
  await env?.emulator.dispose();
});

const test = (input: Omit<TestStateCommandInput, 'definition'> & { definition: unknown }) =>
  sfn.send(new TestStateCommand({ ...input, definition: JSON.stringify(input.definition) }));

const invoke = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: 'resize', 'Payload.$': '$.job' },
  ResultSelector: { 'size.$': '$.Payload.size' },
  ResultPath: '$.out',
  Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }],
  Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
  Next: 'Done',
};

describe('TestState with a mock', () => {
  it('uses the mocked result instead of the integration, with every data-flow stage at DEBUG (no roleArn needed)', async () => {
    const out = await test({ definition: invoke, input: '{"job": {"w": 800}}', mock: { result: '{"Payload": {"size": 42}}' }, inspectionLevel: 'DEBUG' });
    expect(out).toMatchObject({ status: 'SUCCEEDED', nextState: 'Done' });
    expect(JSON.parse(out.output!)).toEqual({ job: { w: 800 }, out: { size: 42 } });
    const d = out.inspectionData!;
    expect(d.input).toBe('{"job": {"w": 800}}'); // the text as sent
    expect(JSON.parse(d.afterParameters!)).toEqual({ FunctionName: 'resize', Payload: { w: 800 } });
    expect(d.result).toBe('{"Payload": {"size": 42}}');
    expect(JSON.parse(d.afterResultSelector!)).toEqual({ size: 42 });
    expect(JSON.parse(d.afterResultPath!)).toEqual({ job: { w: 800 }, out: { size: 42 } });
  });

  it('answers INFO without inspectionData', async () => {
    const out = await test({ definition: invoke, input: '{"job": {}}', mock: { result: '{"Payload": {"size": 1}}' } });
    expect(out.inspectionData).toBeUndefined();
  });

  it('reports RETRIABLE with the backoff for the retries already made, then the catcher once MaxAttempts are spent', async () => {
    const first = await test({ definition: invoke, input: '{"job": {}}', mock: { errorOutput: { error: 'Throttled', cause: 'slow down' } }, inspectionLevel: 'DEBUG' });
    expect(first).toMatchObject({ status: 'RETRIABLE', error: 'Throttled', cause: 'slow down' });
    expect(first.inspectionData!.errorDetails).toEqual({ retryIndex: 0, retryBackoffIntervalSeconds: 2 });
    const second = await test({ definition: invoke, input: '{"job": {}}', mock: { errorOutput: { error: 'Throttled' } }, stateConfiguration: { retrierRetryCount: 1 }, inspectionLevel: 'DEBUG' });
    expect(second.inspectionData!.errorDetails).toEqual({ retryIndex: 0, retryBackoffIntervalSeconds: 6 });
    const spent = await test({ definition: invoke, input: '{"job": {}}', mock: { errorOutput: { error: 'Throttled', cause: 'slow down' } }, stateConfiguration: { retrierRetryCount: 2 }, inspectionLevel: 'DEBUG' });
    expect(spent).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Failed', error: 'Throttled' });
    expect(JSON.parse(spent.output!)).toEqual({ job: {}, error: { Error: 'Throttled', Cause: 'slow down' } });
    expect(spent.inspectionData!.errorDetails).toEqual({ retryIndex: 0, catchIndex: 0 });
  });

  it('tests one state of a whole machine by stateName, with variables and a given context', async () => {
    const machine = {
      QueryLanguage: 'JSONata',
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Arguments: { FunctionName: 'f', Payload: { n: '{% $count %}', run: '{% $states.context.Execution.Name %}' } },
          Assign: { total: '{% $count + $states.result.Payload %}' },
          Output: '{% $states.result.Payload %}',
          Next: 'End',
        },
        End: { Type: 'Succeed' },
      },
    };
    const out = await test({
      definition: machine,
      stateName: 'Work',
      variables: '{"count": 2}',
      context: '{"Execution": {"Name": "given-run"}}',
      mock: { result: '{"Payload": 40}' },
      inspectionLevel: 'TRACE',
    });
    expect(out).toMatchObject({ status: 'SUCCEEDED', nextState: 'End', output: '40' });
    expect(JSON.parse(out.inspectionData!.afterArguments!)).toEqual({ FunctionName: 'f', Payload: { n: 2, run: 'given-run' } });
    expect(JSON.parse(out.inspectionData!.variables!)).toEqual({ count: 2, total: 42 });
  });

  it('runs a Map and a Parallel state on their mocked results, counting mocked Map failures against the threshold', async () => {
    const map = { Type: 'Map', ItemsPath: '$.items', ToleratedFailureCount: 1, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true };
    const ok = await test({ definition: map, input: '{"items": [1, 2]}', mock: { result: '[10, 20]' }, stateConfiguration: { mapIterationFailureCount: 1 }, inspectionLevel: 'DEBUG' });
    expect(ok).toMatchObject({ status: 'SUCCEEDED', output: '[10, 20]' });
    expect(ok.inspectionData).toMatchObject({ afterItemsPath: '[1, 2]', maxConcurrency: 0, toleratedFailureCount: 1 });
    const over = await test({ definition: map, input: '{"items": [1, 2]}', mock: { result: '[10, 20]' }, stateConfiguration: { mapIterationFailureCount: 2 } });
    expect(over).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const parallel = { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], ResultPath: '$.r', End: true };
    expect(await test({ definition: parallel, input: '{"a": 1}', mock: { result: '["x"]' } })).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1,"r":["x"]}' });
  });

  it('runs an activity or a .sync task only under a mock', async () => {
    const activity = { Type: 'Task', Resource: 'arn:aws:states:us-east-1:000000000000:activity:approve', End: true };
    expect(await test({ definition: activity, mock: { result: '{"approved": true}' } })).toMatchObject({ status: 'SUCCEEDED', output: '{"approved": true}' });
    await expect(test({ definition: activity, roleArn: 'arn:aws:iam::000000000000:role/r' })).rejects.toBeInstanceOf(InvalidDefinition);
    const sync = { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:child' }, End: true };
    expect(await test({ definition: sync, mock: { result: '{"Status": "SUCCEEDED"}' } })).toMatchObject({ status: 'SUCCEEDED' });
    await expect(test({ definition: sync, roleArn: 'arn:aws:iam::000000000000:role/r' })).rejects.toBeInstanceOf(InvalidDefinition);
  });
});

describe('TestState refusals (AWS codes and messages)', () => {
  const refusal = async (input: Parameters<typeof test>[0]) => {
    const e = await test(input).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    return e as Error & { name: string };
  };

  it('refuses a Map without a mock, a mock on a Pass state, and an unmocked Task without roleArn', async () => {
    const map = { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true };
    const e1 = await refusal({ definition: map, input: '[]' });
    expect(e1).toBeInstanceOf(InvalidDefinition);
    expect(e1.message).toBe('TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]');
    const e2 = await refusal({ definition: { Type: 'Pass', End: true }, mock: { result: '{}' } });
    expect(e2).toBeInstanceOf(ValidationException);
    expect(e2.message).toBe("State type 'Pass' is not supported when a mock is specified");
    const e3 = await refusal({ definition: invoke, input: '{}' });
    expect(e3.message).toBe('RoleArn must be specified when testing a Task state');
  });

  it('refuses a stateName that is not in the definition and a mocked result that is not JSON', async () => {
    expect((await refusal({ definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, stateName: 'B' })).message).toBe('State not found in definition');
    expect((await refusal({ definition: invoke, mock: { result: 'not json', fieldValidationMode: 'NONE' } })).message).toBe('Mocked result must be valid JSON');
  });

  it.skipIf(createServiceModels().source === undefined)('validates a mocked result against the API model: STRICT needs the required fields, PRESENT only checks those given', async () => {
    const start = { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:x' }, End: true };
    expect((await refusal({ definition: start, mock: { result: '{}' } })).message).toBe("Mock result schema validation error: Required field 'ExecutionArn' is missing");
    expect((await refusal({ definition: start, mock: { result: '{"StartDate": 17}', fieldValidationMode: 'PRESENT' } })).message).toBe(
      "Mock result schema validation error: Field 'StartDate' must be a string",
    );
    expect(await test({ definition: start, mock: { result: '{"startDate": 17}', fieldValidationMode: 'PRESENT' } })).toMatchObject({ status: 'SUCCEEDED' });
  });
});

/**
 * Step Functions Local's MockConfigFile on the embedded endpoint, one test per
 * behaviour AWS documents ("Using mocked service integrations for testing in
 * Step Functions Local" and "Configuration file for mocked service
 * integrations"), driven over HTTP with the SDK v3 as a migrating team's
 * tests would. The AWS example (LambdaSQSIntegration: HappyPath, RetryPath,
 * HybridPath) runs as the documentation writes it, account 123456789012 included.
 */
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { sfnClient, sqsClient } from '../../support/clients.ts';
import { ACCOUNT, AWS_EXAMPLE_DEFINITION, AWS_EXAMPLE_MOCK_CONFIG } from '../../support/lambda-sqs-example.ts';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/service-role/LambdaSQSIntegration`;

/** A second machine for the behaviours the example does not show. */
const MORE = {
  StateMachines: {
    Behaviours: {
      TestCases: {
        CaughtThrow: { Work: 'FailsOnce' },
        OutOfResponses: { Work: 'RetryableOnce' },
        Legacy: { Direct: 'DirectReturn' },
        Callback: { Wait: 'CallbackReturn' },
        MapShared: { Item: 'ThreeItems' },
      },
    },
  },
  MockedResponses: {
    FailsOnce: { '0': { Throw: { Error: 'Custom.Broken', Cause: 'first call breaks' } } },
    RetryableOnce: { '0': { Throw: { Error: 'Custom.Retryable', Cause: 'try again' } } },
    DirectReturn: { '0': { Return: { direct: true } } },
    CallbackReturn: { '0': { Return: { approved: 'yes' } } },
    ThreeItems: { '0': { Return: 'first' }, '1-2': { Return: 'later' } },
  },
};

let dir: string;
let file: string;
let emulator: Emulator;
let sfn: SFNClient;

function writeConfig(value: unknown, mtimeSeconds: number): void {
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  // A distinct modification time for each version: the endpoint re-reads on mtime or size.
  utimesSync(file, mtimeSeconds, mtimeSeconds);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehearse-mockcfg-'));
  file = join(dir, 'MockConfigFile.json');
  writeConfig({ StateMachines: { ...AWS_EXAMPLE_MOCK_CONFIG.StateMachines, ...MORE.StateMachines }, MockedResponses: { ...AWS_EXAMPLE_MOCK_CONFIG.MockedResponses, ...MORE.MockedResponses } }, 1_700_000_000);
  emulator = await startEmulator({ port: 0, clock: 'virtual', seed: 3, accountId: ACCOUNT, mockConfigFile: file, log: false });
  sfn = sfnClient(emulator.endpoint);
  await sfn.send(new CreateStateMachineCommand({ name: 'LambdaSQSIntegration', definition: JSON.stringify(AWS_EXAMPLE_DEFINITION), roleArn: ROLE }));
  await sfn.send(
    new CreateStateMachineCommand({
      name: 'Behaviours',
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: 'Pick',
        States: {
          Pick: {
            Type: 'Choice',
            Choices: [
              { Variable: '$.run', StringEquals: 'work', Next: 'Work' },
              { Variable: '$.run', StringEquals: 'direct', Next: 'Direct' },
              { Variable: '$.run', StringEquals: 'wait', Next: 'Wait' },
            ],
            Default: 'Items',
          },
          Work: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'NotDeployed' },
            Retry: [{ ErrorEquals: ['Custom.Retryable'], MaxAttempts: 1, IntervalSeconds: 1 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
          Direct: { Type: 'Task', Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:NotDeployed`, End: true },
          Wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/approvals`, MessageBody: { 'token.$': '$$.Task.Token' } },
            End: true,
          },
          Items: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 1, Iterator: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'NotDeployed' }, OutputPath: '$', End: true } } }, End: true },
        },
      }),
    }),
  );
});

afterAll(async () => {
  await emulator?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const machineArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;

async function execute(target: string, input: unknown = {}, name?: string) {
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: target, input: JSON.stringify(input), ...(name ? { name } : {}) }));
  for (let i = 0; i < 1000; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    if (d.status !== 'RUNNING') {
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn!, maxResults: 1000 }));
      return { started, described: d, events: events ?? [] };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${target} still RUNNING`);
}

const ofType = (events: HistoryEvent[], type: string) => events.filter((e) => e.type === type);

describe('the AWS example MockConfigFile (LambdaSQSIntegration)', () => {
  it('HappyPath: each mocked state returns its Return, nothing is invoked, and the execution ARN has no #TestCase', async () => {
    const { started, described, events } = await execute(`${machineArn('LambdaSQSIntegration')}#HappyPath`, {}, 'executionWithHappyPathMockedServices');
    // "The response to calling StartExecution using a mocked service integration test is same as the response to calling StartExecution normally."
    expect(started.executionArn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:execution:LambdaSQSIntegration:executionWithHappyPathMockedServices`);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.stateMachineArn).toBe(machineArn('LambdaSQSIntegration'));
    expect(JSON.parse(described.output!)).toEqual(AWS_EXAMPLE_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
    const succeeded = ofType(events, 'TaskSucceeded').map((e) => JSON.parse(e.taskSucceededEventDetails!.output!));
    expect(succeeded).toEqual([AWS_EXAMPLE_MOCK_CONFIG.MockedResponses.MockedLambdaSuccess['0'].Return, AWS_EXAMPLE_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return]);
    // "the mocked data is used the same way that data returned by performing actual service integration calls would be used": LambdaState's output is SQSState's input.
    const sqsEntered = ofType(events, 'TaskStateEntered').find((e) => e.stateEnteredEventDetails!.name === 'SQSState')!;
    expect(JSON.parse(sqsEntered.stateEnteredEventDetails!.input!)).toEqual(succeeded[0]);
    // HelloWorldFunction does not exist and myQueue was never created: a mocked Task never calls the service endpoint.
    expect(emulator.observations.snapshot().invocations).toHaveLength(0);
  });

  it('RetryPath: attempts "0", "1-2" throw and "3" returns; the Retry policy runs its four attempts with its back-off', async () => {
    const { described, events } = await execute(`${machineArn('LambdaSQSIntegration')}#RetryPath`);
    expect(described.status).toBe('SUCCEEDED');
    const failed = ofType(events, 'TaskFailed').map((e) => [e.taskFailedEventDetails!.error, e.taskFailedEventDetails!.cause]);
    expect(failed).toEqual([
      ['Lambda.ResourceNotReadyException', 'Lambda resource is not ready.'],
      ['Lambda.TimeoutException', 'Lambda timed out.'],
      ['Lambda.TimeoutException', 'Lambda timed out.'],
    ]);
    const scheduled = ofType(events, 'TaskScheduled').filter((e) => e.taskScheduledEventDetails!.resourceType === 'lambda');
    expect(scheduled).toHaveLength(4);
    const gaps = scheduled.slice(1).map((e, i) => (e.timestamp!.getTime() - scheduled[i]!.timestamp!.getTime()) / 1000);
    expect(gaps.map(Math.round)).toEqual([2, 4, 8]);
    expect(JSON.parse(described.output!)).toEqual(AWS_EXAMPLE_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return);
  });

  it('HybridPath: a state the test case does not mock calls its integration for real (SQSState sends to myQueue)', async () => {
    const sqs = sqsClient(emulator.endpoint);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'myQueue' }));
    const { described, events } = await execute(`${machineArn('LambdaSQSIntegration')}#HybridPath`, { order: 7 });
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!) as { MessageId: string; MD5OfMessageBody: string };
    expect(output.MessageId).not.toBe(AWS_EXAMPLE_MOCK_CONFIG.MockedResponses.MockedSQSSuccess['0'].Return.MessageId);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages).toHaveLength(1);
    expect(JSON.parse(received.Messages![0]!.Body!)).toEqual(AWS_EXAMPLE_MOCK_CONFIG.MockedResponses.MockedLambdaSuccess['0'].Return);
    expect(ofType(events, 'TaskSucceeded')).toHaveLength(2);
  });

  it('without #TestCase the same state machine calls its real integrations', async () => {
    const { described, events } = await execute(machineArn('LambdaSQSIntegration'));
    expect(described.status).toBe('FAILED');
    // HelloWorldFunction is not deployed: the real lambda:invoke fails (retried, then the execution fails).
    expect(described.error).toBe('Lambda.ResourceNotFoundException');
    expect(ofType(events, 'TaskFailed').length).toBeGreaterThan(0);
  });
});

describe('documented rules', () => {
  it('Throw: Error and Cause are the task error that Retry and Catch match', async () => {
    const { described, events } = await execute(`${machineArn('Behaviours')}#CaughtThrow`, { run: 'work' });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!).caught).toEqual({ Error: 'Custom.Broken', Cause: 'first call breaks' });
    expect(ofType(events, 'TaskFailed')).toHaveLength(1);
  });

  it('an invocation with no mocked response fails the execution, and no Catch handles it', async () => {
    // RetryableOnce defines only "0"; the Retry asks for invocation 1, and the Catch on States.ALL does not take it.
    const { described } = await execute(`${machineArn('Behaviours')}#OutOfResponses`, { run: 'work' });
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toContain('RetryableOnce');
    expect(described.cause).toContain('invocation 1');
  });

  it('a Lambda function ARN resource: Return is the state result (LambdaFunction* events)', async () => {
    const { described, events } = await execute(`${machineArn('Behaviours')}#Legacy`, { run: 'direct' });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ direct: true });
    expect(ofType(events, 'LambdaFunctionSucceeded')).toHaveLength(1);
  });

  it('.waitForTaskToken mocked: a task token is generated and the Return is the result, without waiting for a callback', async () => {
    const { described, events } = await execute(`${machineArn('Behaviours')}#Callback`, { run: 'wait' });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ approved: 'yes' });
    const params = JSON.parse(ofType(events, 'TaskScheduled')[0]!.taskScheduledEventDetails!.parameters!) as { MessageBody: { token: string } };
    expect(params.MessageBody.token).toMatch(/\S{20,}/);
  });

  it('Map iterations count invocations of their state on one counter (MaxConcurrency 1: in item order)', async () => {
    const { described } = await execute(`${machineArn('Behaviours')}#MapShared`, { run: 'map', items: [1, 2, 3] });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual(['first', 'later', 'later']);
  });

  it('each execution counts invocations from 0 again', async () => {
    const a = await execute(`${machineArn('Behaviours')}#MapShared`, { run: 'map', items: [1] });
    const b = await execute(`${machineArn('Behaviours')}#MapShared`, { run: 'map', items: [1] });
    expect([JSON.parse(a.described.output!), JSON.parse(b.described.output!)]).toEqual([['first'], ['first']]);
  });

  it('a test case the file does not define is refused by StartExecution, naming the ones it has', async () => {
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${machineArn('LambdaSQSIntegration')}#SadPath` }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('HappyPath, RetryPath, HybridPath'),
    });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${machineArn('Missing')}#HappyPath` }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe('the file is read again when it changes', () => {
  it('a changed Return applies to the next execution; a broken file is refused with the reason; fixing it works again', async () => {
    const changed = structuredClone(AWS_EXAMPLE_MOCK_CONFIG);
    changed.MockedResponses.MockedSQSSuccess['0'].Return.MessageId = 'changed-id';
    writeConfig(changed, 1_700_000_100);
    const { described } = await execute(`${machineArn('LambdaSQSIntegration')}#HappyPath`);
    expect(JSON.parse(described.output!).MessageId).toBe('changed-id');

    writeConfig('{"StateMachines": {}, "MockedResponses": {"X": {"0": {"Return": 1, "Throw": {}}}}}', 1_700_000_200);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${machineArn('LambdaSQSIntegration')}#HappyPath` }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('MockedResponses.X.0 must contain exactly one field, Return or Throw'),
    });

    writeConfig(AWS_EXAMPLE_MOCK_CONFIG, 1_700_000_300);
    const again = await execute(`${machineArn('LambdaSQSIntegration')}#HappyPath`);
    expect(JSON.parse(again.described.output!).MessageId).toBe('3bcb6e8e-8b51-4375-b0bc-1a59812c6e51');
  });
});

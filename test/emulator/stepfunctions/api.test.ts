/**
 * The Step Functions API on the embedded endpoint, driven by AWS SDK for
 * JavaScript v3 with default settings over real HTTP.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidDefinition,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TagResourceCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFunction, passChain, ROLE, startEndpoint } from './fixtures.ts';

let env: Awaited<ReturnType<typeof startEndpoint>>;
let sfn: SFNClient;
let callbackMachine: Record<string, unknown>;

beforeAll(async () => {
  env = await startEndpoint();
  sfn = env.sfn;
  const noop = await createNodeFunction(env.lambda, 'noop', 'export const handler = async () => ({});');
  callbackMachine = {
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: noop, Payload: { 'token.$': '$$.Task.Token' } },
        End: true,
      },
    },
  };
});
afterAll(async () => {
  await env?.emulator.dispose();
});

async function waitForStatus(executionArn: string, status = 'SUCCEEDED') {
  for (let i = 0; i < 500; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') {
      expect(d.status, `${d.error ?? ''} ${d.cause ?? ''}`).toBe(status);
      return d;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`execution ${executionArn} still RUNNING`);
}

describe('state machines', () => {
  it('creates, describes, updates, lists and is idempotent for identical requests', async () => {
    const definition = JSON.stringify(passChain(2));
    const created = await sfn.send(new CreateStateMachineCommand({ name: 'crud', definition, roleArn: ROLE }));
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:crud');
    expect(created.creationDate).toBeInstanceOf(Date);
    const again = await sfn.send(new CreateStateMachineCommand({ name: 'crud', definition, roleArn: ROLE }));
    expect(again.stateMachineArn).toBe(created.stateMachineArn);
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'crud', definition: JSON.stringify(passChain(3)), roleArn: ROLE })),
    ).rejects.toBeInstanceOf(StateMachineAlreadyExists);

    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name: 'crud', status: 'ACTIVE', type: 'STANDARD', definition, roleArn: ROLE });

    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: JSON.stringify(passChain(3)) }));
    const updated = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(JSON.parse(updated.definition!).States.S2).toBeDefined();

    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((m) => m.name)).toContain('crud');
  });

  it('rejects a bad definition with InvalidDefinition naming the problem', async () => {
    const bad = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    const error = await sfn
      .send(new CreateStateMachineCommand({ name: 'bad', definition: JSON.stringify(bad), roleArn: ROLE }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDefinition);
    expect((error as Error).message).toContain('Nowhere');
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{not json', roleArn: ROLE })),
    ).rejects.toBeInstanceOf(InvalidDefinition);
  });

  it('rejects invalid names and unknown machines with their typed errors', async () => {
    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'has space', definition: JSON.stringify(passChain(1)), roleArn: ROLE })),
    ).rejects.toBeInstanceOf(InvalidName);
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('validates definitions with ValidateStateMachineDefinition', async () => {
    const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(passChain(2)) }));
    expect(ok.result).toBe('OK');
    const bad = await sfn.send(
      new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: 'X', States: { A: { Type: 'Pass', End: true } } }) }),
    );
    expect(bad.result).toBe('FAIL');
    expect(bad.diagnostics?.length).toBeGreaterThan(0);
    expect(bad.diagnostics?.[0]).toMatchObject({ severity: 'ERROR' });
  });

  it('tags state machines', async () => {
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'tagged', definition: JSON.stringify(passChain(1)), roleArn: ROLE, tags: [{ key: 'team', value: 'img' }] }),
    );
    await sfn.send(new TagResourceCommand({ resourceArn: stateMachineArn, tags: [{ key: 'env', value: 'test' }] }));
    const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }));
    expect(tags.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'img' }, { key: 'env', value: 'test' }]));
  });
});

describe('executions', () => {
  let machineArn: string;
  beforeAll(async () => {
    const definition = {
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hello {}', $.who)" }, ResultPath: '$.out', Next: 'Nap' },
        Nap: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    machineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'greeter', definition: JSON.stringify(definition), roleArn: ROLE })))
      .stateMachineArn!;
  });

  it('runs to SUCCEEDED on virtual time, with AWS history and an hour between the Wait events', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'run-1', input: '{"who":"cat"}' }));
    expect(executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:greeter:run-1');
    const done = await waitForStatus(executionArn!);
    expect(JSON.parse(done.output!)).toEqual({ who: 'cat', out: { greeting: 'hello cat' } });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events!.map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const waitEntered = history.events!.find((e) => e.type === 'WaitStateEntered')!.timestamp!.getTime();
    const waitExited = history.events!.find((e) => e.type === 'WaitStateExited')!.timestamp!.getTime();
    expect(waitExited - waitEntered).toBe(3_600_000);
    expect(history.events![0]!.executionStartedEventDetails?.roleArn).toBe(ROLE);
  });

  it('pages history, reverses it, and leaves out data when asked', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{"who":"dog"}' }));
    await waitForStatus(executionArn!);
    const page1 = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
    expect(page1.events).toHaveLength(3);
    expect(page1.nextToken).toBeDefined();
    const page2 = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 100, nextToken: page1.nextToken }));
    expect(page2.events!.map((e) => e.id)).toEqual([4, 5, 6, 7, 8]);
    expect(page2.nextToken).toBeUndefined();
    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(reversed.events![0]!.type).toBe('ExecutionSucceeded');
    const noData = await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    expect(noData.events![0]!.executionStartedEventDetails?.input).toBeUndefined();
    expect(noData.events![0]!.executionStartedEventDetails?.roleArn).toBe(ROLE);
    await expect(sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'garbage' }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('keeps execution names idempotent: same input while running → same execution; otherwise ExecutionAlreadyExists', async () => {
    // Waiting on a task token keeps the execution RUNNING: the virtual clock never jumps over a pending callback.
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'held', definition: JSON.stringify(callbackMachine), roleArn: ROLE }));
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"a":1}' }));
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"a":1}' }));
    expect(second.executionArn).toBe(first.executionArn);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"a":2}' }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await waitForStatus(first.executionArn!, 'ABORTED');
    // Closed executions keep their name: starting it again is refused even with the same input.
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input: '{"a":1}' }))).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
  });

  it('stops an execution waiting on a callback: ABORTED, and lists it by status', async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'stoppable', definition: JSON.stringify(callbackMachine), roleArn: ROLE }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator.Stop', cause: 'no longer needed' }));
    const d = await waitForStatus(executionArn!, 'ABORTED');
    expect(d.error).toBe('Operator.Stop');
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([executionArn]);
    const forExec = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(JSON.parse(forExec.definition!)).toEqual(callbackMachine);
  });

  it('answers unknown executions and tokens with ExecutionDoesNotExist and InvalidToken', async () => {
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:greeter:missing' })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('rejects execution input that is not JSON', async () => {
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{oops' }))).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
  });
});

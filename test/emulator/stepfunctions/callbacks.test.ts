/**
 * Callbacks and Lambda errors through the real APIs: the client reads the task
 * token from the execution history (as a reviewer service would) and answers
 * it; a Lambda function error is caught by a Catch on its errorType.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFunction, ROLE, startEndpoint } from './fixtures.ts';

let env: Awaited<ReturnType<typeof startEndpoint>>;
let sfn: SFNClient;
let reviewMachine: string;

beforeAll(async () => {
  env = await startEndpoint();
  sfn = env.sfn;
  const requestReview = await createNodeFunction(env.lambda, 'request-review', 'export const handler = async (e) => ({ sent: e.token.length > 0 });');
  const definition = {
    StartAt: 'RequestReview',
    States: {
      RequestReview: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: requestReview, Payload: { 'token.$': '$$.Task.Token', 'key.$': '$.key' } },
        TimeoutSeconds: 3600,
        HeartbeatSeconds: 600,
        Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.rejection', Next: 'Archive' }],
        Next: 'Publish',
      },
      Publish: { Type: 'Pass', Result: 'published', ResultPath: '$.outcome', End: true },
      Archive: { Type: 'Pass', Result: 'archived', ResultPath: '$.outcome', End: true },
    },
  };
  reviewMachine = (await sfn.send(new CreateStateMachineCommand({ name: 'review', definition: JSON.stringify(definition), roleArn: ROLE })))
    .stateMachineArn!;
});
afterAll(async () => {
  await env?.emulator.dispose();
});

async function tokenFromHistory(executionArn: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const scheduled = events!.find((e) => e.type === 'TaskScheduled');
    const submitted = events!.some((e) => e.type === 'TaskSubmitted');
    if (scheduled && submitted) {
      const params = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!) as { Payload: { token: string } };
      return params.Payload.token;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no TaskScheduled/TaskSubmitted event');
}

async function finished(executionArn: string) {
  for (let i = 0; i < 400; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('still RUNNING');
}

describe('wait for callback', () => {
  it('approve: SendTaskSuccess with the token read from history continues the execution', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: reviewMachine, input: '{"key":"raw/cat.jpg"}' }));
    const token = await tokenFromHistory(executionArn!);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const d = await finished(executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ approved: true, outcome: 'published' });
    // A token that has been answered is no longer valid.
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toMatchObject({
      name: expect.stringMatching(/^(TaskTimedOut|InvalidToken|TaskDoesNotExist)$/),
    });
  });

  it('reject: SendTaskFailure is caught by a Catch on its error name', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: reviewMachine, input: '{"key":"raw/dog.jpg"}' }));
    const token = await tokenFromHistory(executionArn!);
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'blurry' }));
    const d = await finished(executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ key: 'raw/dog.jpg', rejection: { Error: 'Rejected', Cause: 'blurry' }, outcome: 'archived' });
  });

  it('a missed heartbeat times the task out once the clock is advanced past HeartbeatSeconds', async () => {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: reviewMachine, input: '{"key":"raw/owl.jpg"}' }));
    const token = await tokenFromHistory(executionArn!);
    // The pending callback holds virtual time; the control API moves it on.
    const res = await fetch(`${env.endpoint}/_rehearse/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 601_000 }),
    });
    expect(res.ok).toBe(true);
    const d = await finished(executionArn!);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('States.HeartbeatTimeout');
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });
});

describe('Lambda errors', () => {
  it('a function error is caught by a Catch on its errorType, with the Lambda error as cause', async () => {
    const fn = await createNodeFunction(
      env.lambda,
      'too-large',
      `class ImageTooLarge extends Error { constructor(m) { super(m); this.name = 'ImageTooLarge'; } }
       export const handler = async () => { throw new ImageTooLarge('40000 x 40000 is over the limit'); };`,
    );
    const definition = {
      StartAt: 'Validate',
      States: {
        Validate: {
          Type: 'Task',
          Resource: fn,
          Catch: [{ ErrorEquals: ['ImageTooLarge'], Next: 'Reject' }],
          End: true,
        },
        Reject: { Type: 'Pass', End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'catcher', definition: JSON.stringify(definition), roleArn: ROLE }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    const d = await finished(executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!) as { Error: string; Cause: string };
    expect(out.Error).toBe('ImageTooLarge');
    expect(JSON.parse(out.Cause)).toMatchObject({ errorType: 'ImageTooLarge', errorMessage: '40000 x 40000 is over the limit' });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map((e) => e.type)).toContain('LambdaFunctionFailed');
  });
});

/**
 * Step Functions calling SQS: the optimised sqs:sendMessage (a JSON body sent
 * as its text), sqs:sendMessage.waitForTaskToken with the token in the body,
 * aws-sdk:sqs:*, and the error names Step Functions gives SQS's errors.
 */
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { sfnClient, sqsClient } from '../../support/clients.ts';

const ROLE = 'arn:aws:iam::000000000000:role/sfn';
let emu: Emulator;
let sqs: SQSClient;
let sfn: SFNClient;
let queueUrl: string;

beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs', 'states'], clock: 'virtual', log: false });
  sqs = sqsClient(emu.endpoint);
  sfn = sfnClient(emu.endpoint);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'review-requests' }))).QueueUrl!;
});
afterAll(async () => {
  sqs?.destroy();
  sfn?.destroy();
  await emu?.dispose();
});

async function start(name: string, definition: unknown, input: unknown = {}): Promise<string> {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }));
  return (await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }))).executionArn!;
}

async function finished(executionArn: string) {
  for (let i = 0; i < 1000; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('still RUNNING');
}

describe('Step Functions → SQS', () => {
  it('sqs:sendMessage sends a JSON MessageBody as its text and answers with the SDK metadata', async () => {
    const arn = await start('send', {
      StartAt: 'Send',
      States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: queueUrl, MessageBody: { 'key.$': '$.key', size: 3 } }, End: true } },
    }, { key: 'raw/cat.jpg' });
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!) as Record<string, unknown>;
    expect(out).toMatchObject({ MessageId: expect.any(String), MD5OfMessageBody: expect.stringMatching(/^[0-9a-f]{32}$/), SdkHttpMetadata: { HttpStatusCode: 200, HttpHeaders: { 'Content-Type': 'application/x-amz-json-1.0' } } });
    const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? [];
    expect(JSON.parse(m!.Body!)).toEqual({ key: 'raw/cat.jpg', size: 3 });
    expect(m!.MessageId).toBe(out.MessageId);
    expect(emu.observations.snapshot().sqsMessages.at(-1)).toMatchObject({ caller: 'states', queueArn: 'arn:aws:sqs:us-east-1:000000000000:review-requests' });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m!.ReceiptHandle }));
  });

  it('sqs:sendMessage.waitForTaskToken: a consumer reads the token from the message and answers', async () => {
    const arn = await start('review', {
      StartAt: 'RequestReview',
      States: {
        RequestReview: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: queueUrl, MessageBody: { 'key.$': '$.key', 'taskToken.$': '$$.Task.Token' } },
          TimeoutSeconds: 3600,
          End: true,
        },
      },
    }, { key: 'review/dog.jpg' });
    const messages = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }))).Messages ?? [];
    const body = JSON.parse(messages[0]!.Body!) as { key: string; taskToken: string };
    expect(body.key).toBe('review/dog.jpg');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: body.taskToken, output: JSON.stringify({ decision: 'approve' }) }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: messages[0]!.ReceiptHandle }));
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ decision: 'approve' });
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }))).events!.map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  it('aws-sdk:sqs:* calls: getQueueUrl, sendMessage, receiveMessage', async () => {
    const arn = await start('sdk', {
      StartAt: 'Url',
      States: {
        Url: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:getQueueUrl', Parameters: { QueueName: 'review-requests' }, ResultPath: '$.q', Next: 'Send' },
        Send: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:sendMessage', Parameters: { 'QueueUrl.$': '$.q.QueueUrl', MessageBody: 'plain text' }, ResultPath: '$.sent', Next: 'Receive' },
        Receive: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:receiveMessage', Parameters: { 'QueueUrl.$': '$.q.QueueUrl', MaxNumberOfMessages: 1 }, ResultPath: '$.got', End: true },
      },
    });
    const d = await finished(arn);
    expect(d.status, d.cause).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!) as { sent: { MessageId: string }; got: { Messages: Array<{ Body: string; MessageId: string }> } };
    expect(out.got.Messages[0]).toMatchObject({ Body: 'plain text', MessageId: out.sent.MessageId });
  });

  it('names SQS errors as Step Functions does: SQS.* for optimised calls, Sqs.* for aws-sdk ones', async () => {
    const missing = queueUrl.replace('review-requests', 'nope');
    const catchAll = (next: string) => [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: next }];
    const arn = await start('errors', {
      StartAt: 'Optimised',
      States: {
        Optimised: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: missing, MessageBody: 'x' }, Catch: catchAll('Sdk'), Next: 'Sdk' },
        Sdk: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:sendMessage', Parameters: { QueueUrl: missing, MessageBody: 'x' }, ResultPath: '$.first', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.sdkErr', Next: 'Unmodelled' }], Next: 'Unmodelled' },
        Unmodelled: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sqs:receiveMessage', Parameters: { QueueUrl: queueUrl, MaxNumberOfMessages: 11 }, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.otherErr', Next: 'Done' }], Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    const d = await finished(arn);
    const out = JSON.parse(d.output!) as Record<string, { Error: string; Cause: string }>;
    expect(out.err!.Error).toBe('SQS.QueueDoesNotExistException');
    expect(out.err!.Cause).toMatch(/^The specified queue does not exist\. \(Service: AmazonSQS; Status Code: 400; Error Code: AWS\.SimpleQueueService\.NonExistentQueue; Request ID: [0-9a-f-]{36}; Proxy: null\)$/);
    expect(out.sdkErr!.Error).toBe('Sqs.QueueDoesNotExistException');
    expect(out.sdkErr!.Cause).toMatch(/^The specified queue does not exist\. \(Service: Sqs, Status Code: 400, Request ID: [0-9a-f-]{36}\)$/);
    expect(out.otherErr!.Error).toBe('Sqs.SqsException');
  });
});

/**
 * Lambda event source mappings on SQS queues, with a real Node function: the
 * mapping API, the SQS event record, deletes after success, failed batches
 * back on the queue and on to the dead-letter queue (on virtual time),
 * ReportBatchItemFailures, the batching window, concurrency, and the
 * callback-through-a-queue pattern with Step Functions.
 */
import { fileURLToPath } from 'node:url';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { lambdaClient, sfnClient, sqsClient } from '../../support/clients.ts';

const CODE = fileURLToPath(new URL('./fixtures/consumer', import.meta.url));
const ROLE = 'arn:aws:iam::000000000000:role/consumer';
const clock = new VirtualClock({ start: Date.UTC(2026, 5, 1), autoAdvance: 'idle' });
let emu: Emulator;
let sqs: SQSClient;
let lambda: LambdaClient;
let sfn: SFNClient;

beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs', 'lambda', 'states'], clock, log: false });
  sqs = sqsClient(emu.endpoint);
  lambda = lambdaClient(emu.endpoint);
  sfn = sfnClient(emu.endpoint);
  for (const name of ['consumer', 'limited']) {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Timeout: 10, Code: { S3Bucket: 'hot-reload', S3Key: CODE } }));
  }
});
afterAll(async () => {
  for (const c of [sqs, lambda, sfn]) c?.destroy();
  await emu?.dispose();
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

async function counts(url: string): Promise<{ visible: number; inFlight: number }> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
}

/** The SQS events the function logged, oldest first. */
function events(fn: string): Array<{ start: number; records: Array<Record<string, unknown>> }> {
  return emu.observations
    .snapshot()
    .invocations.filter((i) => i.functionName === fn && i.logs?.includes('SQS_EVENT '))
    .map((i) => ({ start: i.startTime, records: (JSON.parse(i.logs!.split('SQS_EVENT ')[1]!.split('\n')[0]!) as { Records: Array<Record<string, unknown>> }).Records }));
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function rejects(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('the event source mapping API', () => {
  it('creates, reads, lists, updates and deletes a mapping with the states AWS reports', async () => {
    const q = await queue('api-q');
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: q.arn, BatchSize: 5, Enabled: false }));
    expect(created).toMatchObject({ State: 'Creating', BatchSize: 5, MaximumBatchingWindowInSeconds: 0, EventSourceArn: q.arn, FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer', FunctionResponseTypes: [] });
    expect(created.EventSourceMappingArn).toBe(`arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${created.UUID}`);
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe('Disabled');
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer', EventSourceArn: q.arn }));
    expect(listed.EventSourceMappings?.map((m) => m.UUID)).toEqual([created.UUID]);
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: true, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 3 } }));
    expect(updated).toMatchObject({ State: 'Enabling', FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 3 }, BatchSize: 5 });
    expect((await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }))).State).toBe('Deleting');
    expect(await rejects(lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('rejects what Lambda rejects', async () => {
    const q = await queue('short-vis', { VisibilityTimeout: '5' });
    const ok = await queue('ok-q');
    const fifo = await queue('api.fifo', { FifoQueue: 'true' });
    const create = (input: Record<string, unknown>) => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', ...input }));
    expect(await rejects(create({ EventSourceArn: q.arn }))).toMatchObject({ name: 'InvalidParameterValueException', message: 'Invalid request provided: Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds' });
    expect(await rejects(create({ EventSourceArn: ok.arn.replace('ok-q', 'missing') }))).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('NonExistentQueue') });
    expect(await rejects(create({ EventSourceArn: ok.arn, BatchSize: 50 }))).toMatchObject({ message: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10' });
    expect(await rejects(create({ EventSourceArn: ok.arn, BatchSize: 0 }))).toMatchObject({ name: 'ValidationException' });
    expect(await rejects(create({ EventSourceArn: fifo.arn, BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }))).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await rejects(create({ EventSourceArn: ok.arn, FunctionName: 'nobody' }))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await rejects(create({ EventSourceArn: ok.arn, FilterCriteria: { Filters: [{ Pattern: '{"body": "not a list"}' }] } }))).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Invalid filter pattern definition') });
    const first = await create({ EventSourceArn: ok.arn, Enabled: false });
    expect(await rejects(create({ EventSourceArn: ok.arn }))).toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining(first.UUID!) });
  });
});

describe('delivery', () => {
  it('invokes the function with SQS event records and deletes what it processed', async () => {
    const q = await queue('deliver');
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: q.arn, BatchSize: 10 }));
    const before = events('consumer').length;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: 'a', MessageBody: JSON.stringify({ n: 1 }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'upload' } } },
          { Id: 'b', MessageBody: JSON.stringify({ n: 2 }) },
        ],
      }),
    );
    await until(async () => ((await counts(q.url)).visible + (await counts(q.url)).inFlight === 0 ? true : undefined), 'the queue to empty');
    const got = events('consumer').slice(before).flatMap((e) => e.records);
    expect(got).toHaveLength(2);
    const withAttributes = got.find((r) => (r.body as string).includes('"n":1'))!;
    expect(withAttributes).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"n":1}',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: expect.any(String) },
      messageAttributes: { kind: { stringValue: 'upload', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: 'us-east-1',
    });
  });

  it('a failing batch comes back after the visibility timeout, and after maxReceiveCount lands in the dead-letter queue', async () => {
    const dlq = await queue('poison-dlq');
    const q = await queue('poison', { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: q.arn, BatchSize: 1 }));
    const before = events('consumer').length;
    const sentAt = clock.now();
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: JSON.stringify({ fail: 'batch' }) }));
    await until(async () => ((await counts(dlq.url)).visible === 1 ? true : undefined), 'the message in the dead-letter queue');
    const attempts = events('consumer').slice(before);
    expect(attempts.map((a) => a.records[0]!.attributes)).toEqual([expect.objectContaining({ ApproximateReceiveCount: '1' }), expect.objectContaining({ ApproximateReceiveCount: '2' })]);
    // The retry came when the visibility timeout ran out, on virtual time.
    expect(attempts[1]!.start - attempts[0]!.start).toBe(30_000);
    expect(attempts[0]!.start).toBe(sentAt);
    expect(await counts(q.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(emu.observations.snapshot().sqsDeadLetters.find((d) => d.messageId === MessageId)).toMatchObject({ sourceQueueArn: q.arn, deadLetterQueueArn: dlq.arn });
  });

  it('ReportBatchItemFailures: only the items the function names return to the queue', async () => {
    const q = await queue('partial', { VisibilityTimeout: '20' });
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: q.arn, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], Enabled: false }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: ['ok-1', 'bad', 'ok-2'].map((id) => ({ Id: id, MessageBody: JSON.stringify(id === 'bad' ? { fail: 'item' } : { id }) })) }));
    const before = events('consumer').length;
    const [mapping] = (await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: q.arn }))).EventSourceMappings!;
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping!.UUID, Enabled: true }));
    await until(() => (events('consumer').length >= before + 2 ? true : undefined), 'the retry of the failed item');
    const [first, second] = events('consumer').slice(before);
    expect(first!.records).toHaveLength(3);
    expect(second!.records.map((r) => r.body)).toEqual(['{"fail":"item"}']);
    expect((second!.records[0]!.attributes as Record<string, string>).ApproximateReceiveCount).toBe('2');
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping!.UUID, Enabled: false }));
  });

  it('MaximumBatchingWindowInSeconds gathers messages for the window on the clock', async () => {
    const q = await queue('windowed');
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: q.arn, BatchSize: 5, MaximumBatchingWindowInSeconds: 20 }));
    const before = events('consumer').length;
    const sentAt = clock.now();
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: [{ Id: '1', MessageBody: '{"w":1}' }, { Id: '2', MessageBody: '{"w":2}' }] }));
    // Only this queue's batches: another test's mapping on the same function may still deliver a retry meanwhile.
    const fromQueue = () => events('consumer').slice(before).filter((e) => e.records[0]?.eventSourceARN === q.arn);
    const [batch] = await until(() => (fromQueue().length > 0 ? fromQueue() : undefined), 'the windowed batch');
    expect(batch!.records).toHaveLength(2);
    expect(batch!.start - sentAt).toBe(20_000);
  });

  it('scales to the function concurrency and no further', async () => {
    const q = await queue('busy');
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'limited', ReservedConcurrentExecutions: 2 }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'limited', EventSourceArn: q.arn, BatchSize: 1 }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: `m${i}`, MessageBody: JSON.stringify({ sleepMs: 150 }) })) }));
    await until(() => (events('limited').length >= 6 ? true : undefined), 'six invocations');
    expect(emu.observations.snapshot().functionConcurrency.limited).toBe(2);
    expect(emu.observations.snapshot().invocations.filter((i) => i.functionName === 'limited' && i.error)).toEqual([]);
  });
});

describe('the callback-through-a-queue pattern', () => {
  it('sqs:sendMessage.waitForTaskToken → queue → mapped function → SendTaskSuccess', async () => {
    const q = await queue('reviews');
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: q.arn, BatchSize: 1 }));
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'review-by-queue',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'RequestReview',
          States: {
            RequestReview: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
              Parameters: { QueueUrl: q.url, MessageBody: { 'key.$': '$.key', 'taskToken.$': '$$.Task.Token' } },
              TimeoutSeconds: 600,
              End: true,
            },
          },
        }),
      }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ key: 'review/cat.jpg' }) }));
    const done = await until(async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the execution to finish');
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ reviewed: 'review/cat.jpg' });
    await until(async () => ((await counts(q.url)).inFlight === 0 ? true : undefined), 'the review message to be deleted');
  });
});

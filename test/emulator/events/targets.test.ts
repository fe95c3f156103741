/**
 * Rule targets, driven over HTTP with SDK v3 on virtual time: a Lambda
 * function (asynchronous invoke), a state machine (StartExecution), an SNS
 * topic, another bus; failed deliveries retried under the RetryPolicy and
 * dead-lettered with EventBridge's message attributes; schedules firing on
 * the Clock with virtual timestamps.
 */
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { lambdaClient, sfnClient, sqsClient } from '../../support/clients.ts';

const CODE = fileURLToPath(new URL('./fixtures/echo', import.meta.url));
const ROLE = 'arn:aws:iam::000000000000:role/r';
const START = Date.UTC(2026, 5, 1, 12, 0, 0);
const clock = new VirtualClock({ start: START, autoAdvance: 'idle' });
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let emu: Emulator;
let events: EventBridgeClient;
let sqs: SQSClient;

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Receives and deletes what a queue holds (a message received and not deleted would hold virtual
 * time for its visibility timeout: SQS's receipt rule, docs/sqs.md).
 */
async function take(url: string, attributes = false) {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...(attributes ? { MessageAttributeNames: ['All'] } : {}) }));
  for (const m of Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
  return Messages ?? [];
}

const put = (detailType: string, detail: unknown = {}, bus?: string) =>
  events.send(new PutEventsCommand({ Entries: [{ Source: 'test.app', DetailType: detailType, Detail: JSON.stringify(detail), ...(bus ? { EventBusName: bus } : {}) }] }));

async function rule(name: string, detailType: string, targets: Array<Record<string, unknown>>, bus?: string): Promise<void> {
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ 'detail-type': [detailType] }), ...(bus ? { EventBusName: bus } : {}) }));
  await events.send(new PutTargetsCommand({ Rule: name, ...(bus ? { EventBusName: bus } : {}), Targets: targets as never }));
}

beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs', 'sns', 'events', 'lambda', 'states'], clock, log: false, seed: 7 });
  events = new EventBridgeClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
  sqs = sqsClient(emu.endpoint);
});
afterAll(async () => {
  await emu?.dispose();
});
beforeEach(() => emu.faults.clear());

describe('targets', () => {
  it('invokes a Lambda function asynchronously with the event', async () => {
    const lambda = lambdaClient(emu.endpoint);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'echo', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket: 'hot-reload', S3Key: CODE } }));
    const arn = (await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }))).Configuration!.FunctionArn!;
    await rule('to-lambda', 'Lambda Please', [{ Id: 'fn', Arn: arn }]);
    const { Entries } = await put('Lambda Please', { n: 1 });
    const invocation = await until(() => emu.observations.snapshot().invocations.find((i) => i.functionName === 'echo' && i.logs?.includes('EVENT ')), 'the function to run');
    expect(invocation.invocationType).toBe('Event');
    const received = JSON.parse(invocation.logs!.split('EVENT ')[1]!.split('\n')[0]!) as Record<string, unknown>;
    expect(received).toMatchObject({ id: Entries![0]!.EventId, 'detail-type': 'Lambda Please', detail: { n: 1 }, time: '2026-06-01T12:00:00Z' });
  });

  it('starts a state machine execution with the event as input', async () => {
    const sfn = sfnClient(emu.endpoint);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'on-event', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }) }));
    await rule('to-sfn', 'Run It', [{ Id: 'sm', Arn: stateMachineArn!, InputPath: '$.detail' }]);
    await put('Run It', { order: 42 });
    const exec = await until(async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions?.[0], 'an execution');
    const described = await until(async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: exec.executionArn }));
      return d.status === 'SUCCEEDED' ? d : undefined;
    }, 'the execution to succeed');
    expect(JSON.parse(described.input!)).toEqual({ order: 42 });
  });

  it('publishes to an SNS topic and forwards to another bus', async () => {
    const sns = new SNSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: 'downstream' }));
    const q = await queue('downstream-q');
    await rule('to-sns-and-bus', 'Fan Out', [
      { Id: 'topic', Arn: TopicArn!, InputTransformer: { InputPathsMap: { what: '$.detail.what' }, InputTemplate: '"alert: <what>"' } },
      { Id: 'bus', Arn: EventBusArn! },
    ]);
    await rule('downstream-rule', 'Fan Out', [{ Id: 'q', Arn: q.arn }], 'downstream');
    const { Entries } = await put('Fan Out', { what: 'disk full' });
    const message = await until(() => emu.observations.snapshot().snsMessages.find((m) => m.topicArn === TopicArn), 'the SNS message');
    expect(message.message).toBe('"alert: disk full"');
    const body = (await take(q.url))[0]?.Body;
    expect(JSON.parse(body!)).toMatchObject({ id: Entries![0]!.EventId, detail: { what: 'disk full' } });
    const deliveries = emu.observations.snapshot().eventDeliveries.filter((d) => d.eventId === Entries![0]!.EventId);
    expect(deliveries.map((d) => [d.eventBusName, d.ruleName, d.targetId, d.status]).sort()).toEqual([
      ['default', 'to-sns-and-bus', 'bus', 'delivered'],
      ['default', 'to-sns-and-bus', 'topic', 'delivered'],
      ['downstream', 'downstream-rule', 'q', 'delivered'],
    ]);
  });
});

describe('FIFO queue targets', () => {
  it('a FIFO queue target with SqsParameters.MessageGroupId gets each event in that group; without it PutTargets is refused', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'ordered.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await events.send(new PutRuleCommand({ Name: 'ordered', EventPattern: JSON.stringify({ 'detail-type': ['Ordered'] }) }));
    await expect(events.send(new PutTargetsCommand({ Rule: 'ordered', Targets: [{ Id: 'fifo', Arn: arn }] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter(s) SqsParameters must be specified for target: fifo.',
    });
    await events.send(new PutTargetsCommand({ Rule: 'ordered', Targets: [{ Id: 'fifo', Arn: arn, SqsParameters: { MessageGroupId: 'orders' } }] }));
    const { Entries } = await put('Ordered', { n: 1 });
    const messages = await until(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['MessageGroupId'] }));
      return Messages?.length ? Messages : undefined;
    }, 'the FIFO message');
    expect(messages[0]!.Attributes?.MessageGroupId).toBe('orders');
    expect(JSON.parse(messages[0]!.Body!)).toMatchObject({ id: Entries![0]!.EventId, detail: { n: 1 } });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: messages[0]!.ReceiptHandle! }));
  });
});

describe('retries and dead-letter queues', () => {
  it('retries a failing target with back-off on the Clock, then delivers', async () => {
    const q = await queue('flaky-target');
    await rule('flaky', 'Flaky', [{ Id: 'q', Arn: q.arn }]);
    emu.faults.install({ targets: [{ rule: 'flaky', invocations: ['1-2'], error: { code: 'ThrottlingException', statusCode: 400 } }] });
    const before = clock.now();
    const { Entries } = await put('Flaky');
    const d = await until(() => emu.observations.snapshot().eventDeliveries.find((x) => x.eventId === Entries![0]!.EventId), 'the delivery');
    expect(d).toMatchObject({ status: 'delivered', attempts: 3 });
    // Two back-offs (≤ 1 s and ≤ 2 s, jittered down by up to half) passed on virtual time.
    expect(d.time - before).toBeGreaterThanOrEqual(1500);
    expect(d.time - before).toBeLessThanOrEqual(3000);
    expect(await take(q.url)).toHaveLength(1);
  });

  it('dead-letters after MaximumRetryAttempts with the rule, target, error and retry count as attributes', async () => {
    const dlq = await queue('events-dlq');
    await rule('broken', 'Broken', [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:never-created-but-faulted', RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: dlq.arn } }]);
    emu.faults.install({ targets: [{ rule: 'broken', error: { code: 'InternalException', message: 'target down', statusCode: 500 } }] });
    const { Entries } = await put('Broken', { k: 'v' });
    const d = await until(() => emu.observations.snapshot().eventDeliveries.find((x) => x.eventId === Entries![0]!.EventId), 'the failed delivery');
    expect(d).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'InternalException', message: 'target down' }, deadLetterArn: dlq.arn });
    const m = (await take(dlq.url, true))[0]!;
    expect(JSON.parse(m.Body!)).toMatchObject({ id: Entries![0]!.EventId, detail: { k: 'v' } });
    const attrs = Object.fromEntries(Object.entries(m.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toEqual({
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/broken',
      TARGET_ARN: 'arn:aws:sqs:us-east-1:000000000000:never-created-but-faulted',
      ERROR_CODE: 'InternalException',
      ERROR_MESSAGE: 'target down',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
    });
  });

  it('does not retry a target that does not exist: straight to the dead-letter queue', async () => {
    const dlq = await queue('missing-dlq');
    await rule('missing-target', 'Missing', [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:no-such-queue', DeadLetterConfig: { Arn: dlq.arn } }]);
    const { Entries } = await put('Missing');
    const d = await until(() => emu.observations.snapshot().eventDeliveries.find((x) => x.eventId === Entries![0]!.EventId), 'the failed delivery');
    expect(d).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'QueueDoesNotExist' } });
    const m = (await take(dlq.url, true))[0]!;
    expect(m.MessageAttributes!.RETRY_ATTEMPTS!.StringValue).toBe('0');
    expect(m.MessageAttributes!.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
  });
});

describe('schedules on the Clock', () => {
  it('fires a daily cron and a rate when virtual time reaches them, with virtual timestamps', async () => {
    const q = await queue('scheduled');
    const noon = Date.UTC(2026, 5, 2, 3, 0, 0);
    await events.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)' }));
    await events.send(new PutTargetsCommand({ Rule: 'nightly', Targets: [{ Id: 'q', Arn: q.arn }] }));
    // Idle virtual time does not race ahead to a schedule: nothing fires by itself.
    await new Promise((r) => setTimeout(r, 50));
    expect(await take(q.url)).toEqual([]);
    await clock.advance(noon - clock.now() + 1000);
    const body = await until(async () => (await take(q.url))[0]?.Body, 'the scheduled event');
    expect(JSON.parse(body)).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-06-02T03:00:00Z',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/nightly'],
      detail: {},
    });
    // The next day's firing follows another day later.
    await clock.advance(86_400_000);
    const next = await until(async () => (await take(q.url))[0]?.Body, 'the next firing');
    expect((JSON.parse(next) as { time: string }).time).toBe('2026-06-03T03:00:00Z');
  });
});

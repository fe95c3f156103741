/**
 * AWS services' own events and Step Functions' EventBridge tasks, end to end
 * over HTTP: S3 `Object Created`/`Object Deleted` from a bucket with
 * EventBridgeConfiguration, `Step Functions Execution Status Change` for
 * every status, `events:putEvents` (Resources appended, EventBridge.FailedEntry,
 * .waitForTaskToken) and `aws-sdk:eventbridge:putEvents`.
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, DeleteObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateStateMachineCommand, DescribeExecutionCommand, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { s3Client, sfnClient, sqsClient } from '../../support/clients.ts';

const ROLE = 'arn:aws:iam::000000000000:role/r';
let emu: Emulator;
let events: EventBridgeClient;
let sqs: SQSClient;
let sfn: SFNClient;

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A queue that receives what a rule with `pattern` matches. */
async function routedQueue(name: string, pattern: unknown): Promise<{ url: string; next(n?: number): Promise<Array<Record<string, unknown>>> }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'q', Arn: arn }] }));
  const got: Array<Record<string, unknown>> = [];
  return {
    url,
    async next(n = 1) {
      return until(async () => {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        for (const m of Messages ?? []) {
          got.push(JSON.parse(m.Body!) as Record<string, unknown>);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
        }
        return got.length >= n ? got.splice(0, n) : undefined;
      }, `${n} event(s) on ${name}`);
    },
  };
}

async function run(name: string, definition: unknown, input: unknown = {}) {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return { stateMachineArn: stateMachineArn!, executionArn: executionArn! };
}

async function finished(executionArn: string) {
  return until(async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  }, 'the execution to end');
}

beforeAll(async () => {
  emu = await startEmulator({ services: ['s3', 'sqs', 'events', 'states'], clock: 'virtual', log: false });
  events = new EventBridgeClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  sqs = sqsClient(emu.endpoint);
  sfn = sfnClient(emu.endpoint);
});
afterAll(async () => {
  await emu?.dispose();
});

describe('S3 → EventBridge', () => {
  it('sends Object Created and Object Deleted in the aws.s3 shape', async () => {
    const s3 = s3Client(emu.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'uploads', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    const q = await routedQueue('s3-events', { source: ['aws.s3'], detail: { bucket: { name: ['uploads'] } } });
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'raw/a b.jpg', Body: 'hello' }));
    const [created] = await q.next();
    expect(created).toMatchObject({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '000000000000',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::uploads'],
      detail: { version: '0', bucket: { name: 'uploads' }, object: { key: 'raw/a b.jpg', size: 5, etag: '5d41402abc4b2a76b9719d911017c592' }, reason: 'PutObject', requester: '000000000000' },
    });
    expect((created!.detail as { object: { sequencer: string } }).object.sequencer).toMatch(/^[0-9A-F]+$/);
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'raw/a b.jpg' }));
    const [deleted] = await q.next();
    expect(deleted).toMatchObject({ 'detail-type': 'Object Deleted', detail: { object: { key: 'raw/a b.jpg' }, reason: 'DeleteObject', 'deletion-type': 'Permanently Deleted' } });
  });
});

describe('Step Functions → EventBridge', () => {
  it('sends a status change when a Standard execution starts and when it ends, for each final status', async () => {
    const q = await routedQueue('sfn-status', { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], detail: { name: [{ prefix: 'status-' }] } });
    const ok = await run('ok-machine', { StartAt: 'P', States: { P: { Type: 'Pass', Result: { done: true }, End: true } } }, { n: 1 });
    await sfn.send(new StartExecutionCommand({ stateMachineArn: ok.stateMachineArn, name: 'status-ok', input: '{"n":1}' }));
    const got = await q.next(2);
    expect(got.map((e) => (e.detail as { status: string }).status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(got[1]).toMatchObject({
      source: 'aws.states',
      resources: [expect.stringMatching(/:execution:ok-machine:status-ok$/)],
      detail: { stateMachineArn: ok.stateMachineArn, name: 'status-ok', input: '{"n":1}', output: '{"done":true}', inputDetails: { included: true }, outputDetails: { included: true }, error: null, cause: null },
    });
    expect(typeof (got[1]!.detail as { stopDate: unknown }).stopDate).toBe('number');
    expect((got[0]!.detail as { stopDate: unknown }).stopDate).toBeNull();
    const bad = await sfn.send(new CreateStateMachineCommand({ name: 'bad-machine', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Oops', Cause: 'broken' } } }) }));
    await sfn.send(new StartExecutionCommand({ stateMachineArn: bad.stateMachineArn, name: 'status-bad' }));
    const [, failed] = await q.next(2);
    expect(failed).toMatchObject({ detail: { status: 'FAILED', error: 'Oops', cause: 'broken', output: null, outputDetails: null } });
    const slow = await sfn.send(new CreateStateMachineCommand({ name: 'slow-machine', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'W', TimeoutSeconds: 5, States: { W: { Type: 'Wait', Seconds: 60, End: true } } }) }));
    await sfn.send(new StartExecutionCommand({ stateMachineArn: slow.stateMachineArn, name: 'status-slow' }));
    const [, timedOut] = await q.next(2);
    expect((timedOut!.detail as { status: string }).status).toBe('TIMED_OUT');
    const waiting = await sfn.send(new CreateStateMachineCommand({ name: 'waiting-machine', roleArn: ROLE, definition: JSON.stringify({
      // A callback nobody answers keeps it running (a Wait would end at once on virtual time).
      StartAt: 'W',
      States: { W: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken', Parameters: { Entries: [{ Source: 'nobody', DetailType: 'x', Detail: { 't.$': '$$.Task.Token' } }] }, End: true } },
    }) }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting.stateMachineArn, name: 'status-stopped' }));
    await q.next();
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Manual', cause: 'stopped by the test' }));
    const [aborted] = await q.next();
    expect(aborted).toMatchObject({ detail: { status: 'ABORTED', error: 'Manual', cause: 'stopped by the test' } });
  });
});

describe('events:putEvents from a state machine', () => {
  it('delivers for real, with the execution and state machine ARNs appended to Resources', async () => {
    const q = await routedQueue('from-sfn', { source: ['app.pipeline'] });
    const definition = {
      StartAt: 'Emit',
      States: {
        Emit: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'app.pipeline', DetailType: 'Image Processed', 'Detail.$': '$', Resources: ['arn:aws:s3:::images/cat.jpg'] }] },
          End: true,
        },
      },
    };
    const { executionArn, stateMachineArn } = await run('emitter', definition, { key: 'cat.jpg' });
    const [event] = await q.next();
    expect(event).toMatchObject({ 'detail-type': 'Image Processed', detail: { key: 'cat.jpg' }, resources: ['arn:aws:s3:::images/cat.jpg', executionArn, stateMachineArn] });
    const d = await finished(executionArn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ Entries: [{ EventId: event!.id }], FailedEntryCount: 0 });
  });

  it('fails the task with EventBridge.FailedEntry when an entry is refused; aws-sdk:eventbridge does not', async () => {
    const optimised = await run('failing-emitter', {
      StartAt: 'Emit',
      States: { Emit: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: { Entries: [{ DetailType: 'x', Detail: {} }] }, End: true } },
    });
    const d = await finished(optimised.executionArn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('EventBridge.FailedEntry');
    expect(JSON.parse(d.cause!)).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InvalidArgument' }] });
    const sdk = await run('sdk-emitter', {
      StartAt: 'Emit',
      States: { Emit: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:eventbridge:putEvents', Parameters: { Entries: [{ DetailType: 'x', Detail: '{}' }] }, End: true } },
    });
    const s = await finished(sdk.executionArn);
    expect(s.status).toBe('SUCCEEDED');
    expect(JSON.parse(s.output!)).toMatchObject({ FailedEntryCount: 1 });
  });

  it('waits for a task token sent in the event (events:putEvents.waitForTaskToken)', async () => {
    const q = await routedQueue('token-events', { 'detail-type': ['Review Requested'] });
    const { executionArn } = await run('token-emitter', {
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
          Parameters: { Entries: [{ Source: 'app.review', DetailType: 'Review Requested', Detail: { 'token.$': '$$.Task.Token', 'image.$': '$.image' } }] },
          End: true,
        },
      },
    }, { image: 'dog.png' });
    const [event] = await q.next();
    const detail = event!.detail as { token: string; image: string };
    expect(detail.image).toBe('dog.png');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: detail.token, output: '{"approved":true}' }));
    const d = await finished(executionArn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ approved: true });
  });
});

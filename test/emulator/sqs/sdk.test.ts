/**
 * SQS driven by the AWS SDK v3 with its defaults (awsJson 1.0, body MD5
 * checks on send and receive), on a virtual clock the tests move.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { sqsClient } from '../../support/clients.ts';

const clock = new VirtualClock({ start: Date.UTC(2026, 4, 1, 12), autoAdvance: 'off' });
let emu: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs'], clock, log: false });
  sqs = sqsClient(emu.endpoint);
});
afterAll(async () => {
  sqs?.destroy();
  await emu?.dispose();
});
beforeEach(async () => {
  await emu.reset();
  clock.autoAdvance = 'off';
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

async function receive(url: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}): Promise<Message[]> {
  return (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...extra }))).Messages ?? [];
}

async function attrs(url: string): Promise<Record<string, string>> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
}

async function rejects(p: Promise<unknown>): Promise<{ name: string; message: string; Code?: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, ...(err.Code ? { Code: err.Code } : {}), ...(err.$metadata?.httpStatusCode ? { status: err.$metadata.httpStatusCode } : {}) };
  }
  throw new Error('expected the call to fail');
}

describe('queues', () => {
  it('creates a queue with AWS defaults; CreateQueue is idempotent only for the same attributes', async () => {
    const url = await queue('orders');
    expect(url).toBe(`${emu.endpoint}/000000000000/orders`);
    const a = await attrs(url);
    expect(a).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders',
      ApproximateNumberOfMessages: '0',
      VisibilityTimeout: '30',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
      CreatedTimestamp: String(Math.floor(clock.now() / 1000)),
    });
    expect(a.FifoQueue).toBeUndefined();
    expect(await queue('orders', { VisibilityTimeout: '30' })).toBe(url);
    const e = await rejects(queue('orders', { DelaySeconds: '5' }));
    expect(e).toMatchObject({ name: 'QueueNameExists', Code: 'QueueAlreadyExists', message: 'A queue already exists with the same name and a different value for attribute DelaySeconds' });
  });

  it('GetQueueUrl, ListQueues with a prefix and pages, DeleteQueue', async () => {
    for (const n of ['img-a', 'img-b', 'img-c', 'other']) await queue(n);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'img-b' }))).QueueUrl).toBe(`${emu.endpoint}/000000000000/img-b`);
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'img-' }));
    expect(all.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['img-a', 'img-b', 'img-c']);
    expect(all.NextToken).toBeUndefined();
    const p1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'img-', MaxResults: 2 }));
    expect(p1.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['img-a', 'img-b']);
    const p2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'img-', MaxResults: 2, NextToken: p1.NextToken }));
    expect(p2.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['img-c']);
    expect(p2.NextToken).toBeUndefined();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: `${emu.endpoint}/000000000000/img-a` }));
    const gone = await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'img-a' })));
    expect(gone).toMatchObject({ name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.', status: 400 });
    // A queue URL as written for AWS (a template, a recorded execution) names the same queue.
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/img-b', AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn).toContain(':img-b');
  });

  it('attributes: set, get by name, validation with SQS codes', async () => {
    const url = await queue('attrs');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '69', DelaySeconds: '420', MaximumMessageSize: '2048' } }));
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'DelaySeconds', 'MaximumMessageSize'] }))).Attributes;
    expect(a).toEqual({ VisibilityTimeout: '69', DelaySeconds: '420', MaximumMessageSize: '2048' });
    expect(await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } })))).toMatchObject({
      name: 'InvalidAttributeValue',
      message: 'Invalid value for the parameter VisibilityTimeout.',
    });
    expect(await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: 'red' } as never })))).toMatchObject({ name: 'InvalidAttributeName', message: 'Unknown Attribute Colour.' });
    expect(await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { ContentBasedDeduplication: 'true' } })))).toMatchObject({ name: 'InvalidAttributeName' });
    expect(await rejects(queue('bad name'))).toMatchObject({ name: 'InvalidParameterValue', message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length' });
    expect(await rejects(queue('no-suffix', { FifoQueue: 'true' }))).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('tags: CreateQueue tags, TagQueue, UntagQueue, ListQueueTags', async () => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'img' } }))).QueueUrl!;
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { env: 'test', team: 'media' } }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'media', env: 'test' });
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['team'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ env: 'test' });
  });

  it('PurgeQueue empties the queue; a second purge within 60 seconds is refused', async () => {
    const url = await queue('purged');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await attrs(url)).ApproximateNumberOfMessages).toBe('0');
    expect(await rejects(sqs.send(new PurgeQueueCommand({ QueueUrl: url })))).toMatchObject({ name: 'PurgeQueueInProgress', status: 403 });
    await clock.advance(60_000);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  });
});

describe('messages', () => {
  it('send, receive with attributes, delete; MD5s as SQS computes them', async () => {
    const url = await queue('msgs');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'msg',
        MessageAttributes: {
          Hello: { DataType: 'String', StringValue: 'There' },
          General: { DataType: 'String', StringValue: 'Kenobi' },
          'Help.Me': { DataType: 'String', StringValue: 'Me' },
        },
      }),
    );
    // Values recorded against AWS (localstack tests/aws/services/sqs/test_sqs.snapshot.json, test_receive_message_message_attribute_names_filters).
    expect(sent.MD5OfMessageBody).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(sent.MD5OfMessageAttributes).toBe('4c360f3fdafd970e05fae2f149d997f5');
    const [m] = await receive(url, { MessageAttributeNames: ['Hello', 'Help.*'] });
    expect(m).toMatchObject({ Body: 'msg', MD5OfBody: '6e2baaf3b97dbeef01c0043275f9a0e7', MessageId: sent.MessageId });
    // The digest covers the attributes returned: Hello and Help.Me (AWS: 83fee93c…).
    expect(m!.MD5OfMessageAttributes).toBe('83fee93c1bcd8b9a5a923ffacdc636c7');
    expect(Object.keys(m!.MessageAttributes ?? {}).sort()).toEqual(['Hello', 'Help.Me']);
    expect(m!.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(clock.now()) });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
    expect(await attrs(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('binary and number attributes round-trip; Foo=Bar digests to the AWS value', async () => {
    const url = await queue('typed');
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { Foo: { DataType: 'String', StringValue: 'Bar' } } }));
    expect(sent.MD5OfMessageAttributes).toBe('ae7155c6026991b6d54b11589678bf9c');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'y',
        MessageAttributes: { bytes: { DataType: 'Binary.gz', BinaryValue: Uint8Array.of(0, 1, 254) }, n: { DataType: 'Number.int', StringValue: '42' } },
      }),
    );
    const got = await receive(url, { MessageAttributeNames: ['All'] });
    const y = got.find((m) => m.Body === 'y')!;
    expect(Buffer.from(y.MessageAttributes!.bytes!.BinaryValue!)).toEqual(Buffer.from([0, 1, 254]));
    expect(y.MessageAttributes!.n).toMatchObject({ DataType: 'Number.int', StringValue: '42' });
  });

  it('visibility timeout on the clock: hidden while in flight, back with a higher receive count; ChangeMessageVisibility', async () => {
    const url = await queue('vis', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'work' }));
    const [first] = await receive(url);
    expect(await receive(url)).toEqual([]);
    expect((await attrs(url)).ApproximateNumberOfMessagesNotVisible).toBe('1');
    await clock.advance(29_999);
    expect(await receive(url)).toEqual([]);
    await clock.advance(1);
    const [second] = await receive(url, { VisibilityTimeout: 100 });
    expect(second!.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);
    // The older handle is accepted and deletes nothing (API_DeleteMessage).
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    expect((await attrs(url)).ApproximateNumberOfMessagesNotVisible).toBe('1');
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle, VisibilityTimeout: 0 }));
    const [third] = await receive(url);
    expect(third!.Attributes?.ApproximateReceiveCount).toBe('3');
    await clock.advance(30_000);
    const late = await rejects(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: third!.ReceiptHandle, VisibilityTimeout: 10 })));
    expect(late).toMatchObject({ name: 'MessageNotInflight', Code: 'AWS.SimpleQueueService.MessageNotInflight' });
    expect(await rejects(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })))).toMatchObject({ name: 'ReceiptHandleIsInvalid', status: 404 });
  });

  it('delays: per queue and per message, counted as delayed until they run out', async () => {
    const url = await queue('delayed', { DelaySeconds: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue delay' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'no delay', DelaySeconds: 0 }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'long delay', DelaySeconds: 900 }));
    expect(await attrs(url)).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '2' });
    expect((await receive(url, { VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual(['no delay']);
    await clock.advance(10_000);
    expect((await receive(url, { VisibilityTimeout: 0 })).map((m) => m.Body).sort()).toEqual(['no delay', 'queue delay']);
  });

  it('retention: a message older than MessageRetentionPeriod is gone', async () => {
    const url = await queue('short-lived', { MessageRetentionPeriod: '60' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'soon gone' }));
    await clock.advance(59_000);
    expect((await attrs(url)).ApproximateNumberOfMessages).toBe('1');
    await clock.advance(1000);
    expect((await attrs(url)).ApproximateNumberOfMessages).toBe('0');
    expect(await receive(url)).toEqual([]);
  });

  it('batches: per-entry failures in Failed[] with SQS codes; request-level batch errors', async () => {
    const url = await queue('batch');
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'late', MessageBody: 'x', DelaySeconds: 901 },
          { Id: 'bad-chars', MessageBody: 'a\u0000b' },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(out.Failed).toEqual([
      { Id: 'late', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('Value 901 for parameter DelaySeconds is invalid.') },
      { Id: 'bad-chars', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.stringContaining("Invalid binary character '#x0'") },
    ]);
    expect(await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })))).toMatchObject({ name: 'EmptyBatchRequest', Code: 'AWS.SimpleQueueService.EmptyBatchRequest' });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    expect(await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })))).toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
      message: 'Maximum number of entries per request are 10. You have sent 11.',
    });
    expect(await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })))).toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    expect(await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'no:colons', MessageBody: 'x' }] })))).toMatchObject({ name: 'InvalidBatchEntryId' });

    const got = await receive(url);
    const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'one', ReceiptHandle: got[0]!.ReceiptHandle }, { Id: 'two', ReceiptHandle: 'garbage' }] }));
    expect(del.Successful).toEqual([{ Id: 'one' }]);
    expect(del.Failed).toEqual([{ Id: 'two', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "garbage" is not a valid receipt handle.' }]);
  });
});

describe('FIFO queues', () => {
  it('orders per group, blocks a group while a message of it is in flight, numbers messages', async () => {
    const url = await queue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const seq: string[] = [];
    for (const [g, body] of [['a', 'a1'], ['b', 'b1'], ['a', 'a2'], ['a', 'a3'], ['b', 'b2']] as const) {
      seq.push((await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: g }))).SequenceNumber!);
    }
    expect(seq.map(BigInt)).toEqual([...seq.map(BigInt)].sort((x, y) => (x < y ? -1 : 1)));
    expect(seq[0]).toMatch(/^\d{20}$/);
    const first = await receive(url, { MaxNumberOfMessages: 2 });
    expect(first.map((m) => m.Body)).toEqual(['a1', 'a2']);
    expect(first[0]!.Attributes).toMatchObject({ MessageGroupId: 'a', SequenceNumber: seq[0], MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Group a is blocked while a1/a2 are in flight; b is served.
    expect((await receive(url)).map((m) => m.Body)).toEqual(['b1', 'b2']);
    expect(await receive(url)).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0]!.ReceiptHandle }));
    expect(await receive(url)).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[1]!.ReceiptHandle }));
    expect((await receive(url)).map((m) => m.Body)).toEqual(['a3']);
  });

  it('deduplicates for 5 minutes, by id or by content; an expired FIFO receipt cannot delete', async () => {
    const url = await queue('dedup.fifo', { FifoQueue: 'true' });
    const a = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'other body', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    expect(dup.MessageId).toBe(a.MessageId);
    expect(dup.SequenceNumber).toBe(a.SequenceNumber);
    await clock.advance(5 * 60_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    expect((await attrs(url)).ApproximateNumberOfMessages).toBe('2');
    const [m] = await receive(url, { MaxNumberOfMessages: 1, VisibilityTimeout: 5 });
    await clock.advance(5000);
    expect(await rejects(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle })))).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('Reason: The receipt handle has expired.'),
    });
    expect(await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })))).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    });
    expect(await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'z' })))).toMatchObject({ name: 'MissingParameter', message: 'The request must contain the parameter MessageGroupId.' });
    expect(await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'q', DelaySeconds: 2 })))).toMatchObject({
      message: 'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
    });
  });
});

describe('dead-letter queues', () => {
  it('moves a message received maxReceiveCount times to the dead-letter queue on the next receive', async () => {
    const dlq = await queue('work-dlq');
    const dlqArn = (await attrs(dlq)).QueueArn!;
    const url = await queue('work', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    for (let i = 1; i <= 2; i++) expect((await receive(url, { VisibilityTimeout: 0 }))[0]!.Attributes?.ApproximateReceiveCount).toBe(String(i));
    expect(await receive(url)).toEqual([]);
    const [dead] = await receive(dlq, { MessageAttributeNames: ['All'] });
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison', MD5OfMessageAttributes: sent.MD5OfMessageAttributes });
    expect(dead!.Attributes).toMatchObject({ DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work', ApproximateReceiveCount: '3' });
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([url]);
    const snap = emu.observations.snapshot();
    expect(snap.sqsDeadLetters).toEqual([expect.objectContaining({ sourceQueueArn: 'arn:aws:sqs:us-east-1:000000000000:work', deadLetterQueueArn: dlqArn, messageId: sent.MessageId, body: 'poison' })]);
  });

  it('rejects redrive policies SQS rejects', async () => {
    const dlq = await queue('t-dlq', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
    const arn = (await attrs(dlq)).QueueArn!;
    const policy = (p: unknown) => ({ RedrivePolicy: JSON.stringify(p) });
    expect(await rejects(queue('s1', policy({ deadLetterTargetArn: 'dummy', maxReceiveCount: 42 })))).toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('Reason: Invalid value for deadLetterTargetArn.') });
    expect(await rejects(queue('s2', policy({ deadLetterTargetArn: arn.replace('t-dlq', 'nope'), maxReceiveCount: 3 })))).toMatchObject({ message: expect.stringContaining('Dead letter target does not exist.') });
    expect(await rejects(queue('s3', policy({ deadLetterTargetArn: arn, maxReceiveCount: 0 })))).toMatchObject({ message: expect.stringContaining('Invalid value for maxReceiveCount: 0') });
    expect(await rejects(queue('s4', policy({ deadLetterTargetArn: arn, maxReceiveCount: 3 })))).toMatchObject({ message: expect.stringContaining('RedriveAllowPolicy') });
    expect(await rejects(queue('s5.fifo', { FifoQueue: 'true', ...policy({ deadLetterTargetArn: arn, maxReceiveCount: 3 }) }))).toMatchObject({ message: expect.stringContaining('same type') });
  });
});

describe('snapshot and restore', () => {
  it('puts queues, messages in flight, receive counts and the FIFO dedup window back as they were', async () => {
    const url = await queue('snap', { VisibilityTimeout: '60' });
    const fifo = await queue('snap.fifo', { FifoQueue: 'true' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in flight' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'visible' }));
    const [taken] = await receive(url, { MaxNumberOfMessages: 1 });
    const first = await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'f', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
    const id = await emu.snapshot();
    // What a scenario does afterwards: deletes, sends, creates, deletes a queue.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: taken!.ReceiptHandle }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later' }));
    await queue('created-later');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: fifo }));
    await emu.restore(id);
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.map((u) => u.split('/').pop())).toEqual(['snap', 'snap.fifo']);
    expect(await attrs(url)).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1' });
    // The in-flight message is still in flight under its old handle, which still deletes it.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: taken!.ReceiptHandle }));
    expect((await attrs(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');
    expect((await receive(url)).map((m) => m.Body)).toEqual(['visible']);
    // The deduplication window came back too.
    expect((await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'f', MessageGroupId: 'g', MessageDeduplicationId: 'd' }))).MessageId).toBe(first.MessageId);
  });
});

describe('long polls and the virtual clock', () => {
  it('an empty long poll ends when virtual time reaches WaitTimeSeconds, in milliseconds of real time', async () => {
    clock.autoAdvance = 'idle';
    const url = await queue('idle-poll');
    const t0 = clock.now();
    const realStart = Date.now();
    expect(await receive(url, { WaitTimeSeconds: 20 })).toEqual([]);
    expect(clock.now() - t0).toBe(20_000);
    expect(Date.now() - realStart).toBeLessThan(5000);
  });

  it('ends a waiting poll as soon as a message is sent, or its delay runs out', async () => {
    clock.autoAdvance = 'idle';
    const url = await queue('wake');
    const t0 = clock.now();
    const waiting = receive(url, { WaitTimeSeconds: 20 });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now', DelaySeconds: 5 }));
    const got = await waiting;
    expect(got.map((m) => m.Body)).toEqual(['now']);
    // The delay was the next timer: virtual time jumped there, not to the poll's end.
    expect(clock.now() - t0).toBe(5000);
  });

  it('ReceiveMessageWaitTimeSeconds makes every receive a long poll', async () => {
    clock.autoAdvance = 'idle';
    const url = await queue('default-wait', { ReceiveMessageWaitTimeSeconds: '7' });
    const t0 = clock.now();
    expect(await receive(url)).toEqual([]);
    expect(clock.now() - t0).toBe(7000);
  });

  it('a received message holds virtual time until it is deleted, so its visibility cannot run out under the worker', async () => {
    clock.autoAdvance = 'idle';
    const url = await queue('held', { VisibilityTimeout: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    const [m] = await receive(url);
    const t0 = clock.now();
    // Something else wants time to move (a Wait state, a retry back-off): it must wait for the worker.
    let fired = false;
    clock.setTimer(60_000, () => (fired = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(fired).toBe(false);
    expect(clock.now()).toBe(t0);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle }));
    await waitFor(() => fired);
    expect(clock.now() - t0).toBe(60_000);
  });

  it('a worker that asks again releases its hold; one that walks away holds time for the grace period only', async () => {
    clock.autoAdvance = 'idle';
    const url = await queue('walked-away', { VisibilityTimeout: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'job' }));
    await receive(url);
    // Asking again: the previous receipt no longer holds; the long poll lets time reach the visibility timeout.
    const again = await receive(url, { WaitTimeSeconds: 20 });
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    const t0 = clock.now();
    let fired = false;
    clock.setTimer(1000, () => (fired = true));
    const realStart = Date.now();
    await waitFor(() => fired, 6000);
    const held = Date.now() - realStart;
    expect(held).toBeGreaterThanOrEqual(1500);
    expect(clock.now() - t0).toBe(1000);
  });

  it('a long poll on a clock that stands still (a pending callback) ends after WaitTimeSeconds of real time', async () => {
    clock.autoAdvance = 'idle';
    const url = await queue('frozen');
    const release = clock.hold('callback', 'test: a pending task token');
    try {
      const t0 = clock.now();
      const realStart = Date.now();
      expect(await receive(url, { WaitTimeSeconds: 1 })).toEqual([]);
      expect(Date.now() - realStart).toBeGreaterThanOrEqual(900);
      expect(clock.now()).toBe(t0);
    } finally {
      release();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

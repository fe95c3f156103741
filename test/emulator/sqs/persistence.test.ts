/**
 * --data-dir: queues and their messages survive a restart — attributes, tags,
 * messages in flight under their receipt handles, receive counts, FIFO order
 * and the deduplication window — after a clean shutdown and after a crash
 * (the data directory as a killed process leaves it, a torn last line included).
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ListQueueTagsCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { sqsClient } from '../../support/clients.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(dataDir: string): Promise<{ emu: Emulator; sqs: SQSClient; close(): Promise<void> }> {
  const emu = await startEmulator({ services: ['sqs'], dataDir, clock: 'real', log: false });
  const sqs = sqsClient(emu.endpoint);
  return { emu, sqs, close: async () => (sqs.destroy(), await emu.dispose()) };
}

/** What the test leaves in the queues before the restart. */
async function populate(sqs: SQSClient) {
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: 'kept-dlq' }))).QueueUrl!;
  const url = (await sqs.send(
    new CreateQueueCommand({ QueueName: 'kept', Attributes: { VisibilityTimeout: '600', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:kept-dlq', maxReceiveCount: 5 }) }, tags: { team: 'img' } }),
  )).QueueUrl!;
  const fifo = (await sqs.send(new CreateQueueCommand({ QueueName: 'kept.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in flight', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
  const [taken] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!;
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'waiting' }));
  const deleted = (await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'deleted' }))).MessageId;
  const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages!;
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.find((m) => m.MessageId === deleted)!.ReceiptHandle }));
  const first = await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'f1', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
  await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'f2', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }));
  return { url, dlq, fifo, taken: taken!, firstFifo: first };
}

async function expectKept(sqs: SQSClient, before: Awaited<ReturnType<typeof populate>>): Promise<void> {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: before.url, AttributeNames: ['All'] }))).Attributes!;
  // 'waiting' was received in the batch that found 'deleted': in flight too.
  expect(a).toMatchObject({ VisibilityTimeout: '600', ApproximateNumberOfMessagesNotVisible: '2', ApproximateNumberOfMessages: '0', RedrivePolicy: expect.stringContaining('kept-dlq') });
  expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: before.url }))).Tags).toEqual({ team: 'img' });
  // The receipt handle given before the restart still deletes its message.
  await sqs.send(new DeleteMessageCommand({ QueueUrl: before.url, ReceiptHandle: before.taken.ReceiptHandle }));
  expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: before.url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }))).Attributes!.ApproximateNumberOfMessagesNotVisible).toBe('1');
  // FIFO: order, sequence numbers and the deduplication window.
  const dup = await sqs.send(new SendMessageCommand({ QueueUrl: before.fifo, MessageBody: 'again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
  expect(dup.MessageId).toBe(before.firstFifo.MessageId);
  const third = await sqs.send(new SendMessageCommand({ QueueUrl: before.fifo, MessageBody: 'f3', MessageGroupId: 'g', MessageDeduplicationId: 'd3' }));
  expect(BigInt(third.SequenceNumber!)).toBeGreaterThan(BigInt(before.firstFifo.SequenceNumber!));
  const fifoMessages = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: before.fifo, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages!;
  expect(fifoMessages.map((m) => m.Body)).toEqual(['f1', 'f2', 'f3']);
}

describe('SQS on --data-dir', () => {
  it('keeps queues and messages across a clean restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-sqs-data-'));
    dirs.push(dir);
    const a = await open(dir);
    const before = await populate(a.sqs);
    await a.close();
    const b = await open(dir);
    try {
      await expectKept(b.sqs, { ...before, url: before.url.replace(a.emu.endpoint, b.emu.endpoint), fifo: before.fifo.replace(a.emu.endpoint, b.emu.endpoint) });
    } finally {
      await b.close();
    }
  });

  it('keeps what was journalled when the process dies (a torn last line is ignored)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-sqs-data-'));
    const crashed = mkdtempSync(join(tmpdir(), 'rehearse-sqs-crash-'));
    dirs.push(dir, crashed);
    const a = await open(dir);
    try {
      const before = await populate(a.sqs);
      // The directory as a kill -9 now would leave it: no shutdown, a half-written line at the end.
      cpSync(dir, crashed, { recursive: true });
      appendFileSync(join(crashed, 'sqs', 'journal.jsonl'), '{"t":"add","q":"kept","m":{"messageId":"torn');
      const b = await open(crashed);
      try {
        await expectKept(b.sqs, { ...before, url: before.url.replace(a.emu.endpoint, b.emu.endpoint), fifo: before.fifo.replace(a.emu.endpoint, b.emu.endpoint) });
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });
});

/**
 * SNS fan-out to SQS queues over real HTTP with SDK v3: a subscribed queue
 * gets the notification document (AWS's members and spelling), or with
 * RawMessageDelivery the message itself with its attributes as SQS message
 * attributes; filter policies apply per subscription; a FIFO topic passes
 * its message group, deduplication and sequence number to a FIFO queue; a
 * queue ARN that is not one is refused; and a boto3 client subscribes too.
 */
import { CreateTopicCommand, PublishCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { boto3, HAS_BOTO3 } from '../secretsmanager/clients.ts';
import { clientConfig } from '../../support/clients.ts';

let emu: Emulator;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startEmulator({ services: ['sns', 'sqs'], log: false });
  sns = new SNSClient(clientConfig(emu.endpoint));
  sqs = new SQSClient(clientConfig(emu.endpoint));
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await emu?.dispose();
});
beforeEach(async () => {
  await emu.reset();
});

async function queue(name: string, fifo = false): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

/** Every message the queue holds (delivery is in-process, after Publish answered: asked until they are there). */
async function received(url: string, count: number) {
  const out = [];
  for (let i = 0; i < 100 && out.length < count; i++) {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }));
    out.push(...(page.Messages ?? []));
    if (out.length < count) await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}

describe('SNS → SQS subscriptions', () => {
  it('a queue gets the notification document; with RawMessageDelivery the message and its attributes', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn!;
    const plain = await queue('audit');
    const raw = await queue('workers');
    const audit = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: plain.arn, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: raw.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn: topic, Message: '{"order":7}', Subject: 'New order', MessageAttributes: { tier: { DataType: 'String', StringValue: 'gold' }, lines: { DataType: 'Number', StringValue: '3' } } }),
    );

    const [notification] = await received(plain.url, 1);
    const doc = JSON.parse(notification!.Body!) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);
    expect(doc).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn: topic,
      Subject: 'New order',
      Message: '{"order":7}',
      SignatureVersion: '1',
      UnsubscribeURL: `${emu.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(audit)}`,
      MessageAttributes: { tier: { Type: 'String', Value: 'gold' }, lines: { Type: 'Number', Value: '3' } },
    });
    expect(new Date(doc.Timestamp as string).toISOString()).toBe(doc.Timestamp);

    const [message] = await received(raw.url, 1);
    expect(message!.Body).toBe('{"order":7}');
    expect(message!.MessageAttributes).toEqual({ tier: { DataType: 'String', StringValue: 'gold' }, lines: { DataType: 'Number', StringValue: '3' } });
  });

  it('a filter policy chooses per subscription; a message without Subject or attributes has neither member', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'images' }))).TopicArn!;
    const big = await queue('big');
    const all = await queue('all');
    const sub = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: big.arn, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ size: [{ numeric: ['>', 1000] }] }) }));
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: all.arn }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'small', MessageAttributes: { size: { DataType: 'Number', StringValue: '10' } } }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'large', MessageAttributes: { size: { DataType: 'Number', StringValue: '5000' } } }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'bare' }));
    const everything = await received(all.url, 3);
    const docs = everything.map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(docs.map((d) => d.Message).sort()).toEqual(['bare', 'large', 'small']);
    const bare = docs.find((d) => d.Message === 'bare')!;
    expect(bare).not.toHaveProperty('Subject');
    expect(bare).not.toHaveProperty('MessageAttributes');
    expect((await received(big.url, 1)).map((m) => (JSON.parse(m.Body!) as { Message: string }).Message)).toEqual(['large']);
  });

  it('a FIFO topic passes its group, deduplication id and sequence number to a FIFO queue', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'ledger.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }))).TopicArn!;
    const q = await queue('ledger.fifo', true);
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const first = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'credit 5', MessageGroupId: 'acct-1' }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'debit 2', MessageGroupId: 'acct-1', MessageDeduplicationId: 'd-2' }));
    const messages = await received(q.url, 2);
    expect(messages.map((m) => [m.Body, m.Attributes?.MessageGroupId, m.Attributes?.MessageDeduplicationId])).toEqual([
      ['credit 5', 'acct-1', expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['debit 2', 'acct-1', 'd-2'],
    ]);
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
  });

  it('refuses an endpoint that is not a queue ARN, and a deleted queue loses the message without failing Publish', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'lost' }))).TopicArn!;
    await expect(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: 'https://sqs.us-east-1.amazonaws.com/000000000000/q' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: SQS endpoint ARN',
    });
    const gone = await queue('gone');
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: gone.arn }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
    await expect(sns.send(new PublishCommand({ TopicArn: topic, Message: 'x' }))).resolves.toMatchObject({ MessageId: expect.any(String) });
  });

  it.skipIf(!HAS_BOTO3)('boto3: subscribe a queue with raw delivery, publish, and the queue holds the message', async () => {
    const q = await queue('py');
    const r = await boto3(
      emu.endpoint,
      `
t = sns.create_topic(Name='py-topic')['TopicArn']
sns.subscribe(TopicArn=t, Protocol='sqs', Endpoint=${JSON.stringify(q.arn)}, Attributes={'RawMessageDelivery': 'true'})
sns.publish(TopicArn=t, Message='from python')
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await received(q.url, 1)).map((m) => m.Body)).toEqual(['from python']);
  });
});

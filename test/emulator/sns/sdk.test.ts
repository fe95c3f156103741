/**
 * SNS over real HTTP (awsQuery) with AWS SDK for JavaScript v3 (default settings).
 */
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  EmptyBatchRequestException,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
  BatchEntryIdsNotDistinctException,
  TooManyEntriesInBatchRequestException,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import type { ObservationsSnapshot } from '../../../harness/emulator/observations.ts';

async function observations(endpoint: string): Promise<ObservationsSnapshot> {
  const res = await fetch(`${endpoint}/_rehearse/observations`);
  expect(res.status).toBe(200);
  return (await res.json()) as ObservationsSnapshot;
}

async function rawQuery(endpoint: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: new URLSearchParams({ Version: '2010-03-31', ...form }).toString(),
  });
  return { status: res.status, text: await res.text() };
}

describe('SNS via SDK v3', () => {
  let emu: Emulator;
  let sns: SNSClient;
  const clock = new VirtualClock({ start: Date.UTC(2026, 4, 1), autoAdvance: 'off' });

  beforeAll(async () => {
    emu = await startEmulator({ services: ['sns'], clock, log: false });
    sns = new SNSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    sns?.destroy();
    await emu?.dispose();
  });
  beforeEach(async () => {
    await emu.reset();
  });

  it('CreateTopic is idempotent and refuses different attributes; attributes and tags come back', async () => {
    const a = await sns.send(new CreateTopicCommand({ Name: 'image-events', Attributes: { DisplayName: 'Images' }, Tags: [{ Key: 'team', Value: 'img' }] }));
    expect(a.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:image-events');
    const again = await sns.send(new CreateTopicCommand({ Name: 'image-events', Attributes: { DisplayName: 'Images' } }));
    expect(again.TopicArn).toBe(a.TopicArn);
    await expect(sns.send(new CreateTopicCommand({ Name: 'image-events', Attributes: { DisplayName: 'Other' } }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new CreateTopicCommand({ Name: 'bad name' }))).rejects.toBeInstanceOf(InvalidParameterException);

    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }))).Attributes!;
    expect(attrs).toMatchObject({ TopicArn: a.TopicArn, DisplayName: 'Images', Owner: '000000000000', SubscriptionsConfirmed: '0' });
    expect(JSON.parse(attrs['Policy']!)).toMatchObject({ Version: '2008-10-17' });
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: a.TopicArn }))).Tags).toEqual([{ Key: 'team', Value: 'img' }]);

    const fifo = await sns.send(new CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
    const p1 = await sns.send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: 'm', MessageGroupId: 'g' }));
    const p2 = await sns.send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: 'm2', MessageGroupId: 'g' }));
    expect(BigInt(p2.SequenceNumber!)).toBeGreaterThan(BigInt(p1.SequenceNumber!));
    await expect(sns.send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: 'm' }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('lists topics with paging and deletes them (deleting twice is not an error)', async () => {
    for (let i = 0; i < 105; i++) await sns.send(new CreateTopicCommand({ Name: `t-${String(i).padStart(3, '0')}` }));
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.Topics).toHaveLength(5);
    expect(second.NextToken).toBeUndefined();
    const arn = second.Topics![4]!.TopicArn!;
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('subscribes (lambda confirmed, email pending), lists and unsubscribes', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'notify' }));
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:notify-user';
    const lambdaSub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn, Attributes: { FilterPolicy: '{"kind":["done"]}' } }));
    expect(lambdaSub.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    const again = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn }));
    expect(again.SubscriptionArn).toBe(lambdaSub.SubscriptionArn);
    const email = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
    expect(email.SubscriptionArn).toBe('pending confirmation');
    await expect(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'not-an-arn' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new SubscribeCommand({ TopicArn: `${TopicArn}-nope`, Protocol: 'lambda', Endpoint: fn }))).rejects.toBeInstanceOf(NotFoundException);

    const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(byTopic.Subscriptions!.map((s) => [s.Protocol, s.Endpoint, s.SubscriptionArn])).toEqual([
      ['lambda', fn, lambdaSub.SubscriptionArn],
      ['email', 'ops@example.com', 'PendingConfirmation'],
    ]);
    const subAttrs = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: lambdaSub.SubscriptionArn }));
    expect(subAttrs.Attributes).toMatchObject({ FilterPolicy: '{"kind":["done"]}', Protocol: 'lambda', PendingConfirmation: 'false' });
    const topicAttrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect([topicAttrs['SubscriptionsConfirmed'], topicAttrs['SubscriptionsPending']]).toEqual(['1', '1']);

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: lambdaSub.SubscriptionArn }));
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions).toHaveLength(1);
    // Unsubscribing twice is not an error on AWS.
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: lambdaSub.SubscriptionArn }));
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions).toHaveLength(1);
  });

  it('publishes with every message attribute type; each message is observable with virtual time', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'published' }));
    const r = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Resized',
        Message: 'cat.jpg resized to 800x600 — ok',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'resized' },
          width: { DataType: 'Number', StringValue: '800' },
          raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]) },
          tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
          'custom.name': { DataType: 'String.custom', StringValue: 'x=y&z' },
        },
      }),
    );
    expect(r.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await sns.send(new PublishCommand({ TargetArn: TopicArn, Message: 'via TargetArn' }));

    const msgs = (await observations(emu.endpoint)).snsMessages;
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toEqual({
      topicArn: TopicArn,
      messageId: r.MessageId,
      message: 'cat.jpg resized to 800x600 — ok',
      subject: 'Resized',
      attributes: {
        kind: { DataType: 'String', StringValue: 'resized' },
        width: { DataType: 'Number', StringValue: '800' },
        raw: { DataType: 'Binary', StringValue: Buffer.from([1, 2, 3]).toString('base64') },
        tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
        'custom.name': { DataType: 'String.custom', StringValue: 'x=y&z' },
      },
      caller: 'client',
      time: clock.now(),
    });
    expect(msgs[1]!.message).toBe('via TargetArn');
  });

  it('rejects bad publishes with the AWS codes', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'strict' }));
    await expect(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(sns.send(new PublishCommand({ TopicArn, Message: '' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'line\nbreak' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: { n: { DataType: 'Date', StringValue: '1' } } }))).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
    await expect(sns.send(new PublishCommand({ TopicArn, Message: '{"x":1}', MessageStructure: 'json' }))).rejects.toBeInstanceOf(InvalidParameterException);
    expect((await observations(emu.endpoint)).snsMessages).toHaveLength(0);
  });

  it('PublishBatch reports per-entry success and failure, and batch-level errors', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'batch' }));
    const r = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'first', MessageAttributes: { k: { DataType: 'String', StringValue: 'v1' } } },
          { Id: 'two', Message: '' },
          { Id: 'three', Message: 'third', Subject: 'S' },
        ],
      }),
    );
    expect(r.Successful!.map((s) => s.Id)).toEqual(['one', 'three']);
    expect(r.Failed).toEqual([{ Id: 'two', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
    const msgs = (await observations(emu.endpoint)).snsMessages;
    expect(msgs.map((m) => [m.message, m.subject, m.attributes])).toEqual([
      ['first', undefined, { k: { DataType: 'String', StringValue: 'v1' } }],
      ['third', 'S', {}],
    ]);
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequestException);
    await expect(
      sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x' }, { Id: 'a', Message: 'y' }] })),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinctException);
    const eleven = [...Array(11).keys()].map((i) => ({ Id: `e${i}`, Message: 'x' }));
    await expect(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: eleven }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequestException);
  });

  it('answers malformed query requests with an XML error and keeps serving', async () => {
    const missingName = await rawQuery(emu.endpoint, { Action: 'CreateTopic' });
    expect(missingName.status).toBe(400);
    expect(missingName.text).toContain('<ErrorResponse');
    expect(missingName.text).toMatch(/<Code>ValidationError<\/Code>/);
    expect(missingName.text).toMatch(/Value null at (&apos;|')name(&apos;|')/);

    const unknownAction = await rawQuery(emu.endpoint, { Action: 'LaunchRocket' });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.text).toContain('<ErrorResponse');

    const noValueAttr = await rawQuery(emu.endpoint, {
      Action: 'Publish',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:none',
      Message: 'x',
      'MessageAttributes.entry.1.Name': 'k',
      'MessageAttributes.entry.1.Value.DataType': 'String',
    });
    expect(noValueAttr.status).toBe(400);
    expect(noValueAttr.text).toContain('<Code>ParameterValueInvalid</Code>');

    const ok = await rawQuery(emu.endpoint, { Action: 'CreateTopic', Name: 'still-works' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<TopicArn>arn:aws:sns:us-east-1:000000000000:still-works</TopicArn>');
    expect(ok.text).toContain('<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">');
  });
});

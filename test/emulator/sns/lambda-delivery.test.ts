/**
 * Publish → lambda subscriptions: the function is invoked asynchronously with
 * the SNS event record shape, filter policies decide who gets what. The
 * function runs behind a test LambdaInvoker (the Lambda service is not part of
 * this test); the request path is real HTTP with SDK v3.
 */
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand, PublishBatchCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import type { SnsLambdaEvent } from '../../../harness/emulator/sns/delivery.ts';
import { startFakeLambdaServer, type FakeLambdaServer } from '../secretsmanager/fake-lambda-server.ts';

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

describe('SNS delivery to lambda subscriptions', () => {
  const clock = new VirtualClock({ start: Date.UTC(2026, 5, 1, 8, 30), autoAdvance: 'off' });
  let server: FakeLambdaServer;
  let sns: SNSClient;
  const received = new Map<string, SnsLambdaEvent[]>();

  beforeAll(async () => {
    server = await startFakeLambdaServer(clock);
    sns = new SNSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    for (const name of ['all', 'only-done', 'big-images', 'body-filter']) {
      server.functions.set(name, {
        handler: async (event) => {
          received.set(name, [...(received.get(name) ?? []), event as SnsLambdaEvent]);
        },
      });
    }
  });
  afterAll(async () => {
    sns?.destroy();
    await server?.dispose();
  });
  beforeEach(() => {
    received.clear();
    server.invocations.length = 0;
  });

  it('invokes each matching function with the AWS SNS event record', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'deliveries' }));
    const all = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fnArn('all') }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fnArn('only-done'), Attributes: { FilterPolicy: '{"kind":["done"]}' } }));
    await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fnArn('big-images'), Attributes: { FilterPolicy: '{"width":[{"numeric":[">=",1000]}],"kind":[{"prefix":"re"}]}' } }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'lambda',
        Endpoint: fnArn('body-filter'),
        Attributes: { FilterPolicy: '{"image":{"format":["png"]}}', FilterPolicyScope: 'MessageBody' },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'nobody@example.com' }));

    const p1 = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Resized',
        Message: JSON.stringify({ image: { format: 'png' } }),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'resized' }, width: { DataType: 'Number', StringValue: '1200' } },
      }),
    );
    await sns.send(new PublishCommand({ TopicArn, Message: 'plain', MessageAttributes: { kind: { DataType: 'String', StringValue: 'done' } } }));
    await server.settled(5);

    expect(server.invocations.every((i) => i.invocationType === 'Event' && i.caller === 'sns')).toBe(true);
    expect(received.get('all')).toHaveLength(2);
    expect(received.get('only-done')!.map((e) => e.Records[0]!.Sns.Message)).toEqual(['plain']);
    expect(received.get('big-images')!.map((e) => e.Records[0]!.Sns.MessageId)).toEqual([p1.MessageId]);
    expect(received.get('body-filter')).toHaveLength(1);

    const event = received.get('all')![0]!;
    expect(event).toEqual({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: all.SubscriptionArn,
          Sns: {
            Type: 'Notification',
            MessageId: p1.MessageId,
            TopicArn,
            Subject: 'Resized',
            Message: '{"image":{"format":"png"}}',
            Timestamp: '2026-06-01T08:30:00.000Z',
            SignatureVersion: '1',
            Signature: expect.any(String),
            SigningCertUrl: expect.stringMatching(/^https:\/\/sns\.us-east-1\.amazonaws\.com\/.+\.pem$/),
            UnsubscribeUrl: `${server.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(all.SubscriptionArn!)}`,
            MessageAttributes: { kind: { Type: 'String', Value: 'resized' }, width: { Type: 'Number', Value: '1200' } },
          },
        },
      ],
    });
    expect(received.get('all')![1]!.Records[0]!.Sns.Subject).toBeNull();
  });

  it('MessageStructure=json sends the lambda key to lambda subscribers; PublishBatch delivers each entry', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'structured' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fnArn('all') }));
    await sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for everyone', lambda: 'for lambdas' }) }));
    await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'b1' }, { Id: 'b', Message: 'b2' }] }));
    await server.settled(3);
    expect(received.get('all')!.map((e) => e.Records[0]!.Sns.Message)).toEqual(['for lambdas', 'b1', 'b2']);
  });
});

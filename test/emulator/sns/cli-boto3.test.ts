/**
 * SNS driven by the AWS CLI v2 and boto3: proves the awsQuery parameter
 * flattening (`MessageAttributes.entry.N.*`, `Attributes.entry.N.*`,
 * `PublishBatchRequestEntries.member.N.*`, `Tags.member.N.*`) as those
 * clients send it is read back exactly.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import type { ObservationsSnapshot } from '../../../harness/emulator/observations.ts';
import { awsCli, boto3, HAS_BOTO3, HAS_CLI } from '../secretsmanager/clients.ts';

async function observations(endpoint: string): Promise<ObservationsSnapshot> {
  return (await (await fetch(`${endpoint}/_rehearse/observations`)).json()) as ObservationsSnapshot;
}

describe('SNS via other clients', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ services: ['sns'], log: false });
  });
  afterAll(async () => {
    await emu?.dispose();
  });
  beforeEach(async () => {
    await emu.reset();
  });

  it.skipIf(!HAS_CLI)('AWS CLI v2: create-topic, subscribe, publish with attributes, list, errors', async () => {
    const cli = (...args: string[]) => awsCli(emu.endpoint, ['sns', ...args]);
    const created = await cli('create-topic', '--name', 'cli-topic', '--attributes', 'DisplayName=Cli Topic', '--tags', 'Key=team,Value=img');
    expect(created.exitCode, created.stderr).toBe(0);
    const topicArn = (created.json as { TopicArn: string }).TopicArn;
    expect(topicArn).toBe('arn:aws:sns:us-east-1:000000000000:cli-topic');

    const sub = await cli('subscribe', '--topic-arn', topicArn, '--protocol', 'lambda', '--notification-endpoint', 'arn:aws:lambda:us-east-1:000000000000:function:f');
    expect((sub.json as { SubscriptionArn: string }).SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:cli-topic:/);

    const attrs = JSON.stringify({
      kind: { DataType: 'String', StringValue: 'resized & ready' },
      width: { DataType: 'Number', StringValue: '800' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi').toString('base64') },
    });
    const pub = await cli('publish', '--topic-arn', topicArn, '--subject', 'Hello', '--message', 'line one\nline two', '--message-attributes', attrs);
    expect(pub.exitCode, pub.stderr).toBe(0);
    const messageId = (pub.json as { MessageId: string }).MessageId;

    const got = await cli('get-topic-attributes', '--topic-arn', topicArn);
    expect((got.json as { Attributes: Record<string, string> }).Attributes).toMatchObject({ DisplayName: 'Cli Topic', SubscriptionsConfirmed: '1' });

    const topics = await cli('list-topics');
    expect((topics.json as { Topics: Array<{ TopicArn: string }> }).Topics).toEqual([{ TopicArn: topicArn }]);

    const missing = await cli('publish', '--topic-arn', `${topicArn}-nope`, '--message', 'x');
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('NotFound');

    const msgs = (await observations(emu.endpoint)).snsMessages;
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({
      topicArn,
      messageId,
      message: 'line one\nline two',
      subject: 'Hello',
      attributes: {
        kind: { DataType: 'String', StringValue: 'resized & ready' },
        width: { DataType: 'Number', StringValue: '800' },
        blob: { DataType: 'Binary', StringValue: Buffer.from('hi').toString('base64') },
      },
    });
  }, 300_000);

  it.skipIf(!HAS_BOTO3)('boto3: topics, attributes, subscriptions, publish, publish_batch and modelled exceptions', async () => {
    const r = await boto3(
      emu.endpoint,
      `
t = sns.create_topic(Name='py-topic', Attributes={'DisplayName': 'Py'}, Tags=[{'Key': 'a', 'Value': 'b'}])['TopicArn']
out(t)
out(sns.create_topic(Name='py-topic')['TopicArn'] == t)
out(sns.get_topic_attributes(TopicArn=t)['Attributes']['DisplayName'])
s = sns.subscribe(TopicArn=t, Protocol='lambda', Endpoint='arn:aws:lambda:us-east-1:000000000000:function:py', Attributes={'FilterPolicy': '{"k":["v"]}'})['SubscriptionArn']
out(sns.get_subscription_attributes(SubscriptionArn=s)['Attributes']['FilterPolicy'])
out(len(sns.list_subscriptions_by_topic(TopicArn=t)['Subscriptions']))
p = sns.publish(TopicArn=t, Message='hello from boto3', MessageAttributes={
    'k': {'DataType': 'String', 'StringValue': 'v'},
    'n': {'DataType': 'Number', 'StringValue': '-1.5e3'},
    'bin': {'DataType': 'Binary', 'BinaryValue': b'\\x00\\x01'},
    'arr': {'DataType': 'String.Array', 'StringValue': '["x", 1]'},
})
out(p['MessageId'])
b = sns.publish_batch(TopicArn=t, PublishBatchRequestEntries=[
    {'Id': 'first', 'Message': 'm1', 'MessageAttributes': {'k': {'DataType': 'String', 'StringValue': 'b1'}}},
    {'Id': 'second', 'Message': 'm2', 'Subject': 'subj'},
])
out([x['Id'] for x in b['Successful']])
try:
    sns.publish(TopicArn=t + 'x', Message='m')
    out('no error')
except sns.exceptions.NotFoundException as e:
    out(['NotFoundException', e.response['Error']['Code']])
out(err(lambda: sns.publish(TopicArn=t, Message='m', MessageAttributes={'n': {'DataType': 'Number', 'StringValue': 'NaNx'}})))
sns.unsubscribe(SubscriptionArn=s)
sns.delete_topic(TopicArn=t)
out(len(sns.list_topics()['Topics']))
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const [topicArn, same, displayName, filter, subCount, messageId, batchIds, notFound, badNumber, topicsLeft] = r.json as unknown[];
    expect(topicArn).toBe('arn:aws:sns:us-east-1:000000000000:py-topic');
    expect(same).toBe(true);
    expect(displayName).toBe('Py');
    expect(filter).toBe('{"k":["v"]}');
    expect(subCount).toBe(1);
    expect(batchIds).toEqual(['first', 'second']);
    expect(notFound).toEqual(['NotFoundException', 'NotFound']);
    expect(badNumber).toMatchObject({ code: 'ParameterValueInvalid', status: 400 });
    expect(topicsLeft).toBe(0);

    const msgs = (await observations(emu.endpoint)).snsMessages;
    expect(msgs.map((m) => m.message)).toEqual(['hello from boto3', 'm1', 'm2']);
    expect(msgs[0]).toMatchObject({
      messageId,
      attributes: {
        k: { DataType: 'String', StringValue: 'v' },
        n: { DataType: 'Number', StringValue: '-1.5e3' },
        bin: { DataType: 'Binary', StringValue: 'AAE=' },
        arr: { DataType: 'String.Array', StringValue: '["x", 1]' },
      },
    });
    expect(msgs[1]!.attributes).toEqual({ k: { DataType: 'String', StringValue: 'b1' } });
    expect(msgs[2]!.subject).toBe('subj');
  });
});

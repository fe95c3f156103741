/**
 * EventBridge through SDK v3 with default settings, over HTTP to the
 * embedded endpoint: buses, rules, targets, PutEvents routed to an SQS
 * queue, TestEventPattern, tags, and the errors AWS answers with.
 */
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  LimitExceededException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';

let emu: Emulator;
let events: EventBridgeClient;
let sqs: SQSClient;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

async function receiveAll(url: string): Promise<string[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  return (out.Messages ?? []).map((m) => m.Body!);
}

beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs', 'events'], clock: 'virtual', log: false, seed: 1 });
  events = new EventBridgeClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
  sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  await emu?.dispose();
});

describe('event buses', () => {
  it('has the default bus and creates, describes, lists and deletes custom ones', async () => {
    const d = await events.send(new DescribeEventBusCommand({}));
    expect(d).toMatchObject({ Name: 'default', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' });
    const created = await events.send(new CreateEventBusCommand({ Name: 'orders', Description: 'order events', Tags: [{ Key: 'team', Value: 'shop' }] }));
    expect(created.EventBusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/orders');
    await expect(events.send(new CreateEventBusCommand({ Name: 'orders' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const byArn = await events.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(byArn.Description).toBe('order events');
    expect(byArn.CreationTime).toBeInstanceOf(Date);
    const listed = await events.send(new ListEventBusesCommand({ NamePrefix: 'ord' }));
    expect(listed.EventBuses!.map((b) => b.Name)).toEqual(['orders']);
    const tags = await events.send(new ListTagsForResourceCommand({ ResourceARN: created.EventBusArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'shop' }]);
    await events.send(new PutRuleCommand({ Name: 'on-bus', EventBusName: 'orders', EventPattern: '{"source":["shop"]}' }));
    await expect(events.send(new DeleteEventBusCommand({ Name: 'orders' }))).rejects.toThrow("EventBus can't be deleted since it has rules.");
    await events.send(new DeleteRuleCommand({ Name: 'on-bus', EventBusName: 'orders' }));
    await events.send(new DeleteEventBusCommand({ Name: 'orders' }));
    await expect(events.send(new DescribeEventBusCommand({ Name: 'orders' }))).rejects.toThrow('Event bus orders does not exist.');
    await expect(events.send(new DeleteEventBusCommand({ Name: 'default' }))).rejects.toThrow('Cannot delete event bus default.');
  });
});

describe('rules and targets', () => {
  it('puts, describes, lists, disables and deletes a rule; DeleteRule refuses while targets exist', async () => {
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: 'uploads', EventPattern: JSON.stringify({ source: ['app.uploads'] }), Description: 'd', Tags: [{ Key: 'k', Value: 'v' }] }));
    expect(RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/uploads');
    expect(await events.send(new DescribeRuleCommand({ Name: 'uploads' }))).toMatchObject({ Name: 'uploads', State: 'ENABLED', EventBusName: 'default', CreatedBy: '000000000000', Description: 'd' });
    await events.send(new DisableRuleCommand({ Name: 'uploads' }));
    expect((await events.send(new DescribeRuleCommand({ Name: 'uploads' }))).State).toBe('DISABLED');
    await events.send(new EnableRuleCommand({ Name: 'uploads' }));
    const rules = await events.send(new ListRulesCommand({ NamePrefix: 'up' }));
    expect(rules.Rules!.map((r) => r.Name)).toEqual(['uploads']);
    const q = await queue('rules-target');
    const put = await events.send(new PutTargetsCommand({ Rule: 'uploads', Targets: [{ Id: 'q', Arn: q.arn }] }));
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'uploads' }))).Targets).toEqual([{ Id: 'q', Arn: q.arn }]);
    await expect(events.send(new DeleteRuleCommand({ Name: 'uploads' }))).rejects.toThrow("Rule can't be deleted since it has targets.");
    const removed = await events.send(new RemoveTargetsCommand({ Rule: 'uploads', Ids: ['q', 'never-there'] }));
    expect(removed.FailedEntryCount).toBe(0);
    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'x', Value: 'y' }] }));
    await events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['k'] }));
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: 'x', Value: 'y' }]);
    await events.send(new DeleteRuleCommand({ Name: 'uploads' }));
    await expect(events.send(new DescribeRuleCommand({ Name: 'uploads' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a bad pattern, a sixth target, a schedule on a custom bus and a bad schedule', async () => {
    const bad = events.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"not-an-array"}' }));
    await expect(bad).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(bad).rejects.toThrow(/^Event pattern is not valid\. Reason: /);
    await events.send(new PutRuleCommand({ Name: 'many', EventPattern: '{"source":["x"]}' }));
    const targets = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: `arn:aws:sqs:us-east-1:000000000000:q${i}` }));
    await expect(events.send(new PutTargetsCommand({ Rule: 'many', Targets: targets }))).rejects.toBeInstanceOf(LimitExceededException);
    await events.send(new CreateEventBusCommand({ Name: 'custom' }));
    await expect(events.send(new PutRuleCommand({ Name: 's', EventBusName: 'custom', ScheduleExpression: 'rate(5 minutes)' }))).rejects.toThrow('ScheduleExpression is supported only on the default event bus.');
    for (const expr of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 hours)', 'cron(0 10 * * * *)', 'cron(0 10 ? * ? *)', 'cron(0 10 * *)', 'cron(0 25 * * ? *)', 'cron(0 10 ? * 2#1,3#2 *)', 'every day']) {
      await expect(events.send(new PutRuleCommand({ Name: 's', ScheduleExpression: expr })), expr).rejects.toThrow('Parameter ScheduleExpression is not valid.');
    }
    for (const expr of ['rate(1 minute)', 'rate(2 days)', 'cron(0 10 * * ? *)', 'cron(0/15 8-17 ? * MON-FRI *)', 'cron(0 12 L * ? 2030-2040)', 'cron(15 10 ? * 6L *)', 'cron(0 9 15W * ? *)', 'cron(0 9 ? * 3#2 *)']) {
      await events.send(new PutRuleCommand({ Name: 'good', ScheduleExpression: expr }));
    }
  });
});

describe('PutEvents', () => {
  it('routes matching events to an SQS target, with per-entry errors for bad entries', async () => {
    const q = await queue('routed');
    await events.send(new PutRuleCommand({ Name: 'big-orders', EventPattern: JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>', 100] }] } }) }));
    await events.send(new PutTargetsCommand({ Rule: 'big-orders', Targets: [{ Id: 'q', Arn: q.arn }] }));
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'shop', DetailType: 'Order Placed', Detail: JSON.stringify({ total: 250 }), Resources: ['arn:aws:shop:order/1'], Time: new Date('2026-01-02T03:04:05Z') },
          { Source: 'shop', DetailType: 'Order Placed', Detail: JSON.stringify({ total: 5 }) },
          { DetailType: 'x', Detail: '{}' },
          { Source: 'shop', DetailType: 'x', Detail: '[1,2]' },
          { Source: 'shop', DetailType: 'x', Detail: '{not json' },
          { Source: 'aws.s3', DetailType: 'x', Detail: '{}' },
          { Source: 'shop', DetailType: 'x', Detail: '{}', EventBusName: 'nope' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries!.slice(2)).toEqual([
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
    ]);
    const bodies = (await receiveAll(q.url)).map((b) => JSON.parse(b) as Record<string, unknown>);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toEqual({
      version: '0',
      id: out.Entries![0]!.EventId,
      'detail-type': 'Order Placed',
      source: 'shop',
      account: '000000000000',
      time: '2026-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: ['arn:aws:shop:order/1'],
      detail: { total: 250 },
    });
  });

  it('refuses more than 256 KB in one request and more than 10 entries', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(140_000) });
    await expect(events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: big }, { Source: 's', DetailType: 'd', Detail: big }] }))).rejects.toThrow(
      'Total size of the entries in the request is over the limit.',
    );
    const eleven = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    await expect(events.send(new PutEventsCommand({ Entries: eleven }))).rejects.toThrow(/at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10/);
  });

  it('transforms the input per target: Input, InputPath, InputTransformer with reserved variables', async () => {
    const q = await queue('shaped');
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: 'shape', EventPattern: '{"detail-type":["Shape"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'shape',
        Targets: [
          { Id: 'const', Arn: q.arn, Input: '{"fixed":true}' },
          { Id: 'path', Arn: q.arn, InputPath: '$.detail.item' },
          {
            Id: 'tmpl',
            Arn: q.arn,
            InputTransformer: {
              InputPathsMap: { name: '$.detail.item.name', n: '$.detail.n' },
              InputTemplate: '{"who": <name>, "count": <n>, "text": "<name> x <n>", "rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>"}',
            },
          },
          { Id: 'str', Arn: q.arn, InputTransformer: { InputPathsMap: { name: '$.detail.item.name' }, InputTemplate: '"hello <name>"' } },
        ],
      }),
    );
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'shapes', DetailType: 'Shape', Detail: JSON.stringify({ item: { name: 'cube' }, n: 3 }) }] }));
    const bodies = await receiveAll(q.url);
    expect(bodies.sort()).toEqual(
      [
        '{"fixed":true}',
        '{"name":"cube"}',
        `{"who": "cube", "count": 3, "text": "cube x 3", "rule": "shape", "arn": "${RuleArn}"}`,
        '"hello cube"',
      ].sort(),
    );
  });

  it('refuses conflicting or broken input settings on PutTargets', async () => {
    await events.send(new PutRuleCommand({ Name: 'inputs', EventPattern: '{"source":["x"]}' }));
    const arn = 'arn:aws:sqs:us-east-1:000000000000:whatever';
    await expect(events.send(new PutTargetsCommand({ Rule: 'inputs', Targets: [{ Id: 'a', Arn: arn, Input: '{}', InputPath: '$.detail' }] }))).rejects.toThrow('Only one of Input, InputPath, or InputTransformer can be provided for target a.');
    await expect(events.send(new PutTargetsCommand({ Rule: 'inputs', Targets: [{ Id: 'a', Arn: arn, Input: '{nope' }] }))).rejects.toThrow('Input for target a is not valid JSON text.');
    await expect(
      events.send(new PutTargetsCommand({ Rule: 'inputs', Targets: [{ Id: 'a', Arn: arn, InputTransformer: { InputPathsMap: { k: '$.detail.k' }, InputTemplate: '{<k>: 1}' } }] })),
    ).rejects.toThrow('the placeholder <k> cannot be used as an object key');
    await expect(events.send(new PutTargetsCommand({ Rule: 'missing', Targets: [{ Id: 'a', Arn: arn }] }))).rejects.toThrow('Rule missing does not exist on EventBus default.');
  });
});

describe('TestEventPattern', () => {
  const event = JSON.stringify({ id: '1', account: '000000000000', source: 'shop', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'Order', detail: { total: 7, tags: ['a', 'b'] } });
  it('answers whether an event matches, and refuses a bad pattern or event', async () => {
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"tags":["b"]}}', Event: event }))).Result).toBe(true);
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"total":[{"numeric":[">",10]}]}}', Event: event }))).Result).toBe(false);
    await expect(events.send(new TestEventPatternCommand({ EventPattern: '{"detail":1}', Event: event }))).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(events.send(new TestEventPatternCommand({ EventPattern: '{"source":["shop"]}', Event: '{"source":"shop"}' }))).rejects.toThrow(/Parameter Event is not valid/);
  });
});

/**
 * EventBridge driven by Debian's AWS CLI v2 (2.9) and boto3 (botocore 1.29),
 * over HTTP to the embedded endpoint: both speak awsJson 1.1 to `events`
 * with their own models, so this proves that what we answer parses as they
 * expect it (timestamps as epoch seconds, FailedEntries, per-entry errors,
 * paging tokens) and that each error code reaches them as the modelled
 * exception with its message. Events are routed to SQS queues, read back with
 * the same client (query protocol).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { hasAwsCli, hasBoto3, runAwsCli, runBoto3 } from '../../support/clients.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs', 'events'], clock: 'virtual', log: false, seed: 7 });
});
afterAll(async () => {
  await emu?.dispose();
});
beforeEach(async () => {
  await emu.reset();
});

async function cli(...args: string[]): Promise<{ exitCode: number; json: unknown; stderr: string }> {
  const r = await runAwsCli(emu.endpoint, [...args, '--output', 'json']);
  return { exitCode: r.exitCode, stderr: r.stderr, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
}

/** `cli` that must succeed. */
async function ok(...args: string[]): Promise<Record<string, unknown>> {
  const r = await cli(...args);
  expect(r.exitCode, `${args.slice(0, 2).join(' ')}: ${r.stderr}`).toBe(0);
  return (r.json ?? {}) as Record<string, unknown>;
}

/** `cli` that must fail with this error code; its message. */
async function fails(code: string, ...args: string[]): Promise<string> {
  const r = await cli(...args);
  expect(r.exitCode, `${args.slice(0, 2).join(' ')} should fail`).not.toBe(0);
  // botocore retries the codes it counts as throttling (LimitExceededException among them), as it would against AWS.
  const m = /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)/.exec(r.stderr);
  expect(m?.[1], r.stderr).toBe(code);
  return m![3]!.trim();
}

const SAMPLE_EVENT = JSON.stringify({
  id: '1',
  account: '000000000000',
  source: 'shop',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  'detail-type': 'Order Placed',
  detail: { total: 250, customer: { tier: 'GOLD' } },
});

describe('EventBridge through the AWS CLI v2', () => {
  it.skipIf(!hasAwsCli)('put-rule, put-targets, put-events routed to SQS, list/describe, test-event-pattern, remove-targets, delete-rule', async () => {
    const queueUrl = (await ok('sqs', 'create-queue', '--queue-name', 'cli-orders')).QueueUrl as string;
    const queueArn = 'arn:aws:sqs:us-east-1:000000000000:cli-orders';
    await ok('events', 'create-event-bus', '--name', 'shop', '--tags', 'Key=team,Value=shop');

    const pattern = JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>=', 100] }], customer: { tier: [{ 'equals-ignore-case': 'gold' }] } } });
    const put = await ok('events', 'put-rule', '--name', 'big-orders', '--event-bus-name', 'shop', '--event-pattern', pattern, '--description', 'orders over 100');
    expect(put).toEqual({ RuleArn: 'arn:aws:events:us-east-1:000000000000:rule/shop/big-orders' });
    await ok('events', 'put-rule', '--name', 'nightly', '--schedule-expression', 'cron(0 3 * * ? *)', '--state', 'DISABLED');

    const targets = await ok('events', 'put-targets', '--rule', 'big-orders', '--event-bus-name', 'shop', '--targets', `Id=q,Arn=${queueArn}`, `Id=shaped,Arn=${queueArn},InputPath=$.detail.customer`);
    expect(targets).toEqual({ FailedEntryCount: 0, FailedEntries: [] });

    // The CLI sends Time as epoch seconds; the event carries it back as ISO 8601.
    const entries = [
      { Source: 'shop', DetailType: 'Order Placed', Detail: JSON.stringify({ total: 250, customer: { tier: 'Gold' } }), EventBusName: 'shop', Time: '2026-03-04T05:06:07Z', Resources: ['arn:aws:shop:::order/1'] },
      { Source: 'shop', DetailType: 'Order Placed', Detail: JSON.stringify({ total: 5, customer: { tier: 'Gold' } }), EventBusName: 'shop' },
      { Source: 'shop', DetailType: 'Order Placed', Detail: '{oops', EventBusName: 'shop' },
    ];
    const sent = await ok('events', 'put-events', '--entries', JSON.stringify(entries));
    expect(sent.FailedEntryCount).toBe(1);
    const results = sent.Entries as Array<Record<string, string>>;
    expect(results[0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[2]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });

    const got = await ok('sqs', 'receive-message', '--queue-url', queueUrl, '--max-number-of-messages', '10');
    const bodies = (got.Messages as Array<{ Body: string }>).map((m) => JSON.parse(m.Body) as Record<string, unknown>);
    expect(bodies).toHaveLength(2);
    expect(bodies).toContainEqual({ tier: 'Gold' });
    expect(bodies).toContainEqual({
      version: '0',
      id: results[0]!.EventId,
      'detail-type': 'Order Placed',
      source: 'shop',
      account: '000000000000',
      time: '2026-03-04T05:06:07Z',
      region: 'us-east-1',
      resources: ['arn:aws:shop:::order/1'],
      detail: { total: 250, customer: { tier: 'Gold' } },
    });

    const described = await ok('events', 'describe-rule', '--name', 'big-orders', '--event-bus-name', 'arn:aws:events:us-east-1:000000000000:event-bus/shop');
    expect(described).toEqual({
      Name: 'big-orders',
      Arn: 'arn:aws:events:us-east-1:000000000000:rule/shop/big-orders',
      EventPattern: pattern,
      State: 'ENABLED',
      Description: 'orders over 100',
      EventBusName: 'shop',
      CreatedBy: '000000000000',
    });
    const listed = await ok('events', 'list-rules');
    expect((listed.Rules as Array<Record<string, string>>).map((r) => [r.Name, r.ScheduleExpression, r.State])).toEqual([['nightly', 'cron(0 3 * * ? *)', 'DISABLED']]);
    // The CLI pages with NextToken on its own: --page-size 1 still lists both targets.
    const byRule = await ok('events', 'list-targets-by-rule', '--rule', 'big-orders', '--event-bus-name', 'shop', '--page-size', '1');
    expect(byRule.Targets).toEqual([{ Id: 'q', Arn: queueArn }, { Id: 'shaped', Arn: queueArn, InputPath: '$.detail.customer' }]);
    const buses = await ok('events', 'list-event-buses');
    expect((buses.EventBuses as Array<{ Name: string }>).map((b) => b.Name)).toEqual(['default', 'shop']);
    const bus = await ok('events', 'describe-event-bus', '--name', 'shop');
    // CLI 2.9's model predates CreationTime/LastModifiedTime on buses: members it does not know are dropped, not an error.
    expect(bus).toEqual({ Name: 'shop', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/shop' });

    expect(await ok('events', 'test-event-pattern', '--event-pattern', pattern, '--event', SAMPLE_EVENT)).toEqual({ Result: true });
    expect(await ok('events', 'test-event-pattern', '--event-pattern', '{"detail":{"total":[{"numeric":["<",100]}]}}', '--event', SAMPLE_EVENT)).toEqual({ Result: false });

    // Errors as the CLI reports them: the code in parentheses, our message after it.
    expect(await fails('ValidationException', 'events', 'delete-rule', '--name', 'big-orders', '--event-bus-name', 'shop')).toBe("Rule can't be deleted since it has targets.");
    expect(await fails('InvalidEventPatternException', 'events', 'put-rule', '--name', 'bad', '--event-pattern', '{"source":"shop"}')).toBe('Event pattern is not valid. Reason: "source" must be an object or an array at source');
    expect(await fails('ResourceNotFoundException', 'events', 'describe-rule', '--name', 'big-orders')).toBe('Rule big-orders does not exist on EventBus default.');
    expect(await fails('ResourceNotFoundException', 'events', 'put-rule', '--name', 'x', '--event-bus-name', 'nope', '--event-pattern', '{"source":["a"]}')).toBe('Event bus nope does not exist.');
    expect(await fails('ValidationException', 'events', 'put-rule', '--name', 'x', '--event-bus-name', 'shop', '--schedule-expression', 'rate(5 minutes)')).toBe('ScheduleExpression is supported only on the default event bus.');
    expect(await fails('ValidationException', 'events', 'put-rule', '--name', 'x', '--schedule-expression', 'rate(1 minutes)')).toBe('Parameter ScheduleExpression is not valid.');
    const six = Array.from({ length: 4 }, (_, i) => `Id=t${i},Arn=${queueArn}`);
    expect(await fails('LimitExceededException', 'events', 'put-targets', '--rule', 'big-orders', '--event-bus-name', 'shop', '--targets', ...six)).toBe('The requested resource exceeds the maximum number allowed.');
    expect(await fails('ResourceAlreadyExistsException', 'events', 'create-event-bus', '--name', 'shop')).toBe('Event bus shop already exists.');

    const removed = await ok('events', 'remove-targets', '--rule', 'big-orders', '--event-bus-name', 'shop', '--ids', 'q', 'shaped');
    expect(removed).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    await ok('events', 'delete-rule', '--name', 'big-orders', '--event-bus-name', 'shop');
    expect(await fails('ResourceNotFoundException', 'events', 'list-targets-by-rule', '--rule', 'big-orders', '--event-bus-name', 'shop')).toBe('Rule big-orders does not exist on EventBus shop.');
    await ok('events', 'delete-event-bus', '--name', 'shop');
  }, 180_000);
});

describe('EventBridge through boto3', () => {
  it.skipIf(!hasBoto3)('rules, targets with an InputTransformer, PutEvents with datetimes, paging, and the modelled exceptions', async () => {
    const r = await runBoto3(
      emu.endpoint,
      `
import datetime
events = client('events')
sqs = client('sqs')
out = {}
assert events.meta.service_model.protocol == 'json'
q = sqs.create_queue(QueueName='py-events')['QueueUrl']
arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
out['rule'] = events.put_rule(Name='uploads', EventPattern=json.dumps({'source': ['app'], 'detail': {'key': [{'prefix': 'raw/'}, {'suffix': '.png'}]}}), Tags=[{'Key': 'k', 'Value': 'v'}])['RuleArn']
for i in range(3):
    events.put_rule(Name='page-%d' % i, EventPattern='{"source":["p"]}')
t = events.put_targets(Rule='uploads', Targets=[{'Id': 'shaped', 'Arn': arn, 'InputTransformer': {'InputPathsMap': {'key': '$.detail.key', 'at': '$.time'}, 'InputTemplate': '{"key": <key>, "at": <at>, "rule": <aws.events.rule-name>}'}}])
out['targets'] = [t['FailedEntryCount'], t['FailedEntries']]
p = events.put_events(Entries=[
    {'Source': 'app', 'DetailType': 'Upload', 'Detail': json.dumps({'key': 'raw/cat.jpg'}), 'Time': datetime.datetime(2026, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)},
    {'Source': 'app', 'DetailType': 'Upload', 'Detail': json.dumps({'key': 'thumbs/cat.jpg'})},
    {'Source': 'aws.s3', 'DetailType': 'Upload', 'Detail': '{}'},
    {'Source': 'app', 'DetailType': 'Upload', 'Detail': '{}', 'EventBusName': 'missing'},
])
out['failed'] = p['FailedEntryCount']
out['errors'] = [[e.get('ErrorCode'), e.get('ErrorMessage')] for e in p['Entries'][2:]]
m = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10)['Messages']
out['bodies'] = [json.loads(x['Body']) for x in m]
d = events.describe_rule(Name='uploads')
out['described'] = [d['Name'], d['State'], d['EventBusName'], json.loads(d['EventPattern'])['source']]
names = []
for page in events.get_paginator('list_rules').paginate(NamePrefix='page-', PaginationConfig={'PageSize': 2}):
    names += [x['Name'] for x in page['Rules']]
out['paged'] = names
bus = events.describe_event_bus()
out['bus'] = [bus['Name'], bus['Arn']]
out['tags'] = events.list_tags_for_resource(ResourceARN=out['rule'])['Tags']
out['test'] = events.test_event_pattern(EventPattern='{"detail":{"key":[{"wildcard":"raw/*.jpg"}]}}', Event=json.dumps({'id': '1', 'account': '000000000000', 'source': 'app', 'time': '2026-01-01T00:00:00Z', 'region': 'us-east-1', 'resources': [], 'detail-type': 'Upload', 'detail': {'key': 'raw/a.jpg'}}))['Result']
def code(call):
    try:
        call()
    except events.exceptions.InvalidEventPatternException as e:
        return ['InvalidEventPatternException', e.response['Error']['Message']]
    except events.exceptions.ResourceNotFoundException as e:
        return ['ResourceNotFoundException', e.response['Error']['Message']]
    except events.exceptions.LimitExceededException as e:
        return ['LimitExceededException', e.response['Error']['Message']]
    except events.exceptions.ResourceAlreadyExistsException as e:
        return ['ResourceAlreadyExistsException', e.response['Error']['Message']]
    except botocore.exceptions.ClientError as e:
        return [e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']]
    return None
out['bad_pattern'] = code(lambda: events.put_rule(Name='bad', EventPattern='{"n":[{"numeric":[">",10,"<",5]}]}'))
out['no_rule'] = code(lambda: events.list_targets_by_rule(Rule='nope'))
out['too_many'] = code(lambda: events.put_targets(Rule='uploads', Targets=[{'Id': 't%d' % i, 'Arn': arn} for i in range(5)]))
events.create_event_bus(Name='again')
out['exists'] = code(lambda: events.create_event_bus(Name='again'))
out['bad_arn'] = code(lambda: events.put_targets(Rule='uploads', Targets=[{'Id': 'x', 'Arn': 'not-an-arn'}]))
out['bad_name'] = code(lambda: events.put_rule(Name='has space', EventPattern='{"source":["a"]}'))
out['has_targets'] = code(lambda: events.delete_rule(Name='uploads'))
out['removed'] = events.remove_targets(Rule='uploads', Ids=['shaped'])['FailedEntryCount']
events.delete_rule(Name='uploads')
out['gone'] = code(lambda: events.describe_rule(Name='uploads'))
print(json.dumps(out))
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      rule: 'arn:aws:events:us-east-1:000000000000:rule/uploads',
      targets: [0, []],
      failed: 2,
      errors: [
        ['NotAuthorizedForSourceException', 'Not authorized for the source.'],
        ['ResourceNotFoundException', 'Event bus missing does not exist.'],
      ],
      bodies: [{ key: 'raw/cat.jpg', at: '2026-05-06T07:08:09Z', rule: 'uploads' }],
      described: ['uploads', 'ENABLED', 'default', ['app']],
      paged: ['page-0', 'page-1', 'page-2'],
      bus: ['default', 'arn:aws:events:us-east-1:000000000000:event-bus/default'],
      tags: [{ Key: 'k', Value: 'v' }],
      test: true,
      bad_pattern: ['InvalidEventPatternException', 'Event pattern is not valid. Reason: Bottom must be less than top at n[0].numeric'],
      no_rule: ['ResourceNotFoundException', 'Rule nope does not exist on EventBus default.'],
      too_many: ['LimitExceededException', 'The requested resource exceeds the maximum number allowed.'],
      exists: ['ResourceAlreadyExistsException', 'Event bus again already exists.'],
      bad_arn: ['ValidationException', 'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.', 400],
      bad_name: ['ValidationException', "1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", 400],
      has_targets: ['ValidationException', "Rule can't be deleted since it has targets.", 400],
      removed: 0,
      gone: ['ResourceNotFoundException', 'Rule uploads does not exist on EventBus default.'],
    });
  }, 120_000);
});

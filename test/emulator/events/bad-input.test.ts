/**
 * Bad input for every EventBridge operation, over raw HTTP (awsJson 1.1):
 * each gets EventBridge's error code in `__type`, a 400, and a message naming
 * what is wrong — and the endpoint keeps serving with its buses, rules and
 * targets exactly as they were. Codes and wording: the API reference's
 * Errors section of each operation and CommonErrors
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { awsJsonCall, type AwsJsonAnswer } from '../../support/aws-json.ts';

let emu: Emulator;

async function call(op: string, body: unknown): Promise<AwsJsonAnswer> {
  return awsJsonCall(emu.endpoint, `AWSEvents.${op}`, body, { version: '1.1' });
}

/** Everything stored, as the API lists it. */
async function stored(): Promise<unknown> {
  const buses = (await call('ListEventBuses', {})).body.EventBuses as Array<{ Name: string }>;
  const out: Record<string, unknown> = {};
  for (const bus of buses) {
    const rules = (await call('ListRules', { EventBusName: bus.Name })).body.Rules as Array<{ Name: string }>;
    for (const r of rules) out[`${bus.Name}/${r.Name}`] = [r, (await call('ListTargetsByRule', { Rule: r.Name, EventBusName: bus.Name })).body.Targets];
  }
  return { buses: buses.map((b) => b.Name), rules: out };
}

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:q';
const targets = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ Id: `t${from + i}`, Arn: QUEUE }));
const entry = { Source: 'shop', DetailType: 'Order', Detail: '{}' };

beforeAll(async () => {
  emu = await startEmulator({ services: ['events'], clock: 'virtual', log: false });
  await call('CreateEventBus', { Name: 'orders' });
  await call('PutRule', { Name: 'kept', EventPattern: '{"source":["shop"]}' });
  await call('PutTargets', { Rule: 'kept', Targets: targets(4) });
  await call('PutRule', { Name: 'on-orders', EventBusName: 'orders', EventPattern: '{"source":["shop"]}' });
});
afterAll(async () => {
  await emu?.dispose();
});

/** [what, operation, input, code, message contains]. */
const CASES: Array<[string, string, Record<string, unknown>, string, string]> = [
  // PutRule
  ['PutRule without a name', 'PutRule', { EventPattern: '{"source":["a"]}' }, 'ValidationException', "Value 'null' at 'name' failed to satisfy constraint: Member must not be null"],
  ['a 65-character rule name', 'PutRule', { Name: 'r'.repeat(65), EventPattern: '{"source":["a"]}' }, 'ValidationException', "at 'name' failed to satisfy constraint: Member must have length less than or equal to 64"],
  ['a rule name with a space', 'PutRule', { Name: 'a b', EventPattern: '{"source":["a"]}' }, 'ValidationException', String.raw`Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`],
  ['neither pattern nor schedule', 'PutRule', { Name: 'r' }, 'ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.'],
  ['a pattern that is not JSON', 'PutRule', { Name: 'r', EventPattern: '{"source": [' }, 'InvalidEventPatternException', 'Event pattern is not valid. Reason: Filter is not valid JSON'],
  ['a pattern value that is no array', 'PutRule', { Name: 'r', EventPattern: '{"source":"shop"}' }, 'InvalidEventPatternException', '"source" must be an object or an array at source'],
  ['an unknown match type', 'PutRule', { Name: 'r', EventPattern: '{"a":[{"contains":"x"}]}' }, 'InvalidEventPatternException', 'Unrecognized match type contains at a[0].contains'],
  ['a pattern over 4096 characters', 'PutRule', { Name: 'r', EventPattern: JSON.stringify({ a: ['x'.repeat(4100)] }) }, 'ValidationException', "at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096"],
  ['an unknown bus', 'PutRule', { Name: 'r', EventBusName: 'nope', EventPattern: '{"source":["a"]}' }, 'ResourceNotFoundException', 'Event bus nope does not exist.'],
  ['a bus ARN that is malformed', 'PutRule', { Name: 'r', EventBusName: 'arn:aws:events:bad', EventPattern: '{"source":["a"]}' }, 'ValidationException', "at 'eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern"],
  ['a schedule on a custom bus', 'PutRule', { Name: 'r', EventBusName: 'orders', ScheduleExpression: 'rate(5 minutes)' }, 'ValidationException', 'ScheduleExpression is supported only on the default event bus.'],
  ['rate(1 minutes)', 'PutRule', { Name: 'r', ScheduleExpression: 'rate(1 minutes)' }, 'ValidationException', 'Parameter ScheduleExpression is not valid.'],
  ['a five-field cron', 'PutRule', { Name: 'r', ScheduleExpression: 'cron(0 10 * * ?)' }, 'ValidationException', 'Parameter ScheduleExpression is not valid.'],
  ['a cron with both day fields', 'PutRule', { Name: 'r', ScheduleExpression: 'cron(0 10 * * * *)' }, 'ValidationException', 'Parameter ScheduleExpression is not valid.'],
  ['an unknown state', 'PutRule', { Name: 'r', EventPattern: '{"source":["a"]}', State: 'ON' }, 'ValidationException', "Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set"],
  // DescribeRule, Enable/Disable, DeleteRule, ListRules
  ['DescribeRule of an unknown rule', 'DescribeRule', { Name: 'nope' }, 'ResourceNotFoundException', 'Rule nope does not exist on EventBus default.'],
  ['DescribeRule on an unknown bus', 'DescribeRule', { Name: 'kept', EventBusName: 'nope' }, 'ResourceNotFoundException', 'Event bus nope does not exist.'],
  ['EnableRule of an unknown rule', 'EnableRule', { Name: 'nope' }, 'ResourceNotFoundException', 'Rule nope does not exist on EventBus default.'],
  ['DisableRule without a name', 'DisableRule', {}, 'ValidationException', "at 'name' failed to satisfy constraint: Member must not be null"],
  ['DeleteRule while targets exist', 'DeleteRule', { Name: 'kept' }, 'ValidationException', "Rule can't be deleted since it has targets."],
  ['ListRules with Limit 0', 'ListRules', { Limit: 0 }, 'ValidationException', "at 'limit' failed to satisfy constraint: Member must have value between 1 and 100"],
  ['ListRules with a token we never issued', 'ListRules', { NextToken: 'zzz' }, 'ValidationException', 'The NextToken value is not valid.'],
  // PutTargets, RemoveTargets, ListTargetsByRule
  ['a sixth target on a rule', 'PutTargets', { Rule: 'kept', Targets: targets(2, 10) }, 'LimitExceededException', 'The requested resource exceeds the maximum number allowed.'],
  ['eleven targets in one request', 'PutTargets', { Rule: 'kept', Targets: targets(11, 20) }, 'ValidationException', "at 'targets' failed to satisfy constraint: Member must have length less than or equal to 10"],
  ['no targets', 'PutTargets', { Rule: 'kept', Targets: [] }, 'ValidationException', "at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1"],
  ['a target ARN that is no ARN', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'x', Arn: 'my-queue' }] }, 'ValidationException', 'Parameter my-queue is not valid. Reason: Provided Arn is not in correct format.'],
  ['a target without an Id', 'PutTargets', { Rule: 'kept', Targets: [{ Arn: QUEUE }] }, 'ValidationException', "at 'id' failed to satisfy constraint: Member must not be null"],
  ['a target Id with a slash', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'a/b', Arn: QUEUE }] }, 'ValidationException', "Value 'a/b' at 'id' failed to satisfy constraint"],
  ['Input and InputPath together', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'x', Arn: QUEUE, Input: '{}', InputPath: '$.detail' }] }, 'ValidationException', 'Only one of Input, InputPath, or InputTransformer can be provided for target x.'],
  ['MaximumRetryAttempts 186', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'x', Arn: QUEUE, RetryPolicy: { MaximumRetryAttempts: 186 } }] }, 'ValidationException', 'Member must have value between 0 and 185'],
  ['a dead-letter queue that is no SQS ARN', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'x', Arn: QUEUE, DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:000000000000:t' } }] }, 'ValidationException', 'the dead-letter queue must be an SQS queue ARN'],
  ['a FIFO queue target without SqsParameters', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'fifo', Arn: `${QUEUE}.fifo` }] }, 'ValidationException', 'Parameter(s) SqsParameters must be specified for target: fifo.'],
  ['a FIFO queue target whose SqsParameters has no MessageGroupId', 'PutTargets', { Rule: 'kept', Targets: [{ Id: 'fifo', Arn: `${QUEUE}.fifo`, SqsParameters: {} }] }, 'ValidationException', 'Parameter(s) SqsParameters must be specified for target: fifo.'],
  ['PutTargets on an unknown rule', 'PutTargets', { Rule: 'nope', Targets: targets(1) }, 'ResourceNotFoundException', 'Rule nope does not exist on EventBus default.'],
  ['RemoveTargets without Ids', 'RemoveTargets', { Rule: 'kept' }, 'ValidationException', "at 'ids' failed to satisfy constraint: Member must not be null"],
  ['RemoveTargets of an unknown rule', 'RemoveTargets', { Rule: 'nope', Ids: ['t0'] }, 'ResourceNotFoundException', 'Rule nope does not exist on EventBus default.'],
  ['ListTargetsByRule of an unknown rule', 'ListTargetsByRule', { Rule: 'nope' }, 'ResourceNotFoundException', 'Rule nope does not exist on EventBus default.'],
  // PutEvents (request-level refusals; per-entry ones are in sdk.test.ts and cli-boto3.test.ts)
  ['PutEvents without entries', 'PutEvents', {}, 'ValidationException', "at 'entries' failed to satisfy constraint: Member must not be null"],
  ['eleven entries', 'PutEvents', { Entries: Array.from({ length: 11 }, () => entry) }, 'ValidationException', "at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"],
  ['more than 256 KB', 'PutEvents', { Entries: [{ ...entry, Detail: JSON.stringify({ pad: 'x'.repeat(262_144) }) }] }, 'ValidationException', 'Total size of the entries in the request is over the limit.'],
  ['an entry that is no object', 'PutEvents', { Entries: ['x'] }, 'ValidationException', 'Entries[0] must be a structure'],
  // Buses
  ['CreateEventBus of an existing bus', 'CreateEventBus', { Name: 'orders' }, 'ResourceAlreadyExistsException', 'Event bus orders already exists.'],
  ['a bus name over 256 characters', 'CreateEventBus', { Name: 'b'.repeat(257) }, 'ValidationException', "at 'name' failed to satisfy constraint: Member must have length less than or equal to 256"],
  ['a bus name with a space', 'CreateEventBus', { Name: 'a b' }, 'ValidationException', "Value 'a b' at 'name' failed to satisfy constraint"],
  ['DeleteEventBus of default', 'DeleteEventBus', { Name: 'default' }, 'ValidationException', 'Cannot delete event bus default.'],
  ['DeleteEventBus of a bus with rules', 'DeleteEventBus', { Name: 'orders' }, 'ValidationException', "EventBus can't be deleted since it has rules."],
  ['DescribeEventBus of an unknown bus', 'DescribeEventBus', { Name: 'nope' }, 'ResourceNotFoundException', 'Event bus nope does not exist.'],
  // TestEventPattern, tags
  ['TestEventPattern with a bad pattern', 'TestEventPattern', { EventPattern: '{"a":[{"numeric":[">",10,"<",5]}]}', Event: '{}' }, 'InvalidEventPatternException', 'Bottom must be less than top at a[0].numeric'],
  ['TestEventPattern with an event that is no JSON', 'TestEventPattern', { EventPattern: '{"source":["a"]}', Event: '{' }, 'ValidationException', 'Parameter Event is not valid.'],
  ['TestEventPattern with an event missing its id', 'TestEventPattern', { EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' }, 'ValidationException', 'Provided Event is missing required field: id.'],
  ['tags of an unknown resource', 'ListTagsForResource', { ResourceARN: 'arn:aws:events:us-east-1:000000000000:rule/nope' }, 'ResourceNotFoundException', 'Resource arn:aws:events:us-east-1:000000000000:rule/nope does not exist.'],
];

describe('EventBridge bad input', () => {
  it.each(CASES)('%s', async (_what, op, input, code, message) => {
    const before = await stored();
    const r = await call(op, input);
    expect(r.status).toBe(400);
    expect(r.type).toBe(code);
    expect(r.message).toContain(message);
    expect(await stored()).toEqual(before);
  });

  it('the protocol layer: a body that is not JSON, an unknown operation; the endpoint keeps serving', async () => {
    expect(await call('PutRule', '{not json')).toMatchObject({ status: 400, type: 'SerializationException' });
    expect(await call('StealRule', {})).toMatchObject({ status: 400, type: 'UnknownOperationException' });
    expect((await call('DescribeRule', { Name: 'kept' })).body).toMatchObject({ Name: 'kept', EventPattern: '{"source":["shop"]}' });
    expect(((await call('ListTargetsByRule', { Rule: 'kept' })).body.Targets as unknown[]).length).toBe(4);
  });
});

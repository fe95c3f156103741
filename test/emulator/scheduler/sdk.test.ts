/**
 * EventBridge Scheduler on the embedded endpoint over real HTTP with SDK v3
 * (and boto3): schedules and groups as the API reports them, its validation
 * errors, and schedules firing on virtual time — a cron in a named time zone
 * (daylight saving included), a rate from StartDate, a one-time at() deleted
 * after it ran, a refused delivery in the dead-letter queue — and a snapshot
 * restore that brings schedules back armed; the AWS CLI v2 from Debian
 * drives it too.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { clientConfig } from '../../support/clients.ts';
import { awsCli, boto3, HAS_BOTO3, HAS_CLI } from '../secretsmanager/clients.ts';

const START = Date.UTC(2026, 0, 10, 12, 0, 0);
const clock = new VirtualClock({ start: START, autoAdvance: 'idle' });
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';
let emu: Emulator;
let scheduler: SchedulerClient;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startEmulator({ services: ['scheduler', 'sqs', 'lambda'], log: false, clock });
  scheduler = new SchedulerClient(clientConfig(emu.endpoint));
  sqs = new SQSClient(clientConfig(emu.endpoint));
});
afterAll(async () => {
  scheduler?.destroy();
  sqs?.destroy();
  await emu?.dispose();
});
beforeEach(async () => {
  await emu.reset();
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  return { url, arn: (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn! };
}

/** The messages on the queue now (deleted as read), with when the endpoint observed each sent (virtual ms). */
async function take(url: string) {
  const out: Array<{ body: string; attributes: Record<string, string> }> = [];
  for (let i = 0; i < 20; i++) {
    const page = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];
    for (const m of page) {
      out.push({ body: m.Body!, attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])) });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
    if (page.length === 0 && out.length > 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}
const sentTimes = (queueArn: string) => emu.observations.snapshot().sqsMessages.filter((m) => m.queueArn === queueArn).map((m) => new Date(m.time).toISOString());

const schedule = (name: string, arn: string, more: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: 'rate(1 hour)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: arn, RoleArn: ROLE, Input: JSON.stringify({ from: name }) },
  ...more,
});

describe('EventBridge Scheduler', () => {
  it('keeps schedules and groups as the API reports them', async () => {
    const q = await queue('jobs');
    const created = await scheduler.send(new CreateScheduleCommand(schedule('hourly', q.arn, { Description: 'every hour', ScheduleExpressionTimezone: 'Europe/Paris' })));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/default/hourly');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'reports', Tags: [{ Key: 'team', Value: 'data' }] }));
    await scheduler.send(new CreateScheduleCommand(schedule('weekly', q.arn, { GroupName: 'reports', ScheduleExpression: 'cron(0 8 ? * MON *)', State: 'DISABLED' })));
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'hourly' }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'hourly',
      GroupName: 'default',
      Description: 'every hour',
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: q.arn, RoleArn: ROLE, Input: '{"from":"hourly"}' },
    });
    expect(got.CreationDate).toEqual(new Date(clock.now()));
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules!.map((s) => [s.GroupName, s.Name, s.State])).toEqual([
      ['default', 'hourly', 'ENABLED'],
      ['reports', 'weekly', 'DISABLED'],
    ]);
    expect((await scheduler.send(new ListSchedulesCommand({ GroupName: 'reports' }))).Schedules!.map((s) => s.Name)).toEqual(['weekly']);
    expect((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups!.map((g) => g.Name)).toEqual(['default', 'reports']);
    await scheduler.send(new UpdateScheduleCommand(schedule('hourly', q.arn, { ScheduleExpression: 'rate(2 hours)' })));
    expect((await scheduler.send(new GetScheduleCommand({ Name: 'hourly' }))).ScheduleExpression).toBe('rate(2 hours)');
    // Deleting a group deletes its schedules.
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: 'reports' }));
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules!.map((s) => s.Name)).toEqual(['hourly']);
    await scheduler.send(new DeleteScheduleCommand({ Name: 'hourly' }));
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
  });

  it('refuses what the service refuses, with its error codes', async () => {
    const q = await queue('jobs');
    const fails = (input: CreateScheduleCommandInput) => scheduler.send(new CreateScheduleCommand(input)).then(() => undefined, (e: Error & { $metadata: { httpStatusCode: number } }) => [e.name, e.$metadata.httpStatusCode, e.message]);
    await scheduler.send(new CreateScheduleCommand(schedule('taken', q.arn)));
    expect(await fails(schedule('taken', q.arn))).toEqual(['ConflictException', 409, 'Schedule taken already exists.']);
    expect(await fails(schedule('bad', q.arn, { ScheduleExpression: 'every day' }))).toEqual(['ValidationException', 400, 'Invalid Schedule Expression every day.']);
    expect(await fails(schedule('bad', q.arn, { ScheduleExpressionTimezone: 'Mars/Olympus' }))).toEqual(['ValidationException', 400, 'Invalid time zone: Mars/Olympus.']);
    expect(await fails(schedule('bad', q.arn, { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }))).toEqual(['ValidationException', 400, 'MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.']);
    expect(await fails(schedule('bad', q.arn, { GroupName: 'nowhere' }))).toEqual(['ResourceNotFoundException', 404, 'Schedule group nowhere does not exist.']);
    expect((await fails(schedule('bad', 'arn:aws:scheduler:::aws-sdk:s3:putObject')))?.[2]).toMatch(/universal targets/);
    expect(await fails(schedule('bad', 'arn:aws:lambda:us-east-1:000000000000:function:f', { Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f', RoleArn: ROLE, Input: 'not json' } }))).toEqual([
      'ValidationException',
      400,
      'Invalid JSON Input provided.',
    ]);
    await expect(scheduler.send(new GetScheduleCommand({ Name: 'gone' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Schedule gone does not exist.' });
  });

  it('fires a cron in its time zone (daylight saving included) and a rate from StartDate, on virtual time', async () => {
    const q = await queue('fired');
    // 02:00 in Paris is 01:00 UTC in January and 00:00 UTC in July.
    await scheduler.send(new CreateScheduleCommand(schedule('paris', q.arn, { ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' })));
    await scheduler.send(new CreateScheduleCommand(schedule('every-6h', q.arn, { ScheduleExpression: 'rate(6 hours)', StartDate: new Date(START + 3_600_000), EndDate: new Date(START + 20 * 3_600_000) })));
    await new Promise((r) => setTimeout(r, 30));
    expect(await take(q.url)).toEqual([]);
    await clock.advance(24 * 3_600_000);
    const bodies = (await take(q.url)).map((m) => m.body).sort();
    // The rate every 6 h from its StartDate (13:00) until its EndDate (08:00 next day): 19:00, 01:00, 07:00;
    // the Paris cron once, at 02:00 Paris = 01:00 UTC.
    expect([...sentTimes(q.arn)].sort()).toEqual(['2026-01-10T19:00:00.000Z', '2026-01-11T01:00:00.000Z', '2026-01-11T01:00:00.000Z', '2026-01-11T07:00:00.000Z']);
    expect(bodies).toEqual(['{"from":"every-6h"}', '{"from":"every-6h"}', '{"from":"every-6h"}', '{"from":"paris"}']);
    const summer = await queue('summer');
    await scheduler.send(new CreateScheduleCommand(schedule('paris-summer', summer.arn, { ScheduleExpression: 'cron(0 2 1 7 ? 2026)', ScheduleExpressionTimezone: 'Europe/Paris' })));
    await clock.advance(Date.UTC(2026, 6, 2) - clock.now());
    expect((await take(summer.url)).map((m) => m.body)).toEqual(['{"from":"paris-summer"}']);
    expect(sentTimes(summer.arn)).toEqual(['2026-07-01T00:00:00.000Z']);
  });

  it('a one-time at() with ActionAfterCompletion DELETE runs once and is gone; a refused delivery goes to the dead-letter queue', async () => {
    const q = await queue('once');
    const dlq = await queue('scheduler-dlq');
    const at = new Date(clock.now() + 90 * 60_000).toISOString().slice(0, 19);
    await scheduler.send(new CreateScheduleCommand(schedule('once', q.arn, { ScheduleExpression: `at(${at})`, ActionAfterCompletion: 'DELETE' })));
    const missing = 'arn:aws:lambda:us-east-1:000000000000:function:not-there';
    await scheduler.send(new CreateScheduleCommand(schedule('broken', missing, { ScheduleExpression: `at(${at})`, Target: { Arn: missing, RoleArn: ROLE, Input: '{"n":1}', DeadLetterConfig: { Arn: dlq.arn } } })));
    await clock.advance(2 * 3_600_000);
    expect((await take(q.url)).map((m) => m.body)).toEqual(['{"from":"once"}']);
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules!.map((s) => s.Name)).toEqual(['broken']);
    const [dead] = await take(dlq.url);
    expect(dead).toMatchObject({ body: '{"n":1}', attributes: { SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/broken', TARGET_ARN: missing, ERROR_CODE: 'ResourceNotFoundException' } });
  });

  it('a snapshot restore brings the schedules back, armed', async () => {
    const q = await queue('restored');
    await scheduler.send(new CreateScheduleCommand(schedule('kept', q.arn, { ScheduleExpression: 'rate(1 hour)' })));
    const id = await emu.snapshot();
    await scheduler.send(new DeleteScheduleCommand({ Name: 'kept' }));
    await emu.restore(id);
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules!.map((s) => s.Name)).toEqual(['kept']);
    await clock.advance(3_600_000 + 1000);
    expect((await take(q.url)).map((m) => m.body)).toEqual(['{"from":"kept"}']);
  });

  it('bad requests over raw HTTP get ValidationException, and the endpoint keeps its schedules and serving', async () => {
    const q = await queue('kept');
    await scheduler.send(new CreateScheduleCommand(schedule('kept', q.arn)));
    const raw = (method: string, path: string, body: string) => fetch(`${emu.endpoint}${path}`, { method, headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/scheduler/aws4_request, SignedHeaders=host, Signature=x' }, body });
    for (const [method, path, body] of [
      ['POST', '/schedules/x', '{not json'],
      ['POST', '/schedules/x', '[1,2]'],
      ['POST', '/schedule-groups/g', '{"Tags":"team=data"}'],
      ['POST', '/schedules/x', JSON.stringify({ ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default', RoleArn: ROLE, EventBridgeParameters: { Source: 1 } } })],
      ['POST', '/schedules/bad name!', JSON.stringify({ ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: q.arn, RoleArn: ROLE } })],
    ] as const) {
      const r = await raw(method, path, body);
      expect([r.status, r.headers.get('x-amzn-errortype')?.split(':')[0]], `${method} ${path} ${body}`).toEqual([400, 'ValidationException']);
    }
    expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules!.map((s) => s.Name)).toEqual(['kept']);
    expect((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups!.map((g) => g.Name)).toEqual(['default']);
  });

  it.skipIf(!HAS_CLI)('AWS CLI v2: create-schedule-group, create-schedule with an at() in a time zone, get-schedule, list-schedules, errors', async () => {
    const q = await queue('cli');
    const cli = (...args: string[]) => awsCli(emu.endpoint, ['scheduler', ...args]);
    expect((await cli('create-schedule-group', '--name', 'ops')).exitCode).toBe(0);
    const created = await cli(
      'create-schedule', '--name', 'launch', '--group-name', 'ops',
      '--schedule-expression', 'at(2030-03-01T09:00:00)', '--schedule-expression-timezone', 'Asia/Tokyo',
      // Debian's CLI (2.9) predates ActionAfterCompletion: the SDK test above covers it.
      '--flexible-time-window', 'Mode=OFF',
      '--target', JSON.stringify({ Arn: q.arn, RoleArn: ROLE, Input: 'go' }),
    );
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.json).toEqual({ ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/ops/launch' });
    const got = await cli('get-schedule', '--name', 'launch', '--group-name', 'ops');
    expect(got.json).toMatchObject({ ScheduleExpressionTimezone: 'Asia/Tokyo', Target: { Arn: q.arn, Input: 'go' } });
    expect(((await cli('list-schedules', '--group-name', 'ops')).json as { Schedules: Array<{ Name: string }> }).Schedules.map((x) => x.Name)).toEqual(['launch']);
    const missing = await cli('get-schedule', '--name', 'nope');
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');
    // 09:00 in Tokyo is 00:00 UTC.
    await clock.advance(Date.UTC(2030, 2, 1, 0, 0, 1) - clock.now());
    expect((await take(q.url)).map((m) => m.body)).toEqual(['go']);
    expect(sentTimes(q.arn)).toEqual(['2030-03-01T00:00:00.000Z']);
  });

  it.skipIf(!HAS_BOTO3)('boto3: create_schedule with a time zone, get_schedule, list_schedules', async () => {
    const q = await queue('py');
    const r = await boto3(
      emu.endpoint,
      `
sch = boto3.client('scheduler', **cfg)
sch.create_schedule(Name='py', ScheduleExpression='cron(30 9 ? * MON-FRI *)', ScheduleExpressionTimezone='America/New_York', FlexibleTimeWindow={'Mode': 'FLEXIBLE', 'MaximumWindowInMinutes': 15}, Target={'Arn': ${JSON.stringify(q.arn)}, 'RoleArn': ${JSON.stringify(ROLE)}})
g = sch.get_schedule(Name='py')
out([g['ScheduleExpressionTimezone'], g['FlexibleTimeWindow'], g['Target']['Arn']])
out([s['Name'] for s in sch.list_schedules()['Schedules']])
out(err(lambda: sch.get_schedule(Name='nope')))
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json).toEqual([
      ['America/New_York', { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 }, q.arn],
      ['py'],
      { code: 'ResourceNotFoundException', message: 'Schedule nope does not exist.', type: 'ResourceNotFoundException', status: 404 },
    ]);
  });
});

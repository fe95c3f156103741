/**
 * EventBridge from a SAM template onto the embedded endpoint:
 * AWS::Events::EventBus, AWS::Events::Rule (custom bus, an SQS target with an
 * InputTransformer), SAM Events of type EventBridgeRule, CloudWatchEvent,
 * Schedule on a function and on a state machine, ScheduleV2 (EventBridge
 * Scheduler: a rate, and a cron in a time zone), an AWS::Scheduler::Schedule
 * in its own group with a one-time at(), and a bucket's
 * EventBridgeConfiguration — each then delivers; a redeploy keeps one rule or
 * schedule per event.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, type DeployResult } from '../../harness/deploy/index.ts';
import { clientConfig } from '../support/clients.ts';

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Events::EventBus
    Properties: { Name: orders, Description: order events }
  BigOrders:
    Type: AWS::SQS::Queue
    Properties: { QueueName: big-orders }
  Reports:
    Type: AWS::Scheduler::ScheduleGroup
    Properties: { Name: reports }
  Reminder:
    Type: AWS::Scheduler::Schedule
    Properties:
      GroupName: !Ref Reports
      ScheduleExpression: at(2026-01-01T02:30:00)
      FlexibleTimeWindow: { Mode: 'OFF' }
      Target: { Arn: !GetAtt BigOrders.Arn, RoleArn: arn:aws:iam::000000000000:role/scheduler, Input: reminder }
  BigOrderRule:
    Type: AWS::Events::Rule
    Properties:
      Name: big-order
      EventBusName: !Ref Orders
      EventPattern: { source: [shop], detail: { total: [{ numeric: ['>', 100] }] } }
      Targets:
        - Id: queue
          Arn: !GetAtt BigOrders.Arn
          InputTransformer:
            InputPathsMap: { total: $.detail.total }
            InputTemplate: '{"bigOrder": <total>}'
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: uploads
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } }
  Pipeline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: pipeline
      Definition: { StartAt: P, States: { P: { Type: Pass, End: true } } }
      Events:
        OnUpload:
          Type: EventBridgeRule
          Properties:
            Pattern: { source: [aws.s3], detail-type: [Object Created], detail: { bucket: { name: [uploads] } } }
            InputPath: $.detail.object
  Cleaner:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: cleaner
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async (event) => { console.log('CLEAN ' + JSON.stringify(event)); return {}; };
      Events:
        Nightly:
          Type: Schedule
          Properties: { Schedule: cron(0 3 * * ? *), Input: '{"mode":"nightly"}' }
        Hourly:
          Type: ScheduleV2
          Properties: { ScheduleExpression: rate(1 hour) }
        Paris:
          Type: ScheduleV2
          Properties: { ScheduleExpression: cron(0 2 * * ? *), ScheduleExpressionTimezone: Europe/Paris, Input: '{"mode":"paris"}' }
        Legacy:
          Type: CloudWatchEvent
          Properties: { Pattern: { source: [legacy.app] }, Enabled: false }
`;

const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1, 0, 0, 0), autoAdvance: 'idle' });
let dir: string;
let file: string;
let be: EmbeddedBackend;
let first: DeployResult;
let events: EventBridgeClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rehearse-events-deploy-'));
  file = path.join(dir, 'template.yaml');
  writeFileSync(file, TEMPLATE);
  be = await startEmbedded({ clock, log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  first = await deploy(file, be);
  events = new EventBridgeClient(clientConfig(be.endpoint));
}, 60_000);

afterAll(async () => {
  events?.destroy();
  await be?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 800; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('EventBridge resources and events from a template', () => {
  it('creates the bus, the rules and their targets', async () => {
    expect(first.warnings.map((w) => w.message)).toEqual([]);
    const rules = first.changes.filter((c) => c.type.startsWith('AWS::Events')).map((c) => [c.type, c.logicalId, c.action]);
    expect(rules).toEqual(
      expect.arrayContaining([
        ['AWS::Events::EventBus', 'Orders', 'created'],
        ['AWS::Events::Rule', 'BigOrderRule', 'created'],
        ['AWS::Events::Rule', 'PipelineOnUpload', 'created'],
        ['AWS::Events::Rule', 'CleanerNightly', 'created'],
        ['AWS::Events::Rule', 'CleanerLegacy', 'created'],
      ]),
    );
    expect(first.changes.filter((c) => c.type.startsWith('AWS::Scheduler')).map((c) => [c.type, c.logicalId, c.action])).toEqual([
      ['AWS::Scheduler::ScheduleGroup', 'Reports', 'created'],
      ['AWS::Scheduler::Schedule', 'Reminder', 'created'],
      ['AWS::Scheduler::Schedule', 'CleanerHourly', 'created'],
      ['AWS::Scheduler::Schedule', 'CleanerParis', 'created'],
    ]);
    const defaults = (await events.send(new ListRulesCommand({}))).Rules!;
    expect(defaults.map((r) => [r.Name, r.State, r.ScheduleExpression ?? r.EventPattern])).toEqual([
      ['CleanerLegacy', 'DISABLED', '{"source":["legacy.app"]}'],
      ['CleanerNightly', 'ENABLED', 'cron(0 3 * * ? *)'],
      ['PipelineOnUpload', 'ENABLED', '{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["uploads"]}}}'],
    ]);
    const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: 'PipelineOnUpload' }))).Targets!;
    expect(targets).toEqual([{ Id: 'PipelineOnUploadStepFunctionsTarget', Arn: first.stateMachines.Pipeline, InputPath: '$.detail.object' }]);
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'big-order', EventBusName: 'orders' }))).Targets![0]!.InputTransformer).toEqual({ InputPathsMap: { total: '$.detail.total' }, InputTemplate: '{"bigOrder": <total>}' });
  });

  it('delivers: a custom-bus rule to SQS, an upload to the state machine, schedules to the function', async () => {
    await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'Order', Detail: '{"total":500}' }] }));
    const sqs = new SQSClient(clientConfig(be.endpoint));
    const m = await until(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: first.queues.BigOrders }))).Messages?.[0], 'the big order');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: first.queues.BigOrders, ReceiptHandle: m.ReceiptHandle! }));
    expect(m.Body).toBe('{"bigOrder": 500}');
    await new S3Client({ ...clientConfig(be.endpoint), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: 'uploads', Key: 'cat.jpg', Body: 'x' }));
    const sfn = new SFNClient(clientConfig(be.endpoint));
    const exec = await until(async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: first.stateMachines.Pipeline }))).executions?.[0], 'the pipeline execution');
    expect(exec.status).toBeDefined();
    await clock.advance(3 * 3_600_000 + 1000);
    const logs = await until(() => {
      const text = be.emulator.observations.snapshot().invocations.filter((i) => i.functionName === 'cleaner').map((i) => i.logs ?? '').join('');
      return text.includes('CLEAN {"mode":"nightly"}') && text.includes('CLEAN {"mode":"paris"}') && (text.match(/CLEAN \{\}/g) ?? []).length >= 3 ? text : undefined;
    }, 'the scheduled clean-ups');
    // 01:00, 02:00 and 03:00 hourly (Scheduler hands the target {}); 03:00 nightly (UTC rule); 02:00 in Paris = 01:00 UTC.
    expect(logs.match(/CLEAN \{\}/g)!.length).toBe(3);
    expect(logs.match(/CLEAN \{"mode":"nightly"\}/g)!.length).toBe(1);
    expect(logs.match(/CLEAN \{"mode":"paris"\}/g)!.length).toBe(1);
    const paris = be.emulator.observations.snapshot().invocations.find((i) => i.functionName === 'cleaner' && (i.logs ?? '').includes('paris'))!;
    expect(new Date(paris.startTime).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    // The one-time schedule in its group, at 02:30.
    const reminder = await until(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: first.queues.BigOrders }))).Messages?.[0], 'the reminder');
    expect(reminder.Body).toBe('reminder');
  }, 30_000);

  it('redeploys without duplicating rules or targets', async () => {
    const again = await deploy(file, be, { skipValidation: true });
    expect(again.changes.filter((c) => c.type === 'AWS::Events::Rule').every((c) => c.action === 'unchanged')).toBe(true);
    expect(again.changes.filter((c) => c.type.startsWith('AWS::Scheduler')).every((c) => c.action === 'unchanged')).toBe(true);
    expect((await events.send(new ListRulesCommand({}))).Rules).toHaveLength(3);
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: 'CleanerNightly' }))).Targets).toHaveLength(1);
  }, 30_000);
});

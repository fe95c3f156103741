/**
 * SQS from a SAM template onto the embedded endpoint: AWS::SQS::Queue (a FIFO
 * queue, a redrive policy naming another queue by GetAtt, tags),
 * AWS::SQS::QueuePolicy, a SAM `Events: Type: SQS` and an
 * AWS::Lambda::EventSourceMapping — the function consumes what is sent; a
 * redeploy is unchanged, an edited template updates in place.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListEventSourceMappingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ListQueueTagsCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, type DeployResult } from '../../harness/deploy/index.ts';
import { validateTemplate } from '../../harness/deploy/validate.ts';
import { RehearseError } from '../../harness/core/index.ts';
import { clientConfig } from '../support/clients.ts';

const template = (visibility: number, batchSize: number) => `
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
      VisibilityTimeout: ${visibility}
      RedrivePolicy: { deadLetterTargetArn: !GetAtt JobsDlq.Arn, maxReceiveCount: 3 }
      Tags: [{ Key: team, Value: imaging }]
  JobsDlq:
    Type: AWS::SQS::Queue
    Properties: { MessageRetentionPeriod: 1209600 }
  Ordered:
    Type: AWS::SQS::Queue
    Properties: { FifoQueue: true, ContentBasedDeduplication: true }
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{ Effect: Allow, Principal: { Service: events.amazonaws.com }, Action: 'sqs:SendMessage', Resource: !GetAtt Jobs.Arn }]
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Runtime: nodejs20.x
      Handler: index.handler
      Timeout: 10
      Environment: { Variables: { JOBS_URL: !Ref Jobs, ORDERED_URL: !GetAtt Ordered.QueueUrl } }
      Events:
        FromJobs:
          Type: SQS
          Properties: { Queue: !GetAtt Jobs.Arn, BatchSize: ${batchSize}, FunctionResponseTypes: [ReportBatchItemFailures] }
      InlineCode: |
        exports.handler = async (event) => {
          console.log('GOT ' + event.Records.map((r) => r.body).join(','));
          return { batchItemFailures: [] };
        };
  OrderedMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Ordered.Arn
      BatchSize: 1
`;

let dir: string;
let file: string;
let be: EmbeddedBackend;
let first: DeployResult;
let sqs: SQSClient;
let lambda: LambdaClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rehearse-sqs-deploy-'));
  file = path.join(dir, 'template.yaml');
  writeFileSync(file, template(60, 5));
  be = await startEmbedded({ clock: new VirtualClock(), log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  first = await deploy(file, be);
  sqs = new SQSClient(clientConfig(be.endpoint));
  lambda = new LambdaClient(clientConfig(be.endpoint));
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  lambda?.destroy();
  await be?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const attributes = async (url: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;

describe('SQS resources from a template', () => {
  it('creates the queues as written, in dependency order, and the mappings', async () => {
    const created = first.changes.filter((c) => c.type.startsWith('AWS::SQS') || c.type === 'AWS::Lambda::EventSourceMapping').map((c) => [c.type, c.logicalId, c.action]);
    expect(created).toEqual([
      ['AWS::SQS::Queue', 'JobsDlq', 'created'],
      ['AWS::SQS::Queue', 'Jobs', 'created'],
      ['AWS::SQS::Queue', 'Ordered', 'created'],
      ['AWS::SQS::QueuePolicy', 'JobsPolicy', 'updated'],
      ['AWS::Lambda::EventSourceMapping', 'OrderedMapping', 'created'],
      ['AWS::Lambda::EventSourceMapping', 'WorkerFromJobs', 'created'],
    ]);
    expect(first.queues).toEqual({ JobsDlq: `${be.endpoint}/000000000000/JobsDlq`, Jobs: `${be.endpoint}/000000000000/jobs`, Ordered: `${be.endpoint}/000000000000/Ordered.fifo` });
    const jobs = await attributes(first.queues.Jobs!);
    expect(jobs).toMatchObject({ VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:JobsDlq', maxReceiveCount: 3 }) });
    expect(JSON.parse(jobs.Policy!)).toMatchObject({ Statement: [{ Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:000000000000:jobs' }] });
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: first.queues.Jobs }))).Tags).toEqual({ team: 'imaging' });
    expect(await attributes(first.queues.Ordered!)).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'worker' }))).EventSourceMappings!;
    expect(mappings.map((m) => [m.EventSourceArn, m.BatchSize, m.FunctionResponseTypes]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['arn:aws:sqs:us-east-1:000000000000:jobs', 5, ['ReportBatchItemFailures']],
      ['arn:aws:sqs:us-east-1:000000000000:Ordered.fifo', 1, []],
    ]);
  });

  it('the mapped function consumes what is sent', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: first.queues.Jobs, MessageBody: 'resize cat.jpg' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: first.queues.Ordered, MessageBody: 'first', MessageGroupId: 'g' }));
    for (let i = 0; i < 400; i++) {
      const logs = be.emulator.observations.snapshot().invocations.filter((x) => x.functionName === 'worker').map((x) => x.logs ?? '').join('');
      if (logs.includes('GOT resize cat.jpg') && logs.includes('GOT first')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const logs = be.emulator.observations.snapshot().invocations.filter((x) => x.functionName === 'worker').map((x) => x.logs ?? '').join('');
    expect(logs).toContain('GOT resize cat.jpg');
    expect(logs).toContain('GOT first');
  }, 30_000);

  it('redeploys: unchanged as is; an edited visibility timeout and batch size update in place', async () => {
    const again = await deploy(file, be, { skipValidation: true });
    expect(again.changes.filter((c) => c.type.startsWith('AWS::SQS') || c.type === 'AWS::Lambda::EventSourceMapping').every((c) => c.action === 'unchanged')).toBe(true);
    writeFileSync(file, template(90, 10));
    const edited = await deploy(file, be, { skipValidation: true });
    expect(edited.changes.find((c) => c.logicalId === 'Jobs')).toMatchObject({ action: 'updated', detail: 'VisibilityTimeout' });
    expect(edited.changes.find((c) => c.logicalId === 'WorkerFromJobs')).toMatchObject({ action: 'updated' });
    expect((await attributes(first.queues.Jobs!)).VisibilityTimeout).toBe('90');
    const mapping = (await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:jobs' }))).EventSourceMappings![0]!;
    expect(mapping.BatchSize).toBe(10);
  }, 30_000);
});

describe('a mapping Lambda refuses', () => {
  // Lambda refuses an SQS mapping whose queue's visibility timeout is below the function's timeout,
  // so CloudFormation fails the deploy: the check says so first, and a deploy that gets there names where.
  const short = (visibility: string) => `
Transform: AWS::Serverless-2016-10-31
Resources:
  Slow:
    Type: AWS::SQS::Queue
    Properties: {${visibility}}
  SlowWorker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Timeout: 100
      InlineCode: exports.handler = async () => ({});
      Events:
        Work:
          Type: SQS
          Properties: { Queue: !GetAtt Slow.Arn }
`;

  it('is an error of the template check naming the queue, its visibility timeout and what to set', async () => {
    writeFileSync(path.join(dir, 'short.yaml'), short(''));
    writeFileSync(path.join(dir, 'long.yaml'), short(' VisibilityTimeout: 600 '));
    const report = await validateTemplate(path.join(dir, 'short.yaml'));
    expect(report.problems.filter((p) => p.severity === 'ERROR')).toEqual([
      expect.objectContaining({
        field: 'Resources.SlowWorker.Properties.Events.Work.Properties.Queue',
        message: expect.stringContaining("Queue visibility timeout: 30 seconds (Slow gives no VisibilityTimeout: SQS's default) is less than Function timeout: 100 seconds. Give Slow a VisibilityTimeout of at least 100"),
      }),
    ]);
    expect((await validateTemplate(path.join(dir, 'long.yaml'))).problems.filter((p) => p.severity === 'ERROR')).toEqual([]);
  });

  it("a deploy the service refuses names the template's resource, line and field, then the service's message and code", async () => {
    const failed = await deploy(path.join(dir, 'short.yaml'), be, { skipValidation: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(RehearseError);
    expect((failed as RehearseError).code).toBe('ERR_BAD_INPUT');
    expect((failed as Error).message).toMatch(
      /short\.yaml:7, field Resources\.SlowWorker\.Properties\.Events\.Work: the event source failed to deploy: Invalid request provided: Queue visibility timeout: 30 seconds is less than Function timeout: 100 seconds \(InvalidParameterValueException, HTTP 400\)$/,
    );
  }, 30_000);
});

describe('SNS topics fanned out to the template\'s queues', () => {
  it('an AWS::SNS::Subscription (raw) and a topic\'s inline Subscription deliver to their queues; a redeploy is unchanged', async () => {
    const fanout = path.join(dir, 'fanout.yaml');
    writeFileSync(
      fanout,
      `
Resources:
  Orders: { Type: AWS::SNS::Topic, Properties: { TopicName: orders, Subscription: [{ Protocol: sqs, Endpoint: !GetAtt Audit.Arn }] } }
  Audit: { Type: AWS::SQS::Queue, Properties: { QueueName: audit } }
  Billing: { Type: AWS::SQS::Queue, Properties: { QueueName: billing } }
  BillingSub:
    Type: AWS::SNS::Subscription
    Properties: { TopicArn: !Ref Orders, Protocol: sqs, Endpoint: !GetAtt Billing.Arn, RawMessageDelivery: true, FilterPolicy: { kind: [paid] } }
`,
    );
    const out = await deploy(fanout, be);
    expect(out.warnings).toEqual([]);
    expect(out.changes.filter((c) => c.type === 'AWS::SNS::Subscription').map((c) => [c.logicalId, c.action])).toEqual([
      ['BillingSub', 'created'],
      ['Orders0', 'created'],
    ]);
    const sns = new SNSClient(clientConfig(be.endpoint));
    try {
      await sns.send(new PublishCommand({ TopicArn: out.topics.Orders, Message: 'order 1 paid', MessageAttributes: { kind: { DataType: 'String', StringValue: 'paid' } } }));
      await sns.send(new PublishCommand({ TopicArn: out.topics.Orders, Message: 'order 2 placed', MessageAttributes: { kind: { DataType: 'String', StringValue: 'placed' } } }));
    } finally {
      sns.destroy();
    }
    const bodies = async (url: string, n: number) => {
      const got: string[] = [];
      for (let i = 0; i < 100 && got.length < n; i++) {
        got.push(...((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages ?? []).map((m) => m.Body!));
        if (got.length < n) await new Promise((r) => setTimeout(r, 10));
      }
      return got;
    };
    expect((await bodies(out.queues.Audit!, 2)).map((b) => (JSON.parse(b) as { Message: string }).Message).sort()).toEqual(['order 1 paid', 'order 2 placed']);
    expect(await bodies(out.queues.Billing!, 1)).toEqual(['order 1 paid']);
    const again = await deploy(fanout, be, { skipValidation: true });
    expect(again.changes.filter((c) => c.type === 'AWS::SNS::Subscription').every((c) => c.action === 'unchanged')).toBe(true);
  }, 30_000);
});

describe("a SAM SNS event's SqsSubscription", () => {
  it('puts a queue between the topic and the function: the handler gets SQS records whose body is the notification', async () => {
    const file = path.join(dir, 'sqs-subscription.yaml');
    writeFileSync(
      file,
      `
Transform: AWS::Serverless-2016-10-31
Resources:
  Alerts: { Type: AWS::SNS::Topic, Properties: { TopicName: alerts } }
  Pager:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: pager
      Runtime: nodejs20.x
      Handler: index.handler
      Timeout: 10
      Events:
        OnAlert: { Type: SNS, Properties: { Topic: !Ref Alerts, SqsSubscription: { BatchSize: 5 } } }
      InlineCode: |
        exports.handler = async (event) => {
          for (const r of event.Records) console.log('PAGE ' + r.eventSource + ' ' + JSON.parse(r.body).Type + ' ' + JSON.parse(r.body).Message);
        };
`,
    );
    const out = await deploy(file, be);
    expect(out.warnings).toEqual([]);
    expect(out.changes.filter((c) => c.logicalId.startsWith('PagerOnAlert')).map((c) => [c.type, c.logicalId, c.action])).toEqual([
      ['AWS::SQS::Queue', 'PagerOnAlertQueue', 'created'],
      ['AWS::SNS::Subscription', 'PagerOnAlertSubscription', 'created'],
      ['AWS::Lambda::EventSourceMapping', 'PagerOnAlertEventSourceMapping', 'created'],
    ]);
    const mapping = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'pager' }))).EventSourceMappings!;
    expect(mapping.map((m) => [m.EventSourceArn, m.BatchSize])).toEqual([['arn:aws:sqs:us-east-1:000000000000:PagerOnAlertQueue', 5]]);
    const sns = new SNSClient(clientConfig(be.endpoint));
    try {
      await sns.send(new PublishCommand({ TopicArn: out.topics.Alerts, Message: 'disk full' }));
    } finally {
      sns.destroy();
    }
    const logs = () => be.emulator.observations.snapshot().invocations.filter((x) => x.functionName === 'pager').map((x) => x.logs ?? '').join('');
    for (let i = 0; i < 400 && !logs().includes('PAGE'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(logs()).toContain('PAGE aws:sqs Notification disk full');
    const again = await deploy(file, be, { skipValidation: true });
    expect(again.changes.filter((c) => c.logicalId.startsWith('PagerOnAlert')).every((c) => c.action === 'unchanged')).toBe(true);
    // The queue SAM adds keeps SQS's default visibility timeout: a function slower than 30 s cannot be mapped to it.
    writeFileSync(file, readFileSync(file, 'utf8').replace('Timeout: 10', 'Timeout: 60'));
    const report = await validateTemplate(file);
    expect(report.problems.filter((p) => p.severity === 'ERROR')).toEqual([
      expect.objectContaining({ field: 'Resources.Pager.Properties.Events.OnAlert.Properties.SqsSubscription', message: expect.stringContaining("the queue SqsSubscription adds has SQS's default visibility timeout (30 seconds), less than Function timeout: 60 seconds") }),
    ]);
  }, 30_000);
});

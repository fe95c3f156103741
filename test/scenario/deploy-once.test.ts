/**
 * Deploy once per worker (embedded backend): scenarios with the same deploy
 * key start from a restored snapshot of one deploy, and still cannot see
 * anything of each other — objects, items, messages, executions, a Lambda's
 * module state — nor draw other ids than a scenario deployed on its own
 * endpoint would. Real HTTP, real clients, through runSuite.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../harness/backends/index.ts';
import { ProjectResolver } from '../../harness/project/resolve.ts';
import { loadScenario } from '../../harness/scenario/loader.ts';
import type { ScenarioResult } from '../../harness/scenario/results.ts';
import { defaultDeploy, runScenario, type DeployFn } from '../../harness/scenario/runner.ts';
import { runSuite } from '../../harness/scenario/suite.ts';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting: { Type: String, Default: hello }
Resources:
  Store:
    Type: AWS::S3::Bucket
    Properties: { BucketName: store }
  Notes:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: notes
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
  Outbox:
    Type: AWS::SQS::Queue
    Properties: { QueueName: outbox }
  Counter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: counter
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Environment: { Variables: { QUEUE_URL: !Ref Outbox, GREETING: !Ref Greeting } }
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: flow
      Definition:
        StartAt: Count
        States:
          Count:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: { FunctionName: counter, Payload.$: $ }
            OutputPath: $.Payload
            End: true
`;

// Module state (the counter) and what the handler finds before it writes its own: all must start empty in each scenario.
const HANDLER = `import { S3Client, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient, ScanCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
const s3 = new S3Client({ forcePathStyle: true });
const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
let count = 0;
export const handler = async (event, context) => {
  count++;
  const objectsBefore = (await s3.send(new ListObjectsV2Command({ Bucket: 'store' }))).KeyCount ?? 0;
  const itemsBefore = (await dynamodb.send(new ScanCommand({ TableName: 'notes' }))).Count ?? 0;
  const messagesBefore = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: process.env.QUEUE_URL, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }))).Messages?.length ?? 0;
  await s3.send(new PutObjectCommand({ Bucket: 'store', Key: 'written/' + event.tag, Body: event.tag }));
  await dynamodb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: event.tag } } }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.tag }));
  return { count, objectsBefore, itemsBefore, messagesBefore, greeting: process.env.GREETING, requestId: context.awsRequestId };
};
`;

const scenario = (name: string, tag: string, extra = '') => `name: ${name}
workflow: flow
${extra}when:
  - start: { input: { tag: ${tag} } }
then:
  execution: { status: SUCCEEDED, output: { count: 1, objectsBefore: 0, itemsBefore: 0, messagesBefore: 0 } }
  executions: { workflow: flow, count: 1 }
  invocations: { counter: 1 }
  coldStarts: { counter: 1 }
  objects:
    - { bucket: store, prefix: written/, count: 1 }
    - { bucket: store, key: written/${tag} }
  tables: { notes: { count: 1 } }
  items: { notes: [{ id: ${tag} }] }
  messages: { outbox: { count: 1, bodies: [${tag}] } }
`;

const FILES: Record<string, string> = {
  'template.yaml': TEMPLATE,
  'src/app.mjs': HANDLER,
  'scenarios/a-first.yaml': scenario('first', 'a'),
  'scenarios/b-second.yaml': scenario('second', 'b'),
  'scenarios/c-third.yaml': scenario('third', 'c'),
  'scenarios/d-other-parameters.yaml': scenario('other parameters', 'd', 'given:\n  parameters: { Greeting: bonjour }\n'),
};

describe('deploy once per worker', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rehearse-deploy-once-'));
    mkdirSync(join(dir, '.git'));
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const failures = (r: ScenarioResult) => JSON.stringify(r.reason ?? r.checks.filter((c) => c.status !== 'passed'));
  const output = (r: ScenarioResult) => r.executions[0]?.output as { count: number; greeting: string; requestId: string } | undefined;

  it('deploys once per deploy key; no scenario sees objects, items, messages, executions or module state of the one before', async () => {
    const deployed: Array<Record<string, string> | undefined> = [];
    const counting: DeployFn = async (backend, options) => {
      deployed.push(options.parameters);
      await defaultDeploy(backend, options);
    };
    const report = await runSuite({ paths: [], cwd: dir, seed: 'once', workers: 1, deploy: counting });
    expect(report.scenarios.map((s) => s.name)).toEqual(['first', 'second', 'third', 'other parameters']);
    for (const s of report.scenarios) expect(s.status, `${s.name}: ${failures(s)}`).toBe('passed');
    // first, second and third share a key; other parameters has its own.
    expect(deployed).toEqual([undefined, { Greeting: 'bonjour' }]);
    expect(report.deploys).toBe(2);
    expect(report.scenarios.map((s) => output(s)?.greeting)).toEqual(['hello', 'hello', 'hello', 'bonjour']);
  });

  it('gives each scenario the ids it would have on an endpoint of its own, whatever ran before it on the worker', async () => {
    const suite = await runSuite({ paths: [], cwd: dir, seed: 'ids', workers: 1 });
    const alone = await runSuite({ paths: ['scenarios/c-third.yaml'], cwd: dir, seed: 'ids', workers: 1 });
    // The third scenario on a fresh endpoint with a deploy of its own (the per-scenario path).
    const loaded = await loadScenario(join(dir, 'scenarios/c-third.yaml'));
    const third = suite.scenarios.find((s) => s.name === 'third')!;
    const backend = await createBackend('embedded', { seed: third.seed });
    let fresh: ScenarioResult;
    try {
      fresh = await runScenario(loaded, { backend, seed: third.seed, cwd: dir, projects: new ProjectResolver({}, dir) });
    } finally {
      await backend.dispose();
    }
    for (const r of [third, alone.scenarios[0]!, fresh]) expect(r.status, failures(r)).toBe('passed');
    const ids = (r: ScenarioResult) => ({ execution: r.executions[0]!.name, requestId: output(r)!.requestId, events: r.executions[0]!.history.map((e) => `${e.id} ${e.type}`) });
    expect(ids(alone.scenarios[0]!)).toEqual(ids(third));
    expect(ids(fresh)).toEqual(ids(third));
    // Different scenarios draw from different seeds.
    expect(ids(suite.scenarios.find((s) => s.name === 'second')!).execution).not.toBe(ids(third).execution);
  });
});

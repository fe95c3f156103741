/**
 * A deploy learns what the backend already holds from one listing per kind
 * (DeployScope.before), not from a lookup per resource: resources that exist
 * before the deploy — made by someone else, with other settings, and for
 * functions on the listing's second page — are found and updated, never
 * created again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { deploy } from '../../harness/deploy/index.ts';

const DEFINITION = (result: string) => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });

let root: string;
let be: EmbeddedBackend;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'rehearse-existing-'));
  const code = path.join(root, 'fn');
  mkdirSync(code);
  writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => "ok";\n');
  mkdirSync(path.join(root, 'workflows'));
  writeFileSync(
    path.join(root, 'workflows', 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: z-fn, CodeUri: ../fn/, Handler: index.handler, Runtime: nodejs20.x, MemorySize: 256 }
  Queue:
    Type: AWS::SQS::Queue
    Properties: { QueueName: jobs, VisibilityTimeout: 45 }
  Topic:
    Type: AWS::SNS::Topic
    Properties: { TopicName: alerts }
  Bucket:
    Type: AWS::S3::Bucket
    Properties: { BucketName: uploads }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: notes
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
  Config:
    Type: AWS::SecretsManager::Secret
    Properties: { Name: app/config, SecretString: '{"mode":"new"}' }
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: flow
      Definition: { StartAt: P, States: { P: { Type: Pass, Result: new, End: true } } }
`,
  );
  be = await startEmbedded({ log: false });
  const config = { endpoint: be.endpoint, region: be.region, credentials: be.credentials };
  const lambda = new LambdaClient(config);
  // 50 functions sort before z-fn: ListFunctions answers 50 a page, so z-fn is on the second.
  for (const name of [...Array.from({ length: 50 }, (_, i) => `a-${String(i).padStart(2, '0')}`), 'z-fn']) {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/r', MemorySize: 128, Code: { S3Bucket: 'hot-reload', S3Key: code } }));
  }
  await new SQSClient(config).send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '30' } }));
  await new SNSClient(config).send(new CreateTopicCommand({ Name: 'alerts' }));
  await new S3Client({ ...config, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'uploads' }));
  await new DynamoDBClient(config).send(
    new CreateTableCommand({ TableName: 'notes', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }),
  );
  await new SecretsManagerClient(config).send(new CreateSecretCommand({ Name: 'app/config', SecretString: '{"mode":"old"}' }));
  await new SFNClient(config).send(new CreateStateMachineCommand({ name: 'flow', definition: DEFINITION('old'), roleArn: 'arn:aws:iam::000000000000:role/r' }));
}, 60_000);

afterAll(async () => {
  await be?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('deploy onto resources that already exist', () => {
  it('finds each one in its kind’s listing and updates it instead of creating it', async () => {
    const out = await deploy(path.join(root, 'workflows', 'template.yaml'), be, { log: () => {} });
    const actions = Object.fromEntries(out.changes.map((c) => [c.logicalId, c.action]));
    expect(actions).toEqual({ Fn: 'updated', Queue: 'updated', Topic: 'unchanged', Bucket: 'unchanged', Table: 'unchanged', Config: 'updated', Flow: 'updated' });
    const config = { endpoint: be.endpoint, region: be.region, credentials: be.credentials };
    expect((await new LambdaClient(config).send(new GetFunctionConfigurationCommand({ FunctionName: 'z-fn' }))).MemorySize).toBe(256);
    const queueUrl = out.queues.Queue!;
    expect((await new SQSClient(config).send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }))).Attributes?.VisibilityTimeout).toBe('45');
    expect((await new SecretsManagerClient(config).send(new GetSecretValueCommand({ SecretId: 'app/config' }))).SecretString).toBe('{"mode":"new"}');
    const flow = await new SFNClient(config).send(new DescribeStateMachineCommand({ stateMachineArn: out.stateMachines.Flow! }));
    expect(JSON.parse(flow.definition!).States.P.Result).toBe('new');
  });
});

/**
 * Snapshot and restore over the control API, with real clients: what a
 * scenario did — objects, secret versions, topics, executions, faults,
 * observations, clock moves, a Lambda's module state — is gone after a
 * restore, and the same seed gives the same ids whatever ran before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { VirtualClock } from '../../../harness/core/index.ts';
import { ControlApiError, ControlClient } from '../../../harness/backends/control-client.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { s3Client } from '../../support/clients.ts';
import { CREDENTIALS, fixtureZip, lambdaClient, ROLE, text } from '../lambda/support.ts';

const START = Date.UTC(2030, 0, 1);
const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: CREDENTIALS });
const WARM_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:warm';
const CALL_WARM = JSON.stringify({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: WARM_ARN, End: true } } });
const WAIT_FOR_TOKEN = JSON.stringify({
  StartAt: 'Ask',
  States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'warm', 'Payload.$': '$' }, End: true } },
});

describe('snapshot and restore', () => {
  let em: Emulator;
  let control: ControlClient;
  let s3: S3Client;
  let lambda: LambdaClient;
  let secrets: SecretsManagerClient;
  let sns: SNSClient;
  let sfn: SFNClient;
  let dynamodb: DynamoDBClient;
  let snapshot: string;
  let machineArn: string;

  const invokeWarm = async () => JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'warm', Payload: Buffer.from('{}') }))).Payload)) as { invocations: number; pid: number };
  const finished = async (executionArn: string) => {
    for (;;) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    em = await startEmulator({ clock: new VirtualClock({ start: START }), seed: 'deploy', log: false });
    control = new ControlClient(em.endpoint);
    s3 = s3Client(em.endpoint);
    lambda = lambdaClient(em.endpoint);
    secrets = new SecretsManagerClient(config(em.endpoint));
    sns = new SNSClient(config(em.endpoint));
    sfn = new SFNClient(config(em.endpoint));
    dynamodb = new DynamoDBClient(config(em.endpoint));
    // "The deployment".
    await s3.send(new CreateBucketCommand({ Bucket: 'images' }));
    await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'deployed.txt', Body: 'from the deploy' }));
    await secrets.send(new CreateSecretCommand({ Name: 'config', SecretString: 'v1' }));
    await sns.send(new CreateTopicCommand({ Name: 'deployed' }));
    await dynamodb.send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await dynamodb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'deployed' } } }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'warm', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: fixtureZip('node', ['index.mjs=warm.mjs']) } }));
    machineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'call-warm', definition: CALL_WARM, roleArn: ROLE }))).stateMachineArn!;
    snapshot = await control.snapshot();
  });
  afterAll(async () => {
    for (const c of [s3, lambda, secrets, sns, sfn, dynamodb]) c?.destroy();
    await em?.dispose();
  });

  it("leaves nothing of a scenario's objects, secrets, topics, executions, faults, observations, clock or Lambda module state", async () => {
    // Scenario A.
    await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'scenario-a.txt', Body: 'a' }));
    await secrets.send(new PutSecretValueCommand({ SecretId: 'config', SecretString: 'v2' }));
    await sns.send(new CreateTopicCommand({ Name: 'scenario-a' }));
    await dynamodb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'scenario-a' } } }));
    const first = await invokeWarm();
    expect((await invokeWarm()).invocations).toBe(2);
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{}' }));
    expect((await finished(a.executionArn!)).status).toBe('SUCCEEDED');
    await control.setFaults({ functions: [{ function: 'warm', throw: { errorType: 'Boom' } }] });
    await control.advance(3_600_000);
    expect((await control.observations()).invocations.length).toBe(3);

    await control.restore(snapshot, 'scenario-b');

    // Scenario B sees the deployment and nothing else.
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'images' }))).Contents?.map((o) => o.Key);
    expect(keys).toEqual(['deployed.txt']);
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: 'config' }))).SecretString).toBe('v1');
    expect((await secrets.send(new ListSecretVersionIdsCommand({ SecretId: 'config' }))).Versions).toHaveLength(1);
    expect((await sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn?.split(':').pop())).toEqual(['deployed']);
    expect((await dynamodb.send(new ScanCommand({ TableName: 'orders' }))).Items).toEqual([{ id: { S: 'deployed' } }]);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }))).executions).toEqual([]);
    expect(await control.faults()).toEqual({});
    expect((await control.observations()).invocations).toEqual([]);
    expect((await control.clock()).now).toBe(START);
    // A fresh execution environment: module state starts over, and the cold start is counted.
    const again = await invokeWarm();
    expect(again.invocations).toBe(1);
    expect(again.pid).not.toBe(first.pid);
    expect((await control.observations()).invocations.map((i) => i.coldStart)).toEqual([true]);
  });

  it('gives the same ids for the same seed, whatever ran before', async () => {
    const startOne = async () => (await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: '{}' }))).executionArn!;
    await control.restore(snapshot, 'seed-1');
    const one = await startOne();
    await finished(one);
    await invokeWarm();
    await control.restore(snapshot, 'seed-1');
    const again = await startOne();
    await finished(again);
    await control.restore(snapshot, 'seed-2');
    const other = await startOne();
    await finished(other);
    expect(again).toBe(one);
    expect(other).not.toBe(one);
  });

  it('stops what is still running: a waiting execution leaves no trace after a restore', async () => {
    await control.restore(snapshot, 'running');
    const waiting = (await sfn.send(new CreateStateMachineCommand({ name: 'waits', definition: WAIT_FOR_TOKEN, roleArn: ROLE }))).stateMachineArn!;
    await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting, input: '{}' }));
    // A running execution cannot be copied: the snapshot is refused, saying why.
    await expect(control.snapshot()).rejects.toMatchObject({ status: 409, code: 'SnapshotFailed', message: expect.stringContaining('executions run') });
    await control.restore(snapshot, 'after');
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }))).executions).toEqual([]);
    await expect(sfn.send(new ListExecutionsCommand({ stateMachineArn: waiting }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('refuses an invocation still queued for an environment when the restore comes, instead of running it afterwards', async () => {
    const one = await startEmulator({ clock: new VirtualClock({ start: START }), seed: 'one-slot', maxEnvironments: 1, log: false });
    const client = lambdaClient(one.endpoint);
    try {
      await client.send(new CreateFunctionCommand({ FunctionName: 'warm', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: fixtureZip('node', ['index.mjs=warm.mjs']) } }));
      const deployed = await one.snapshot();
      const invoke = (payload: unknown) => client.send(new InvokeCommand({ FunctionName: 'warm', Payload: Buffer.from(JSON.stringify(payload)) }));
      // The only slot is busy for 3 s; the second invocation queues behind it.
      const busy = invoke({ waitMs: 3000 }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      const queued = invoke({ queued: true }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      await one.restore(deployed, { seed: 'next' });
      await busy;
      // Refused, not run after the restore: it belonged to the scenario before.
      const refused = await queued;
      expect(refused).toBeInstanceOf(Error);
      expect(String((refused as Error).message)).toContain('snapshot restore');
      // What the next scenario invokes runs in a fresh environment, and is all that ran since the restore.
      const fresh = JSON.parse(text((await invoke({ next: true })).Payload)) as { invocations: number };
      expect(fresh.invocations).toBe(1);
      await new Promise((r) => setTimeout(r, 500));
      const since = one.observations.snapshot().invocations;
      expect(since.map((i) => i.coldStart)).toEqual([true]);
      expect(since[0]!.logs).toContain('"next":true');
    } finally {
      client.destroy();
      await one.dispose();
    }
  });

  it('lets a request still being served finish before putting everything back, so its write does not land after the restore', async () => {
    const real = await startEmulator({ services: ['s3'], clock: 'real', seed: 'straggler', log: false });
    const client = s3Client(real.endpoint);
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'images' }));
      const empty = await real.snapshot();
      // The write is answered 800 ms after it arrives (wall clock): the restore comes in between.
      real.faults.install({ operations: [{ service: 's3', operation: 'PutObject', latencyMs: 800 }] });
      const write = client.send(new PutObjectCommand({ Bucket: 'images', Key: 'late.txt', Body: 'from the scenario before' }));
      await new Promise((r) => setTimeout(r, 200));
      await real.restore(empty, { seed: 'next' });
      await write;
      expect((await client.send(new ListObjectsV2Command({ Bucket: 'images' }))).Contents ?? []).toEqual([]);
    } finally {
      client.destroy();
      await real.dispose();
    }
  });

  it('rejects unknown snapshots and bad restore requests', async () => {
    await expect(control.restore('snapshot-999')).rejects.toMatchObject({ status: 404, code: 'NoSuchSnapshot' });
    await expect(control.restore(snapshot, '')).rejects.toBeInstanceOf(ControlApiError);
    await expect(control.discardSnapshot('nope')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses to snapshot state it cannot copy (S3 objects on disk) instead of copying part of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-snap-'));
    const persisted = await startEmulator({ services: ['s3'], dataDir: dir, log: false });
    try {
      await expect(new ControlClient(persisted.endpoint).snapshot()).rejects.toMatchObject({ status: 409, message: expect.stringContaining('data directory') });
    } finally {
      await persisted.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Service integrations as Step Functions makes them: aws-sdk:* calls to the
 * endpoint's own S3 and Secrets Manager, the optimised sns:publish and
 * states:startExecution.sync:2, plus StartSyncExecution (host prefix `sync-`)
 * and TestState.
 */
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineTypeNotSupported,
  TestStateCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client, snsClient } from '../../support/clients.ts';
import { createNodeFunction, ROLE, startEndpoint } from './fixtures.ts';

let env: Awaited<ReturnType<typeof startEndpoint>>;
let sfn: SFNClient;

beforeAll(async () => {
  env = await startEndpoint();
  sfn = env.sfn;
});
afterAll(async () => {
  await env?.emulator.dispose();
});

async function run(name: string, definition: unknown, input: unknown = {}, type: 'STANDARD' | 'EXPRESS' = 'STANDARD') {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, type }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  for (let i = 0; i < 500; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${name} still RUNNING`);
}

describe('aws-sdk integrations', () => {
  it('writes and reads S3 through aws-sdk:s3:putObject/getObject', async () => {
    await s3Client(env.endpoint).send(new CreateBucketCommand({ Bucket: 'sfn-io' }));
    const d = await run('s3-io', {
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
          Parameters: { Bucket: 'sfn-io', Key: 'out/report.json', 'Body.$': 'States.JsonToString($.report)' },
          ResultPath: null,
          Next: 'Get',
        },
        Get: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Parameters: { Bucket: 'sfn-io', Key: 'out/report.json' },
          ResultSelector: { 'body.$': 'States.StringToJson($.Body)' },
          End: true,
        },
      },
    }, { report: { images: 3 } });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ body: { images: 3 } });
    const obj = await s3Client(env.endpoint).send(new GetObjectCommand({ Bucket: 'sfn-io', Key: 'out/report.json' }));
    expect(await obj.Body!.transformToString()).toBe('{"images":3}');
  });

  it('names service errors <Service>.<Code> so Catch can match them', async () => {
    const d = await run('secret-missing', {
      StartAt: 'Read',
      States: {
        Read: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:secretsmanager:getSecretValue',
          Parameters: { SecretId: 'image-processor/nope' },
          Catch: [{ ErrorEquals: ['SecretsManager.ResourceNotFoundException'], Next: 'Missing' }],
          End: true,
        },
        Missing: { Type: 'Pass', End: true },
      },
    });
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!).Error).toBe('SecretsManager.ResourceNotFoundException');
  });

  it('publishes a JSON message with the optimised sns:publish, observable through the control API', async () => {
    const { TopicArn } = await snsClient(env.endpoint).send(new CreateTopicCommand({ Name: 'image-events' }));
    const d = await run('notify', {
      StartAt: 'Notify',
      States: {
        Notify: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sns:publish',
          Parameters: { TopicArn, Message: { 'key.$': '$.key', status: 'done' } },
          End: true,
        },
      },
    }, { key: 'raw/cat.jpg' });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!) as { MessageId: string; SdkHttpMetadata: { HttpStatusCode: number } };
    expect(out.MessageId).toMatch(/\S+/);
    expect(out.SdkHttpMetadata.HttpStatusCode).toBe(200);
    const obs = (await (await fetch(`${env.endpoint}/_rehearse/observations`)).json()) as { snsMessages: Array<{ topicArn: string; message: string }> };
    const sent = obs.snsMessages.find((m) => m.topicArn === TopicArn);
    expect(JSON.parse(sent!.message)).toEqual({ key: 'raw/cat.jpg', status: 'done' });
  });

  it('runs a child execution with states:startExecution.sync:2 and returns its parsed output', async () => {
    const { stateMachineArn: child } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'child',
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, $.n)' }, End: true } } }),
      }),
    );
    const d = await run('parent', {
      StartAt: 'Child',
      States: {
        Child: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: child, Input: { 'n.$': '$.n' } },
          ResultSelector: { 'childOutput.$': '$.Output', 'status.$': '$.Status' },
          End: true,
        },
      },
    }, { n: 21 });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ childOutput: { n: 42 }, status: 'SUCCEEDED' });
  });
});

describe('StartSyncExecution and TestState (host prefix sync-)', () => {
  it('runs an EXPRESS machine synchronously and refuses STANDARD ones', async () => {
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } });
    const express = await sfn.send(new CreateStateMachineCommand({ name: 'express', definition, roleArn: ROLE, type: 'EXPRESS' }));
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express.stateMachineArn, input: '{}' }));
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ ok: true });
    expect(out.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:express:/);
    const standard = await sfn.send(new CreateStateMachineCommand({ name: 'standard-sync', definition, roleArn: ROLE }));
    await expect(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: standard.stateMachineArn }))).rejects.toBeInstanceOf(
      StateMachineTypeNotSupported,
    );
  });

  it('TestState runs one state: output, next state, caught and retriable errors', async () => {
    const pass = await sfn.send(
      new TestStateCommand({
        roleArn: ROLE,
        definition: JSON.stringify({ Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, Next: 'After' }),
        input: '{"a":1,"b":2}',
      }),
    );
    expect(pass).toMatchObject({ status: 'SUCCEEDED', nextState: 'After' });
    expect(JSON.parse(pass.output!)).toEqual({ sum: 3 });

    const fails = await createNodeFunction(env.lambda, 'always-fails', "export const handler = async () => { const e = new Error('boom'); e.name = 'Flaky'; throw e; };");
    const caught = await sfn.send(
      new TestStateCommand({
        roleArn: ROLE,
        definition: JSON.stringify({ Type: 'Task', Resource: fails, Catch: [{ ErrorEquals: ['Flaky'], Next: 'Recover' }], End: true }),
        input: '{}',
      }),
    );
    expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Recover', error: 'Flaky' });
    const retriable = await sfn.send(
      new TestStateCommand({
        roleArn: ROLE,
        definition: JSON.stringify({ Type: 'Task', Resource: fails, Retry: [{ ErrorEquals: ['Flaky'] }], End: true }),
        input: '{}',
      }),
    );
    expect(retriable).toMatchObject({ status: 'RETRIABLE', error: 'Flaky' });
  });
});

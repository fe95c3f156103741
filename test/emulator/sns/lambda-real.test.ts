/**
 * Publish → a lambda subscription on the embedded Lambda service: the real
 * function is invoked asynchronously with the SNS event record.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import type { ObservationsSnapshot } from '../../../harness/emulator/observations.ts';
import type { SnsLambdaEvent } from '../../../harness/emulator/sns/delivery.ts';

const LAMBDA_READY = existsSync(new URL('../../../harness/emulator/lambda/index.ts', import.meta.url));
const FN_DIR = fileURLToPath(new URL('./fixtures/sns-fn', import.meta.url));
const CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };

describe.skipIf(!LAMBDA_READY)('SNS → real Lambda subscription (embedded Lambda service)', () => {
  let emu: Emulator;
  let sns: SNSClient;
  let lambda: LambdaClient;

  beforeAll(async () => {
    emu = await startEmulator({ services: ['sns', 'lambda'], log: false });
    sns = new SNSClient({ endpoint: emu.endpoint, ...CONFIG });
    lambda = new LambdaClient({ endpoint: emu.endpoint, ...CONFIG });
  });
  afterAll(async () => {
    sns?.destroy();
    lambda?.destroy();
    await emu?.dispose();
  });

  it('invokes the subscribed function (Event) with the SNS record', async () => {
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'notify-user',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/r',
        Code: { S3Bucket: 'hot-reload', S3Key: FN_DIR },
      }),
    );
    for (let i = 0; i < 100; i++) {
      const f = await lambda.send(new GetFunctionCommand({ FunctionName: 'notify-user' }));
      if (f.Configuration?.State !== 'Pending') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'image-done' }));
    const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn.FunctionArn }));
    const pub = await sns.send(new PublishCommand({ TopicArn, Message: 'cat.jpg done', Subject: 'Done', MessageAttributes: { kind: { DataType: 'String', StringValue: 'done' } } }));

    let logs = '';
    for (let i = 0; i < 200 && !logs.includes('SNS_EVENT'); i++) {
      const obs = (await (await fetch(`${emu.endpoint}/_rehearse/observations`)).json()) as ObservationsSnapshot;
      const inv = obs.invocations.find((x) => x.functionName === 'notify-user' && x.endTime !== undefined);
      logs = inv?.logs ?? '';
      if (!logs.includes('SNS_EVENT')) await new Promise((r) => setTimeout(r, 50));
    }
    const line = logs.split('\n').find((l) => l.includes('SNS_EVENT '))!;
    const event = JSON.parse(line.slice(line.indexOf('SNS_EVENT ') + 'SNS_EVENT '.length)) as SnsLambdaEvent;
    expect(event.Records[0]).toMatchObject({
      EventSource: 'aws:sns',
      EventSubscriptionArn: sub.SubscriptionArn,
      Sns: { Type: 'Notification', MessageId: pub.MessageId, TopicArn, Subject: 'Done', Message: 'cat.jpg done', MessageAttributes: { kind: { Type: 'String', Value: 'done' } } },
    });
    const obs = (await (await fetch(`${emu.endpoint}/_rehearse/observations`)).json()) as ObservationsSnapshot;
    expect(obs.invocations.find((x) => x.functionName === 'notify-user')!.invocationType).toBe('Event');
  });
});

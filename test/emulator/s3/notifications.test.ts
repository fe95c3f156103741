/**
 * Bucket notifications → Lambda: configuration round trip through the SDK,
 * prefix/suffix filters, and the AWS S3 event record shape handed to
 * deps.lambda().invoke({ invocationType: 'Event' }). The Lambda side is a
 * recording invoker so this runs whatever state the Lambda service is in.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createIdSource, SystemClock } from '../../../harness/core/index.ts';
import { FaultRegistry } from '../../../harness/emulator/faults.ts';
import { Observations } from '../../../harness/emulator/observations.ts';
import { createS3Service } from '../../../harness/emulator/s3/index.ts';
import type { LambdaInvoker } from '../../../harness/emulator/service-deps.ts';
import { createProtocolHandler } from '../../../harness/protocol/http-handler.ts';
import { s3Client } from '../../support/clients.ts';

type Invocation = Parameters<LambdaInvoker['invoke']>[0];
const invocations: Invocation[] = [];
let server: Server;
let endpoint = '';
let s3: S3Client;
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:resize-image';

beforeAll(async () => {
  const clock = new SystemClock();
  const deps = {
    clock,
    ids: createIdSource(3),
    region: 'us-east-1',
    accountId: '000000000000',
    observations: new Observations(),
    faults: new FaultRegistry(),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    endpoint: () => endpoint,
    lambda: (): LambdaInvoker => ({
      invoke: async (request) => {
        invocations.push(request);
        return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId: 'r' };
      },
    }),
  };
  const service = await createS3Service(deps);
  const handler = createProtocolHandler({ ...deps, services: service.protocols, ids: createIdSource(4) });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s3 = s3Client(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'images' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'images',
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Id: 'raw-jpegs', LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }, { Name: 'suffix', Value: '.jpg' }] } } },
          { Id: 'removals', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:audit', Events: ['s3:ObjectRemoved:Delete'] },
        ],
      },
    }),
  );
});
afterAll(async () => {
  s3?.destroy();
  await new Promise((r) => server.close(r));
});

describe('S3 bucket notifications', () => {
  it('reads the configuration back as written', async () => {
    const cfg = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'images' }));
    expect(cfg.LambdaFunctionConfigurations).toHaveLength(2);
    expect(cfg.LambdaFunctionConfigurations![0]).toMatchObject({ Id: 'raw-jpegs', LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:*'] });
    expect(cfg.LambdaFunctionConfigurations![0]!.Filter?.Key?.FilterRules?.map((r) => r.Value)).toEqual(['raw/', '.jpg']);
  });

  it('a matching PUT invokes the function asynchronously with the AWS event record; non-matching keys do not', async () => {
    invocations.length = 0;
    await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'raw/my cat.jpg', Body: 'jpeg bytes' }));
    await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'raw/notes.txt', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'resized/cat.jpg', Body: 'x' }));
    expect(invocations).toHaveLength(1);
    const inv = invocations[0]!;
    expect(inv.functionName).toBe(FN);
    expect(inv.invocationType).toBe('Event');
    const event = JSON.parse(inv.payload) as { Records: Array<Record<string, unknown>> };
    expect(event.Records).toHaveLength(1);
    const rec = event.Records[0]!;
    expect(rec).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:test' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'raw-jpegs',
        bucket: { name: 'images', arn: 'arn:aws:s3:::images' },
        object: { key: 'raw/my+cat.jpg', size: 10, eTag: createHash('md5').update('jpeg bytes').digest('hex') },
      },
    });
    expect(new Date(rec.eventTime as string).toISOString()).toBe(rec.eventTime);
    expect((rec.s3 as { object: { sequencer: string } }).object.sequencer).toMatch(/^[0-9A-F]+$/);
  });

  it('copy and delete events carry their own names (ObjectCreated:Copy, ObjectRemoved:Delete)', async () => {
    invocations.length = 0;
    await s3.send(new CopyObjectCommand({ Bucket: 'images', Key: 'raw/copy.jpg', CopySource: 'images/raw/my%20cat.jpg' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'raw/copy.jpg' }));
    const names = invocations.map((i) => [(i.functionName.split(':').pop()), (JSON.parse(i.payload) as { Records: Array<{ eventName: string }> }).Records[0]!.eventName]);
    expect(names).toEqual([
      ['resize-image', 'ObjectCreated:Copy'],
      ['audit', 'ObjectRemoved:Delete'],
    ]);
  });

  it('an unknown event or filter rule is rejected with InvalidArgument', async () => {
    await expect(
      s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'images', NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:Nope' as 's3:ObjectCreated:*'] }] } })),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(
      s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'images', NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'infix' as 'prefix', Value: 'x' }] } } }] } })),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});

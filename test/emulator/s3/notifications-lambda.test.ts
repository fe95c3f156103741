/**
 * End to end: an object PUT by one client triggers a real Lambda function
 * (run by the Lambda service's runtime), which reads the event and writes a
 * marker object back through S3 with its own SDK client — the path the image
 * workflow takes. Skipped when the Lambda service is not available.
 */
import { existsSync } from 'node:fs';
import AdmZip from 'adm-zip';
import { describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { startEmulator } from '../../../harness/emulator/index.ts';
import { lambdaClient, s3Client } from '../../support/clients.ts';
import { ControlClient } from '../../../harness/backends/control-client.ts';

const hasLambda = existsSync(new URL('../../../harness/emulator/lambda/index.ts', import.meta.url));

const HANDLER = `
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async (event) => {
  const r = event.Records[0];
  const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, ' '));
  console.log('got', r.eventName, key);
  await s3.send(new PutObjectCommand({ Bucket: r.s3.bucket.name, Key: 'seen/' + key + '.json', Body: JSON.stringify({ eventName: r.eventName, size: r.s3.object.size, source: r.eventSource }) }));
  return 'ok';
};
`;

describe.skipIf(!hasLambda)('S3 notification → Lambda (real runtime; skipped when harness/emulator/lambda is absent)', () => {
  it('a PUT under raw/ runs the function, which writes seen/<key>.json back to S3', async () => {
    await using em = await startEmulator({ services: ['s3', 'lambda'], log: false });
    const s3 = s3Client(em.endpoint);
    const lambda = lambdaClient(em.endpoint);
    const zip = new AdmZip();
    zip.addFile('index.mjs', Buffer.from(HANDLER));
    const fn = await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'on-upload', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/lambda', Code: { ZipFile: zip.toBuffer() }, Timeout: 60 }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'uploads',
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: fn.FunctionArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }] } } }] },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'raw/a cat.jpg', Body: 'not really a jpeg' }));

    let marker: string | undefined;
    for (let i = 0; i < 240 && marker === undefined; i++) {
      try {
        marker = await (await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'seen/raw/a cat.jpg.json' }))).Body!.transformToString();
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    expect(JSON.parse(marker ?? 'null')).toEqual({ eventName: 'ObjectCreated:Put', size: 17, source: 'aws:s3' });
    const obs = await new ControlClient(em.endpoint).observations();
    expect(obs.invocations.filter((i) => i.functionName.endsWith('on-upload')).map((i) => i.invocationType)).toEqual(['Event']);
    s3.destroy();
    lambda.destroy();
  }, 120_000);
});

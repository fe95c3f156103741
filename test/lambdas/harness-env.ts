/**
 * Runs the production handlers in this process against the embedded endpoint:
 * the handlers' SDK clients find it through AWS_ENDPOINT_URL, exactly as under
 * the Rehearse Lambda runtime or LocalStack.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { startEmulator } from '../../harness/emulator/index.ts';
import type { Emulator } from '../../harness/emulator/index.ts';
import { clearConfigCache } from '../../lambdas/shared/config.ts';
import { s3Client, secretsManagerClient, snsClient, TEST_CREDENTIALS } from '../support/clients.ts';

export const BUCKET = 'images';
export const SECRET_ID = 'image-processor/config';

export interface HandlerEnv {
  em: Emulator;
  put(key: string, body: Buffer, contentType?: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  setConfig(value: unknown): Promise<void>;
  topic(name: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function startHandlerEnv(services = ['s3', 'secretsmanager', 'sns']): Promise<HandlerEnv> {
  const em = await startEmulator({ log: false, services });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: em.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    CONFIG_SECRET_ID: SECRET_ID,
    // Every invocation reads the secret, so each test sees the configuration it just wrote.
    CONFIG_CACHE_TTL_SECONDS: '0',
  });
  clearConfigCache();
  const s3 = s3Client(em.endpoint);
  const sm = secretsManagerClient(em.endpoint);
  const sns = snsClient(em.endpoint);
  if (services.includes('s3')) await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  let secretExists = false;
  return {
    em,
    async put(key, body, contentType) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }));
    },
    async get(key) {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    },
    async setConfig(value) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (!secretExists) await sm.send(new CreateSecretCommand({ Name: SECRET_ID, SecretString: text }));
      else await sm.send(new PutSecretValueCommand({ SecretId: SECRET_ID, SecretString: text }));
      secretExists = true;
    },
    async topic(name) {
      return (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
    },
    async dispose() {
      for (const c of [s3, sm, sns]) c.destroy();
      await em.dispose();
    },
  };
}

/**
 * `given.objects` are the world as it was before the scenario: objects that
 * were uploaded, and their notifications handled, long before. So putting
 * them must not start anything — an object under a prefix the bucket
 * notifies on would otherwise start a second execution that takes the
 * scenario's injected faults (a `--real-lambdas` replay with the objects its
 * handlers read, for one). Each bucket's notification configuration is taken
 * off while its objects are put and put back after, through the S3 API, so
 * this holds on every backend. An upload in `when` notifies as usual.
 */
import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface GivenObject {
  bucket: string;
  key: string;
  body: Uint8Array | string;
  contentType?: string;
}

const CONFIG_KEYS = ['TopicConfigurations', 'QueueConfigurations', 'LambdaFunctionConfigurations', 'EventBridgeConfiguration'] as const;

function notifies(c: NotificationConfiguration): boolean {
  return CONFIG_KEYS.some((k) => (Array.isArray(c[k]) ? (c[k] as unknown[]).length > 0 : c[k] !== undefined));
}

export async function putGivenObjects(s3: S3Client, objects: GivenObject[]): Promise<void> {
  const paused = new Map<string, NotificationConfiguration>();
  try {
    for (const bucket of new Set(objects.map((o) => o.bucket))) {
      const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket })).catch(() => undefined);
      if (!current) continue; // no bucket yet (PutObject will say so) or no notification support
      const config: NotificationConfiguration = Object.fromEntries(CONFIG_KEYS.filter((k) => current[k] !== undefined).map((k) => [k, current[k]]));
      if (!notifies(config)) continue;
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {} }));
      paused.set(bucket, config);
    }
    for (const o of objects) {
      await s3.send(new PutObjectCommand({ Bucket: o.bucket, Key: o.key, Body: o.body, ...(o.contentType ? { ContentType: o.contentType } : {}) }));
    }
  } finally {
    for (const [bucket, config] of paused) {
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: config }));
    }
  }
}

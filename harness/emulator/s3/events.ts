/**
 * Sends bucket notifications to Lambda (`InvocationType: Event`, as S3 does):
 * one event record per invocation, for each configuration whose events and
 * prefix/suffix filter match; and, with EventBridgeConfiguration, every change
 * to EventBridge (eventbridge.ts).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
import type { RestRequest } from '../../protocol/service.ts';
import { header, type S3Env } from './env.ts';
import { versionIdOf, type Bucket, type ObjectMeta } from './models.ts';
import { publishS3Event } from './eventbridge.ts';
import { matchesEvent, s3EventRecord } from './notifications.ts';

export function emitEvent(env: S3Env, req: RestRequest, bucket: Bucket, eventName: string, obj: Pick<ObjectMeta, 'key'> & Partial<ObjectMeta>): void {
  const targets = bucket.notification.lambda.filter((t) => matchesEvent(t, eventName, obj.key));
  if (targets.length === 0 && !bucket.notification.eventBridge) return;
  const sequencer = env.sequencer();
  const forwarded = header(req.headers, 'x-forwarded-for')?.split(',')[0]?.trim();
  // EventBridge gets every change of the bucket, whatever the other configurations filter.
  if (bucket.notification.eventBridge) {
    publishS3Event(env.deps.events?.(), {
      eventName,
      bucket: bucket.name,
      key: obj.key,
      ...(obj.size !== undefined ? { size: obj.size } : {}),
      ...(obj.etag !== undefined ? { etag: obj.etag } : {}),
      ...(bucket.versioning !== undefined ? { versionId: versionIdOf(obj) } : {}),
      sequencer,
      requestId: req.ctx.requestId,
      requester: env.deps.accountId,
      sourceIp: forwarded ?? '127.0.0.1',
    });
  }
  for (const t of targets) {
    const record = s3EventRecord({
      eventName,
      region: bucket.region,
      eventTime: env.deps.clock.now(),
      bucket: bucket.name,
      key: obj.key,
      size: eventName.startsWith('ObjectCreated') ? obj.size : undefined,
      etag: eventName.startsWith('ObjectCreated') ? obj.etag : undefined,
      versionId: bucket.versioning !== undefined ? versionIdOf(obj) : undefined,
      sequencer,
      principalId: `AWS:${req.ctx.accessKeyId ?? 'anonymous'}`,
      sourceIp: forwarded ?? '127.0.0.1',
      requestId: req.ctx.requestId,
      hostId: req.ctx.requestId,
      configurationId: t.id,
    });
    // Fire and forget, like S3: the PUT does not wait for (or fail with) the function.
    env.deps
      .lambda()
      .invoke({ functionName: t.arn, payload: JSON.stringify({ Records: [record] }), invocationType: 'Event' })
      .catch((e: unknown) => {
        env.deps.log.warn(`s3: notification for s3://${bucket.name}/${obj.key} to ${t.arn} failed: ${e instanceof Error ? e.message : String(e)}`);
      });
  }
}

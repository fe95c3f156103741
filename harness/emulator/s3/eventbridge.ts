/**
 * S3 → EventBridge: a bucket whose notification configuration has
 * `EventBridgeConfiguration` sends every object change to the account's
 * default event bus as `Object Created` / `Object Deleted` (source `aws.s3`),
 * in the detail shape S3 documents.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
import type { EventPublisher } from '../service-deps.ts';

/** The `reason` S3 gives for each notification event name. */
const REASONS: Record<string, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
  'ObjectRemoved:Delete': 'DeleteObject',
  'ObjectRemoved:DeleteMarkerCreated': 'DeleteObject',
};

export interface S3Change {
  eventName: string;
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  sequencer: string;
  requestId: string;
  requester: string;
  sourceIp: string;
}

export function publishS3Event(publisher: EventPublisher | undefined, c: S3Change): void {
  if (!publisher) return;
  const created = c.eventName.startsWith('ObjectCreated');
  const object: Record<string, unknown> = { key: c.key };
  if (created && c.size !== undefined) object.size = c.size;
  if (created && c.etag !== undefined) object.etag = c.etag.replace(/"/g, '');
  if (c.versionId !== undefined) object['version-id'] = c.versionId;
  object.sequencer = c.sequencer;
  publisher.publish({
    source: 'aws.s3',
    detailType: created ? 'Object Created' : 'Object Deleted',
    resources: [`arn:aws:s3:::${c.bucket}`],
    detail: {
      version: '0',
      bucket: { name: c.bucket },
      object,
      'request-id': c.requestId,
      requester: c.requester,
      'source-ip-address': c.sourceIp,
      reason: REASONS[c.eventName] ?? c.eventName,
      ...(created ? {} : { 'deletion-type': c.eventName === 'ObjectRemoved:DeleteMarkerCreated' ? 'Delete Marker Created' : 'Permanently Deleted' }),
    },
  });
}

/**
 * notify-success: publishes a workflow's result to the image-processed topic
 * (SUCCESS_TOPIC_ARN). The message is the JSON the workflow passed in; the
 * `event` message attribute lets subscribers filter (ImageProcessed,
 * ImagePublished, BatchProcessed).
 */
import { asRecord } from '../shared/input.ts';
import { publishJson, topicArnFrom } from '../shared/sns.ts';

export async function handler(event: unknown): Promise<{ messageId: string }> {
  const e = asRecord(event, 'event');
  const kind = typeof e.event === 'string' ? e.event : 'ImageProcessed';
  const what = typeof e.key === 'string' ? e.key : typeof e.bucket === 'string' ? `s3://${e.bucket}` : String(e.source ?? 'workflow');
  const attributes: Record<string, string> = { event: kind };
  if (typeof e.source === 'string') attributes.source = e.source;
  return publishJson(topicArnFrom('SUCCESS_TOPIC_ARN'), `${kind}: ${what}`, e, attributes);
}

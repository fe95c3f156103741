/**
 * gallery-cleanup: the nightly clean-up, invoked by a schedule rule
 * (`cron(0 3 * * ? *)`, 03:00 UTC). Deletes the scratch objects under
 * `tmp/` in the gallery bucket (GALLERY_BUCKET) written before the schedule
 * fired — the `Scheduled Event`'s `time` — so a file being written at 03:00
 * survives until the next night.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 */
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client } from '../shared/clients/s3.ts';
import { InvalidInputError } from '../shared/errors.ts';
import { asRecord, requireString } from '../shared/input.ts';

export const SCRATCH_PREFIX = 'tmp/';

export async function handler(event: unknown): Promise<{ deleted: string[]; firedAt: string }> {
  const e = asRecord(event, 'event');
  const firedAt = requireString(e, 'time');
  const cutoff = Date.parse(firedAt);
  if (Number.isNaN(cutoff)) throw new InvalidInputError(`event.time must be a timestamp, got ${JSON.stringify(firedAt)}`);
  const bucket = process.env.GALLERY_BUCKET;
  if (!bucket) throw new InvalidInputError('GALLERY_BUCKET is not set');

  const stale: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: SCRATCH_PREFIX, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key && o.LastModified && o.LastModified.getTime() <= cutoff) stale.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  // DeleteObjects takes at most 1,000 keys per request.
  for (let i = 0; i < stale.length; i += 1000) {
    await s3Client().send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: stale.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
  }
  console.log(`gallery-cleanup at ${firedAt}: deleted ${stale.length} scratch object(s) from s3://${bucket}/${SCRATCH_PREFIX}`);
  return { deleted: stale, firedAt };
}

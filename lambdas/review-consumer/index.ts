/**
 * review-consumer: the automatic reviewer behind image-review-queue. Its SQS
 * event source mapping hands it the review requests that workflow's
 * `sqs:sendMessage.waitForTaskToken` task puts on the review-requests queue;
 * for each it answers the task token: approve when the image is within the
 * configured size (maxBytes), reject otherwise (SendTaskSuccess), and
 * SendTaskFailure `ImageMissing` when the object is gone.
 *
 * A request it cannot read (not JSON, no token) is reported as a batch item
 * failure (ReportBatchItemFailures): only that message returns to the queue,
 * and after the queue's maxReceiveCount SQS moves it to review-requests-dlq.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/clients/sfn.ts';
import { getConfig } from '../shared/config.ts';
import { describeError } from '../shared/errors.ts';
import { asRecord, requireString } from '../shared/input.ts';
import { headObject } from '../shared/s3-objects.ts';

export interface SqsRecord {
  messageId: string;
  body: string;
}

export interface ReviewOutcome {
  decision: 'approve' | 'reject';
  reviewer: 'review-consumer';
  reason: string;
}

/** The review request a record carries: `{taskToken, bucket, key}` (executionArn optional). */
export function readRequest(record: SqsRecord): { taskToken: string; bucket: string; key: string } {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`message ${record.messageId} is not JSON`);
  }
  const r = asRecord(body, 'review request');
  return { taskToken: requireString(r, 'taskToken', 'review request'), bucket: requireString(r, 'bucket', 'review request'), key: requireString(r, 'key', 'review request') };
}

/** The decision for an image of `size` bytes under a limit of `maxBytes`. */
export function decide(size: number, maxBytes: number): ReviewOutcome {
  return size <= maxBytes
    ? { decision: 'approve', reviewer: 'review-consumer', reason: `${size} bytes, within ${maxBytes}` }
    : { decision: 'reject', reviewer: 'review-consumer', reason: `${size} bytes, over ${maxBytes}` };
}

async function review(record: SqsRecord): Promise<void> {
  const { taskToken, bucket, key } = readRequest(record);
  const config = await getConfig();
  const object = await headObject(bucket, key);
  if (!object) {
    await sfnClient().send(new SendTaskFailureCommand({ taskToken, error: 'ImageMissing', cause: `s3://${bucket}/${key} does not exist` }));
    return;
  }
  await sfnClient().send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decide(object.size, config.maxBytes)) }));
}

export async function handler(event: { Records: SqsRecord[] }): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    try {
      await review(record);
    } catch (e) {
      console.error(`review of ${record.messageId} failed: ${describeError(e)}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

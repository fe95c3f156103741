/**
 * request-review: called by image-review's `lambda:invoke.waitForTaskToken`
 * task. Hands the task token to the reviewer in an SNS message carrying the
 * exact SendTaskSuccess payloads for approve and reject (and links, when the
 * configuration names a review UI). The workflow waits until someone calls
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat with that token; this
 * function's own return value is ignored by Step Functions.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
 */
import { getConfig } from '../shared/config.ts';
import { asRecord, requireString } from '../shared/input.ts';
import { publishJson, topicArnFrom } from '../shared/sns.ts';

export interface ReviewRequest {
  event: 'ReviewRequested';
  bucket: string;
  key: string;
  executionArn: string | null;
  taskToken: string;
  /** What to send back: `aws stepfunctions send-task-success --task-token … --task-output '<output>'`. */
  actions: {
    approve: { api: 'SendTaskSuccess'; taskToken: string; output: string };
    reject: { api: 'SendTaskSuccess'; taskToken: string; output: string };
    heartbeat: { api: 'SendTaskHeartbeat'; taskToken: string };
  };
  links?: { approve: string; reject: string };
}

export function buildReviewRequest(event: unknown, reviewBaseUrl?: string): ReviewRequest {
  const e = asRecord(event, 'event');
  const taskToken = requireString(e, 'taskToken');
  const bucket = requireString(e, 'bucket');
  const key = requireString(e, 'key');
  const message: ReviewRequest = {
    event: 'ReviewRequested',
    bucket,
    key,
    executionArn: typeof e.executionArn === 'string' ? e.executionArn : null,
    taskToken,
    actions: {
      approve: { api: 'SendTaskSuccess', taskToken, output: JSON.stringify({ decision: 'approve' }) },
      reject: { api: 'SendTaskSuccess', taskToken, output: JSON.stringify({ decision: 'reject' }) },
      heartbeat: { api: 'SendTaskHeartbeat', taskToken },
    },
  };
  if (reviewBaseUrl) {
    const link = (decision: string) => {
      const u = new URL(reviewBaseUrl);
      u.searchParams.set('decision', decision);
      u.searchParams.set('taskToken', taskToken);
      return u.toString();
    };
    message.links = { approve: link('approve'), reject: link('reject') };
  }
  return message;
}

export async function handler(event: unknown): Promise<{ messageId: string }> {
  const config = await getConfig();
  const request = buildReviewRequest(event, config.reviewBaseUrl);
  return publishJson(topicArnFrom('REVIEW_TOPIC_ARN'), `Review requested: ${request.key}`, request, { event: 'ReviewRequested' });
}

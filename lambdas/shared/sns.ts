/** Publishing a JSON notification the way subscribers (email, SQS, Lambda) expect it. */
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from './clients/sns.ts';
import { ConfigurationError } from './errors.ts';

/** A topic ARN from the environment the template sets; a missing one is a deployment mistake. */
export function topicArnFrom(variable: string, env: NodeJS.ProcessEnv = process.env): string {
  const arn = env[variable];
  if (!arn || !arn.startsWith('arn:')) {
    throw new ConfigurationError(`environment variable ${variable} must hold an SNS topic ARN, got ${arn === undefined ? 'nothing' : JSON.stringify(arn)}`);
  }
  return arn;
}

/**
 * SNS subjects must be ASCII, without line breaks, at most 100 characters
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): anything else
 * makes Publish fail with InvalidParameter, so we clean the text instead.
 */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.slice(0, 100) || 'Notification';
}

export async function publishJson(
  topicArn: string,
  subject: string,
  message: unknown,
  attributes: Record<string, string> = {},
): Promise<{ messageId: string }> {
  const out = await snsClient().send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: snsSubject(subject),
      Message: JSON.stringify(message),
      MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
    }),
  );
  return { messageId: out.MessageId ?? '' };
}

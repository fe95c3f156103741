/**
 * notify-error: publishes a workflow failure to the image-failed topic
 * (ERROR_TOPIC_ARN). Step Functions hands a caught error over as
 * `{Error, Cause}`; when the cause is a Lambda error payload (a JSON text with
 * errorType/errorMessage) we unwrap it so the message is readable.
 */
import { asRecord } from '../shared/input.ts';
import { publishJson, topicArnFrom } from '../shared/sns.ts';

export interface ErrorNotice {
  source: string;
  executionArn: string | null;
  bucket: string | null;
  key: string | null;
  error: string;
  cause: string;
  /** The Lambda error's message and stack, when the cause was one. */
  errorMessage?: string;
}

export function describeFailure(event: unknown): ErrorNotice {
  const e = asRecord(event, 'event');
  const err = e.error !== null && typeof e.error === 'object' ? (e.error as Record<string, unknown>) : {};
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const notice: ErrorNotice = {
    source: str(e.source) ?? 'unknown',
    executionArn: str(e.executionArn),
    bucket: str(e.bucket),
    key: str(e.key),
    error: str(err.Error) ?? 'UnknownError',
    cause: str(err.Cause) ?? (err.Cause === undefined ? '' : JSON.stringify(err.Cause)),
  };
  try {
    const parsed = JSON.parse(notice.cause) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      notice.errorMessage = (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // A plain-text cause (a States.* error or a Fail state's Cause) stays as it is.
  }
  return notice;
}

export async function handler(event: unknown): Promise<{ messageId: string }> {
  const notice = describeFailure(event);
  const where = notice.key ?? notice.bucket ?? notice.source;
  return publishJson(topicArnFrom('ERROR_TOPIC_ARN'), `${notice.error}: ${where}`, notice, { event: 'ProcessingFailed', error: notice.error.slice(0, 256) });
}

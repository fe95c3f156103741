/**
 * The execution name for one object version: the same S3 event delivered twice
 * (S3 delivers "at least once") yields the same name, so Step Functions starts
 * one execution (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html).
 *
 * Names may be at most 80 characters and must avoid whitespace, brackets,
 * wildcards, `"#%\^|~`$&,;:/` and control characters (StartExecution `name`);
 * for CloudWatch Logs they should use only 0-9 A-Z a-z - _. We keep a readable
 * slug of the key in that alphabet and append a hash of key and ETag, so two
 * different keys never collide even when their slugs are cut to the same text.
 */
import { createHash } from 'node:crypto';

export const MAX_EXECUTION_NAME_LENGTH = 80;
const HASH_LENGTH = 24;

export function executionNameFor(key: string, etag: string): string {
  const cleanEtag = etag.replace(/"/g, '');
  const hash = createHash('sha256').update(`${key}\n${cleanEtag}`).digest('hex').slice(0, HASH_LENGTH);
  const slug = key
    .normalize('NFKD')
    .replace(/[^0-9A-Za-z_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  const room = MAX_EXECUTION_NAME_LENGTH - HASH_LENGTH - 1;
  const head = slug.slice(-room).replace(/^-/, '');
  return head ? `${head}-${hash}` : hash;
}

/** The StartExecution name rules, for tests and for checking names we did not make. */
export function isValidExecutionName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length >= 1 && name.length <= MAX_EXECUTION_NAME_LENGTH && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

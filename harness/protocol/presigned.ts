/**
 * Presigned (query-string SigV4) S3 requests: the `X-Amz-*` parameters are
 * well-formed, `X-Amz-Expires` is at most 7 days, and the URL has not expired
 * on the endpoint's Clock. Checked on every presigned S3 request — with or
 * without `--verify-signatures`, so an app's "link expired" path is testable —
 * while the signature itself is checked only when signatures are verified.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html (expiration)
 */
import { AwsServiceError, type Clock } from '../core/index.ts';

/** SigV4 presigned URLs live at most one week. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604800;

const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'] as const;

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (AuthorizationQueryParametersError)
function queryParametersError(message: string): AwsServiceError {
  return new AwsServiceError('AuthorizationQueryParametersError', message, 400);
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or undefined when it is not that form (or not a real date). */
export function parseAmzDate(value: string | null | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return new Date(t).toISOString().replace(/[-:]|\.\d{3}/g, '') === value ? t : undefined;
}

/**
 * The endpoint-clock instant a client-side timestamp stands for. A client signs
 * with its own clock: the scenario runner with virtual time, an SDK or a Lambda
 * handler with the wall clock. On virtual time these differ once time has
 * jumped, so the later of "the value as virtual time" and "virtual time when the
 * wall clock read the value" is taken — right for both kinds of signer. (A
 * timestamp has whole seconds: a wall-clock signature made in the same second
 * as a jump counts from before the jump.)
 */
export function signedAtOnClock(clock: Clock, clientMs: number): number {
  const reading = clock.readingAt(clientMs);
  return reading === undefined ? clientMs : Math.max(clientMs, reading);
}

/** Whether the query carries SigV4 query authentication at all. */
export function isPresigned(query: URLSearchParams): boolean {
  return query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature') || query.has('X-Amz-Credential');
}

/**
 * Validates a presigned request's parameters and expiry (in S3's order: the
 * parameters, the expiry bound, the date, then the clock). Throws S3's errors.
 */
export function checkPresignedRequest(query: URLSearchParams, clock: Clock): void {
  if (REQUIRED.some((p) => !query.get(p))) {
    throw queryParametersError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw queryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = query.get('X-Amz-Credential')!;
  const parts = credential.split('/');
  if (parts.length !== 5 || !parts[0] || !/^\d{8}$/.test(parts[1]!) || !parts[2] || !parts[3] || parts[4] !== 'aws4_request') {
    throw queryParametersError(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". (${credential})`,
    );
  }
  const expiresRaw = query.get('X-Amz-Expires')!;
  if (!/^-?\d+$/.test(expiresRaw)) throw queryParametersError('X-Amz-Expires should be a number');
  const expires = Number(expiresRaw);
  if (expires < 0) throw queryParametersError('X-Amz-Expires must be non-negative');
  if (expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw queryParametersError(
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_PRESIGNED_EXPIRES_SECONDS} seconds`,
    );
  }
  const signedAt = parseAmzDate(query.get('X-Amz-Date'));
  if (signedAt === undefined) throw queryParametersError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  if (query.get('X-Amz-Date')!.slice(0, 8) !== parts[1]) {
    throw queryParametersError(`Invalid credential date "${parts[1]}". This date is not the same as X-Amz-Date: "${query.get('X-Amz-Date')!.slice(0, 8)}".`);
  }
  const expiresAt = signedAtOnClock(clock, signedAt) + expires * 1000;
  const now = clock.now();
  if (now > expiresAt) {
    throw new AwsServiceError('AccessDenied', 'Request has expired', 403, {
      fields: { 'X-Amz-Expires': expiresRaw, Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(now) },
    });
  }
}

/** `2020-10-15T02:03:37Z`: how S3 writes Expires and ServerTime in this error. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * S3's legacy Signature Version 2 in the query string (`AWSAccessKeyId`,
 * `Signature`, `Expires`): what boto3 and older SDKs still generate for
 * presigned URLs unless told to use SigV4. Expiry is checked on every such
 * request; the HMAC-SHA1 signature when the endpoint verifies signatures.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsServiceError, type Clock } from '../core/index.ts';
import { signedAtOnClock } from './presigned.ts';

export interface SigV2Query {
  accessKeyId: string;
  signature: string;
  /** Expiry as sent: epoch seconds. */
  expires: string;
}

/** The query's SigV2 authentication, when it carries any. */
export function parseSigV2Query(query: URLSearchParams): SigV2Query | undefined {
  const accessKeyId = query.get('AWSAccessKeyId');
  const signature = query.get('Signature');
  if (accessKeyId === null && signature === null) return undefined;
  return { accessKeyId: accessKeyId ?? '', signature: signature ?? '', expires: query.get('Expires') ?? '' };
}

/** Expired (on the endpoint's clock) or malformed → S3's errors. */
export function checkSigV2Query(v2: SigV2Query, clock: Clock): void {
  if (!v2.accessKeyId || !v2.signature || !v2.expires) {
    throw new AwsServiceError('AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters', 403);
  }
  if (!/^\d+$/.test(v2.expires)) throw new AwsServiceError('AccessDenied', `Invalid date (should be seconds since epoch): ${v2.expires}`, 403);
  const expiresAt = signedAtOnClock(clock, Number(v2.expires) * 1000);
  const now = clock.now();
  if (now > expiresAt) {
    throw new AwsServiceError('AccessDenied', 'Request has expired', 403, {
      fields: { Expires: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), ServerTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    });
  }
}

/** Sub-resources that are part of the string to sign (the others are not). */
const SIGNED_SUBRESOURCES = new Set([
  'acl', 'cors', 'delete', 'lifecycle', 'location', 'logging', 'notification', 'partNumber', 'policy', 'requestPayment', 'tagging', 'torrent',
  'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'response-content-language', 'response-content-type', 'response-expires',
]);

/** HMAC-SHA1, base64: SigV2's signature (request strings and POST policies). */
export function hmacSha1Base64(secret: string, text: string): string {
  return createHmac('sha1', secret).update(text, 'utf8').digest('base64');
}

export interface SigV2Request {
  method: string;
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Bucket named by the Host header (virtual-hosted style), which the resource then starts with. */
  hostBucket?: string;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** The SigV2 string to sign for a query-authenticated request. */
export function sigV2StringToSign(v2: SigV2Query, req: SigV2Request): string {
  const amz = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => `${h}:${headerValue(req.headers, h).trim()}\n`)
    .join('');
  const sub = [...new Set([...req.query.keys()].filter((k) => SIGNED_SUBRESOURCES.has(k)))]
    .sort()
    .map((k) => (req.query.get(k) === '' ? k : `${k}=${req.query.get(k)}`))
    .join('&');
  const resource = `${req.hostBucket ? `/${req.hostBucket}` : ''}${req.rawPath}${sub ? `?${sub}` : ''}`;
  return `${req.method}\n${headerValue(req.headers, 'content-md5')}\n${headerValue(req.headers, 'content-type')}\n${v2.expires}\n${amz}${resource}`;
}

export function verifySigV2Query(v2: SigV2Query, req: SigV2Request, secretAccessKey: string): boolean {
  const expected = Buffer.from(hmacSha1Base64(secretAccessKey, sigV2StringToSign(v2, req)));
  const sent = Buffer.from(v2.signature);
  return expected.length === sent.length && timingSafeEqual(expected, sent);
}

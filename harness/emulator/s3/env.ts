/** What every S3 operation receives: the store, the deps, and shared helpers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { IdSource } from '../../core/index.ts';
import type { RestRequest } from '../../protocol/service.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { invalidBucketName, keyTooLong, metadataTooLarge, missingContentLength, noSuchBucket } from './errors.ts';
import type { Bucket, ContentHeaders, S3Store } from './models.ts';
import { decodeMetadataValue } from './rfc2047.ts';

export type { ContentHeaders };

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Env {
  store: S3Store;
  deps: ServiceDeps;
  ids: IdSource;
  /** Increasing hex sequencer for event records (orders events per key, like AWS's). */
  sequencer(): string;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function requireBucket(env: S3Env, name: string): Bucket {
  const b = env.store.buckets.get(name);
  if (!b) throw noSuchBucket(name);
  return b;
}

/** 2026-11-28T01:59:21.000Z — S3's XML timestamp form. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 7231 date for Last-Modified. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** S3 keeps Last-Modified to the second. */
export function nowSeconds(env: S3Env): number {
  return Math.floor(env.deps.clock.now() / 1000) * 1000;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
export function validateBucketName(name: string): void {
  if (name.length < 3 || name.length > 63) throw invalidBucketName(name, 'bucket names must be between 3 and 63 characters long');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    throw invalidBucketName(name, 'bucket names may contain only lowercase letters, numbers, dots and hyphens, and must begin and end with a letter or number');
  }
  if (name.includes('..')) throw invalidBucketName(name, 'bucket names must not contain two adjacent periods');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw invalidBucketName(name, 'bucket names must not be formatted as an IP address');
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    throw invalidBucketName(name, 'bucket names must not use a reserved prefix or suffix');
  }
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html — up to 1024 bytes of UTF-8.
export function validateKey(key: string): void {
  const len = Buffer.byteLength(key, 'utf8');
  if (len > 1024) throw keyTooLong(len);
}

/** Content headers and `x-amz-meta-*` of a PUT/POST (user metadata limited to 2 KB as in AWS). */
export function contentHeaders(req: Pick<RestRequest, 'headers'>): ContentHeaders {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const k = name.slice('x-amz-meta-'.length);
    const v = decodeMetadataValue(Array.isArray(value) ? value.join(',') : value);
    metadata[k] = v;
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > 2048) throw metadataTooLarge(size);
  return {
    contentType: header(req.headers, 'content-type') || 'binary/octet-stream',
    contentEncoding: header(req.headers, 'content-encoding'),
    contentDisposition: header(req.headers, 'content-disposition'),
    contentLanguage: header(req.headers, 'content-language'),
    cacheControl: header(req.headers, 'cache-control'),
    expires: header(req.headers, 'expires'),
    metadata,
  };
}

/** PutObject and UploadPart need a Content-Length: S3 refuses a body of unannounced length (411). */
export function requireContentLength(req: Pick<RestRequest, 'headers'>): void {
  if (req.headers['content-length'] === undefined) throw missingContentLength();
}

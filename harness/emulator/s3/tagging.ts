/**
 * Object and bucket tagging: Put/Get/DeleteObjectTagging, Put/Get/DeleteBucketTagging,
 * and the `x-amz-tagging` header (PutObject, CopyObject with REPLACE,
 * CreateMultipartUpload, POST object). Limits as S3 enforces them.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html
 */
import { AwsServiceError } from '../../core/index.ts';
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { children, escapeXml, parseXml, textOf, XML_DECLARATION } from '../../protocol/xml.ts';
import { header, requireBucket, S3_XMLNS, type S3Env } from './env.ts';
import { malformedXml } from './errors.ts';
import type { Tag } from './models.ts';
import { readableVersion, requestedVersionId, versionHeaders } from './versioning.ts';

const MAX_OBJECT_TAGS = 10;
const MAX_BUCKET_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
/** Letters, digits, spaces and `+ - = . _ : / @` (S3's tag character set). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#S3TaggingErrorCodeList (InvalidTag)
function invalidTag(message: string, key?: string): AwsServiceError {
  return new AwsServiceError('InvalidTag', message, 400, { fields: key === undefined ? {} : { TagKey: key } });
}

/** Checks a tag set against S3's limits; `scope` decides the count limit and the `aws:` rule. */
export function validateTags(tags: Tag[], scope: 'object' | 'bucket'): Tag[] {
  const max = scope === 'object' ? MAX_OBJECT_TAGS : MAX_BUCKET_TAGS;
  if (tags.length > max) throw invalidTag(scope === 'object' ? `Object tags cannot be greater than ${max}` : `Bucket tag count cannot be greater than ${max}`);
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key.length === 0 || [...t.key].length > MAX_KEY_LENGTH) throw invalidTag(`The TagKey you have provided is invalid (1 to ${MAX_KEY_LENGTH} characters).`, t.key);
    if ([...t.value].length > MAX_VALUE_LENGTH) throw invalidTag(`The TagValue you have provided is too long, max ${MAX_VALUE_LENGTH}`, t.key);
    if (!TAG_CHARS.test(t.key)) throw invalidTag('The TagKey you have provided is invalid', t.key);
    if (!TAG_CHARS.test(t.value)) throw invalidTag('The TagValue you have provided is invalid', t.key);
    if (t.key.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:', t.key);
    if (seen.has(t.key)) throw invalidTag('Cannot provide multiple Tags with the same key', t.key);
    seen.add(t.key);
  }
  return tags;
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL-encoded, like a query string), validated; undefined when absent. */
export function taggingHeader(req: Pick<RestRequest, 'headers'>): Tag[] | undefined {
  const raw = header(req.headers, 'x-amz-tagging');
  if (raw === undefined) return undefined;
  return parseTagQuery(raw);
}

/** A `k1=v1&k2=v2` tag set (the header's and POST object's `tagging` form), validated for an object. */
export function parseTagQuery(raw: string): Tag[] {
  const tags: Tag[] = [];
  for (const [key, value] of new URLSearchParams(raw)) tags.push({ key, value });
  return validateTags(tags, 'object');
}

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>`. */
export function parseTagging(body: Buffer, scope: 'object' | 'bucket'): Tag[] {
  const doc = parseXml(body.toString('utf8'));
  const root = doc?.Tagging;
  if (root === undefined || typeof root !== 'object' || Array.isArray(root)) throw malformedXml('expected <Tagging> with a <TagSet>');
  const set = root.TagSet;
  if (set === undefined || Array.isArray(set)) throw malformedXml('expected one <TagSet>');
  const tags = typeof set === 'string' ? [] : children(set.Tag).map((t, i) => {
    const r = typeof t === 'object' && !Array.isArray(t) ? t : undefined;
    const key = textOf(r?.Key);
    const value = textOf(r?.Value);
    if (key === undefined || value === undefined) throw malformedXml(`Tag[${i}] needs a Key and a Value`);
    return { key, value };
  });
  return validateTags(tags, scope);
}

function taggingXml(tags: Tag[]): string {
  const items = tags.map((t) => `<Tag><Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value></Tag>`).join('');
  return `${XML_DECLARATION}<Tagging xmlns="${S3_XMLNS}"><TagSet>${items}</TagSet></Tagging>`;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
export async function putObjectTagging(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  const obj = readableVersion(bucket, key, requestedVersionId(req));
  const tags = parseTagging(req.body, 'object');
  await env.store.updateObject(bucket, obj, { tags });
  return { status: 200, headers: versionHeaders(bucket, obj) };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html — an untagged object has an empty TagSet.
export function getObjectTagging(env: S3Env, req: RestRequest, bucketName: string, key: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const obj = readableVersion(bucket, key, requestedVersionId(req));
  return { status: 200, headers: { 'content-type': 'application/xml', ...versionHeaders(bucket, obj) }, body: taggingXml(obj.tags ?? []) };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjectTagging.html
export async function deleteObjectTagging(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  const obj = readableVersion(bucket, key, requestedVersionId(req));
  await env.store.updateObject(bucket, obj, { tags: [] });
  return { status: 204, headers: versionHeaders(bucket, obj) };
}

export async function putBucketTagging(env: S3Env, req: RestRequest, bucketName: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  bucket.tags = parseTagging(req.body, 'bucket');
  await env.store.saveBucket(bucket);
  return { status: 204 };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html — NoSuchTagSet when none is set.
export function getBucketTagging(env: S3Env, bucketName: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  if (!bucket.tags || bucket.tags.length === 0) {
    throw new AwsServiceError('NoSuchTagSet', 'The TagSet does not exist', 404, { fields: { BucketName: bucket.name } });
  }
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: taggingXml(bucket.tags) };
}

export async function deleteBucketTagging(env: S3Env, bucketName: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  delete bucket.tags;
  await env.store.saveBucket(bucket);
  return { status: 204 };
}

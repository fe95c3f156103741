/**
 * ListObjectsV2 / ListObjects: prefix, delimiter, paging, `encoding-type=url`.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { element, escapeXml, XML_DECLARATION } from '../../protocol/xml.ts';
import { isoTime, requireBucket, S3_XMLNS, type S3Env } from './env.ts';
import { invalidArgument } from './errors.ts';
import { compareKeys, sortedKeys, type StoredObject } from './models.ts';

interface Page {
  contents: StoredObject[];
  prefixes: string[];
  truncated: boolean;
  /** Last key or common prefix returned (where the next page starts). */
  last?: { value: string; isPrefix: boolean };
}

function collect(keys: string[], objects: Map<string, StoredObject>, prefix: string, delimiter: string, after: string, skipPrefix: string | undefined, max: number): Page {
  const page: Page = { contents: [], prefixes: [], truncated: false };
  if (max === 0) return page;
  // Binary search to the first key after `after`.
  let lo = 0;
  let hi = keys.length;
  const start = after > prefix ? after : prefix;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid]!, start) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < keys.length; i++) {
    const key = keys[i]!;
    if (after && compareKeys(key, after) <= 0) continue;
    if (skipPrefix !== undefined && key.startsWith(skipPrefix)) continue;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) > 0) break;
      continue;
    }
    let cp: string | undefined;
    if (delimiter) {
      const d = key.indexOf(delimiter, prefix.length);
      if (d >= 0) cp = key.slice(0, d + delimiter.length);
    }
    if (cp !== undefined && page.last?.isPrefix && page.last.value === cp) continue;
    if (page.contents.length + page.prefixes.length >= max) {
      page.truncated = true;
      break;
    }
    if (cp !== undefined) {
      page.prefixes.push(cp);
      page.last = { value: cp, isPrefix: true };
    } else {
      page.contents.push(objects.get(key)!);
      page.last = { value: key, isPrefix: false };
    }
  }
  return page;
}

export function maxKeys(req: RestRequest): number {
  const raw = req.query.get('max-keys');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', raw);
  return Math.min(n, 1000);
}

/** `encoding-type=url`: keys URL-encoded (slashes kept), else as they are. */
export function listingEncoder(req: RestRequest): (s: string) => string {
  const enc = req.query.get('encoding-type');
  if (enc === null) return (s) => s;
  if (enc !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', enc);
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

function contentsXml(objs: StoredObject[], enc: (s: string) => string, owner: boolean, accountId: string): string {
  return objs
    .map(
      (o) =>
        `<Contents><Key>${escapeXml(enc(o.key))}</Key><LastModified>${isoTime(o.lastModified)}</LastModified><ETag>${escapeXml(o.etag)}</ETag>` +
        (o.checksum ? `<ChecksumAlgorithm>${o.checksum.algorithm}</ChecksumAlgorithm><ChecksumType>${o.checksum.type}</ChecksumType>` : '') +
        `<Size>${o.size}</Size>` +
        (owner ? `<Owner><ID>${accountId}</ID><DisplayName>rehearse</DisplayName></Owner>` : '') +
        `<StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
}

function encodeToken(last: { value: string; isPrefix: boolean }): string {
  return Buffer.from(JSON.stringify([last.value, last.isPrefix ? 1 : 0])).toString('base64url');
}

function decodeToken(token: string): { value: string; isPrefix: boolean } {
  try {
    const [value, isPrefix] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof value !== 'string') throw new Error('bad');
    return { value, isPrefix: isPrefix === 1 };
  } catch {
    throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
}

export function listObjectsV2(env: S3Env, req: RestRequest, bucketName: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after') ?? '';
  const token = q.get('continuation-token');
  const max = maxKeys(req);
  const enc = listingEncoder(req);
  let after = startAfter;
  let skipPrefix: string | undefined;
  // An empty token is "from the start" (and echoed back), as S3 does.
  if (token !== null && token !== '') {
    const t = decodeToken(token);
    after = compareKeys(t.value, after) > 0 ? t.value : after;
    if (t.isPrefix) skipPrefix = t.value;
  }
  const page = collect(sortedKeys(bucket), bucket.objects, prefix, delimiter, after, skipPrefix, max);
  const body =
    `<ListBucketResult xmlns="${S3_XMLNS}"><Name>${bucket.name}</Name><Prefix>${escapeXml(enc(prefix))}</Prefix>` +
    (token !== null ? element('ContinuationToken', token) : '') +
    (page.truncated && page.last ? element('NextContinuationToken', encodeToken(page.last)) : '') +
    `<KeyCount>${page.contents.length + page.prefixes.length}</KeyCount><MaxKeys>${max}</MaxKeys>` +
    (delimiter ? element('Delimiter', enc(delimiter)) : '') +
    `<IsTruncated>${page.truncated}</IsTruncated>` +
    (startAfter ? element('StartAfter', enc(startAfter)) : '') +
    (q.has('encoding-type') ? '<EncodingType>url</EncodingType>' : '') +
    contentsXml(page.contents, enc, q.get('fetch-owner') === 'true', env.deps.accountId) +
    page.prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(enc(p))}</Prefix></CommonPrefixes>`).join('') +
    '</ListBucketResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: XML_DECLARATION + body };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html (v1: marker / NextMarker)
export function listObjects(env: S3Env, req: RestRequest, bucketName: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const max = maxKeys(req);
  const enc = listingEncoder(req);
  // A marker that is a common prefix (the NextMarker of a page ending in one) resumes after everything under it.
  const skipPrefix = delimiter && marker.startsWith(prefix) && marker.endsWith(delimiter) && marker.indexOf(delimiter, prefix.length) === marker.length - delimiter.length ? marker : undefined;
  const page = collect(sortedKeys(bucket), bucket.objects, prefix, delimiter, marker, skipPrefix, max);
  // V1 returns Prefix as sent even with encoding-type=url (botocore, which asks for url encoding itself, does not decode it).
  const body =
    `<ListBucketResult xmlns="${S3_XMLNS}"><Name>${bucket.name}</Name><Prefix>${escapeXml(prefix)}</Prefix><Marker>${escapeXml(enc(marker))}</Marker>` +
    (page.truncated && delimiter && page.last ? element('NextMarker', enc(page.last.value)) : '') +
    `<MaxKeys>${max}</MaxKeys>` +
    (delimiter ? element('Delimiter', enc(delimiter)) : '') +
    `<IsTruncated>${page.truncated}</IsTruncated>` +
    (q.has('encoding-type') ? '<EncodingType>url</EncodingType>' : '') +
    contentsXml(page.contents, enc, true, env.deps.accountId) +
    page.prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(enc(p))}</Prefix></CommonPrefixes>`).join('') +
    '</ListBucketResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: XML_DECLARATION + body };
}

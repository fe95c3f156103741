/**
 * S3 bucket and object operations (multipart in multipart.ts, listings in
 * listing.ts). Each takes the decoded request and returns the REST response;
 * errors are thrown as AwsServiceError and serialised by harness/protocol.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import { createHash } from 'node:crypto';
import { AwsServiceError } from '../../core/index.ts';
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { checksumOf, headerOfAlgorithm, parseAlgorithm, type ChecksumAlgorithm } from '../../protocol/checksums.ts';
import { children, element, parseXml, textOf, XML_DECLARATION, type XmlNode } from '../../protocol/xml.ts';
import { evaluateConditions, parseRange } from './conditions.ts';
import {
  contentHeaders,
  header,
  httpDate,
  isoTime,
  nowSeconds,
  requireBucket,
  requireContentLength,
  S3_XMLNS,
  validateBucketName,
  validateKey,
  type S3Env,
} from './env.ts';
import {
  bucketAlreadyOwnedByYou,
  bucketNotEmpty,
  illegalLocationConstraint,
  invalidArgument,
  invalidRequest,
  malformedXml,
  noSuchBucket,
  noSuchKey,
  preconditionFailed,
} from './errors.ts';
import { emptyNotification, findVersion, versionIdOf, type Bucket, type DeleteOutcome, type ObjectChecksum, type ObjectMeta, type StoredObject } from './models.ts';
import { taggingHeader } from './tagging.ts';
import { deleteEntries, readableVersion, requestedVersionId, versionHeaders } from './versioning.ts';
import { notificationConfigurationXml, parseNotificationConfiguration } from './notifications.ts';
import { emitEvent } from './events.ts';
import { encodeMetadataValue } from './rfc2047.ts';

const XML_HEADERS = { 'content-type': 'application/xml' };

function xml(body: string, status = 200, headers: Record<string, string> = {}): RestResponse {
  return { status, headers: { ...XML_HEADERS, ...headers }, body: XML_DECLARATION + body };
}

export function md5Etag(req: RestRequest): string {
  const b64 = req.digests?.md5;
  const hex = b64 ? Buffer.from(b64, 'base64').toString('hex') : createHash('md5').update(req.body).digest('hex');
  return `"${hex}"`;
}

/** The checksum to store for a PUT body: the one the client sent (already verified by the protocol layer), or the one it asked us to compute. */
export function requestChecksum(req: RestRequest): ObjectChecksum | undefined {
  for (const name of Object.keys(req.headers)) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(name);
    if (!m || m[1] === 'algorithm' || m[1] === 'type' || m[1] === 'mode') continue;
    const algorithm = parseAlgorithm(m[1]);
    const value = header(req.headers, name);
    if (algorithm && value) return { algorithm, value, type: 'FULL_OBJECT' };
  }
  const wanted = header(req.headers, 'x-amz-sdk-checksum-algorithm') ?? header(req.headers, 'x-amz-checksum-algorithm');
  if (wanted !== undefined) {
    const algorithm = parseAlgorithm(wanted);
    if (!algorithm) throw invalidArgument(`Checksum algorithm ${wanted} is not supported (use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256).`, 'x-amz-checksum-algorithm', wanted);
    return { algorithm, value: req.digests?.[algorithm.toLowerCase() as 'crc32'] ?? checksumOf(algorithm, req.body), type: 'FULL_OBJECT' };
  }
  return undefined;
}

export function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [headerOfAlgorithm(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

export function checksumXml(checksum: ObjectChecksum | undefined): string {
  if (!checksum) return '';
  return element(`Checksum${checksum.algorithm}`, checksum.value) + element('ChecksumType', checksum.type);
}

// ── buckets ──────────────────────────────────────────────────────────────────

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
export function listBuckets(env: S3Env, req: RestRequest): RestResponse {
  const prefix = req.query.get('prefix') ?? '';
  const maxRaw = req.query.get('max-buckets');
  const max = maxRaw === null ? 10000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10000) throw invalidArgument('max-buckets must be an integer between 1 and 10000', 'max-buckets', maxRaw ?? '');
  const after = req.query.get('continuation-token') ? Buffer.from(req.query.get('continuation-token')!, 'base64url').toString('utf8') : '';
  const all = [...env.store.buckets.values()].filter((b) => b.name.startsWith(prefix) && b.name > after).sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = all.slice(0, max);
  const owner = `<Owner><ID>${env.deps.accountId}</ID><DisplayName>rehearse</DisplayName></Owner>`;
  const items = page.map((b) => `<Bucket><Name>${b.name}</Name><CreationDate>${isoTime(b.creationDate)}</CreationDate><BucketRegion>${b.region}</BucketRegion></Bucket>`).join('');
  const token = all.length > page.length ? element('ContinuationToken', Buffer.from(page[page.length - 1]!.name).toString('base64url')) : '';
  const prefixXml = req.query.has('prefix') ? element('Prefix', prefix) : '';
  return xml(`<ListAllMyBucketsResult xmlns="${S3_XMLNS}">${owner}<Buckets>${items}</Buckets>${token}${prefixXml}</ListAllMyBucketsResult>`);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
export async function createBucket(env: S3Env, req: RestRequest, name: string): Promise<RestResponse> {
  validateBucketName(name);
  let region = req.ctx.region;
  if (req.body.length > 0) {
    const doc = parseXml(req.body.toString('utf8'));
    if (!doc || (doc.CreateBucketConfiguration === undefined)) throw malformedXml('expected <CreateBucketConfiguration>');
    const cfg = doc.CreateBucketConfiguration;
    const lc = typeof cfg === 'object' && !Array.isArray(cfg) ? textOf(cfg.LocationConstraint)?.trim() : undefined;
    if (lc) {
      if (lc !== req.ctx.region) throw illegalLocationConstraint(lc, req.ctx.region);
      region = lc;
    }
  }
  const existing = env.store.buckets.get(name);
  if (existing) {
    // AWS: in us-east-1 re-creating your own bucket succeeds (legacy behaviour); elsewhere 409.
    if (req.ctx.region === 'us-east-1' && existing.region === 'us-east-1') return { status: 200, headers: { location: `/${name}` } };
    throw bucketAlreadyOwnedByYou(name);
  }
  await env.store.createBucket({ name, creationDate: nowSeconds(env), region, notification: emptyNotification() });
  return { status: 200, headers: { location: `/${name}`, 'x-amz-bucket-region': region } };
}

export function headBucket(env: S3Env, name: string): RestResponse {
  const b = requireBucket(env, name);
  return { status: 200, headers: { 'x-amz-bucket-region': b.region, 'x-amz-access-point-alias': 'false' } };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html
export async function deleteBucket(env: S3Env, name: string): Promise<RestResponse> {
  const b = requireBucket(env, name);
  // Versions and delete markers keep a versioned bucket non-empty too.
  if (b.objects.size > 0 || b.versions.size > 0 || b.uploads.size > 0) throw bucketNotEmpty(name);
  await env.store.deleteBucket(name);
  return { status: 204 };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html — us-east-1 is an empty constraint.
export function getBucketLocation(env: S3Env, name: string): RestResponse {
  const b = requireBucket(env, name);
  const lc = b.region === 'us-east-1' ? '' : b.region;
  return xml(`<LocationConstraint xmlns="${S3_XMLNS}">${lc}</LocationConstraint>`);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html
export async function putBucketNotification(env: S3Env, req: RestRequest, name: string): Promise<RestResponse> {
  const b = requireBucket(env, name);
  const doc = parseXml(req.body.toString('utf8'));
  if (!doc) throw malformedXml('the body is not well-formed XML');
  b.notification = parseNotificationConfiguration(doc, () => env.ids.uuid());
  await env.store.saveBucket(b);
  return { status: 200 };
}

export function getBucketNotification(env: S3Env, name: string): RestResponse {
  const b = requireBucket(env, name);
  return xml(notificationConfigurationXml(b.notification));
}

// ── objects ──────────────────────────────────────────────────────────────────

function checkWriteConditions(req: RestRequest, existing: StoredObject | undefined, key: string): void {
  // Conditional writes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
  const ifNoneMatch = header(req.headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw invalidArgument('If-None-Match on a write only accepts *', 'If-None-Match', ifNoneMatch);
    if (existing) throw preconditionFailed('If-None-Match');
  }
  const ifMatch = header(req.headers, 'if-match');
  if (ifMatch !== undefined) {
    if (!existing) throw noSuchKey(key);
    if (ifMatch.replace(/"/g, '').trim() !== existing.etag.replace(/"/g, '') && ifMatch.trim() !== '*') throw preconditionFailed('If-Match');
  }
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
export async function putObject(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  validateKey(key);
  requireContentLength(req);
  checkWriteConditions(req, bucket.objects.get(key), key);
  const tags = taggingHeader(req);
  const meta: ObjectMeta = {
    key,
    size: req.body.length,
    etag: md5Etag(req),
    lastModified: nowSeconds(env),
    ...contentHeaders(req),
    checksum: requestChecksum(req),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
  const stored = await env.store.putObject(bucket, meta, req.body);
  emitEvent(env, req, bucket, 'ObjectCreated:Put', stored);
  return { status: 200, headers: { etag: meta.etag, 'x-amz-server-side-encryption': 'AES256', ...checksumHeaders(meta.checksum), ...versionHeaders(bucket, stored) } };
}

function objectHeaders(bucket: Bucket, obj: StoredObject, req: RestRequest, head: boolean): Record<string, string> {
  const q = req.query;
  const out: Record<string, string> = {
    etag: obj.etag,
    'last-modified': httpDate(obj.lastModified),
    'accept-ranges': 'bytes',
    'content-type': q.get('response-content-type') ?? obj.contentType,
    'x-amz-server-side-encryption': 'AES256',
  };
  const opt: Array<[string, string | undefined, string]> = [
    ['content-encoding', obj.contentEncoding, 'response-content-encoding'],
    ['content-disposition', obj.contentDisposition, 'response-content-disposition'],
    ['content-language', obj.contentLanguage, 'response-content-language'],
    ['cache-control', obj.cacheControl, 'response-cache-control'],
    ['expires', obj.expires, 'response-expires'],
  ];
  for (const [name, value, override] of opt) {
    const v = q.get(override) ?? value;
    if (v !== undefined) out[name] = v;
  }
  for (const [k, v] of Object.entries(obj.metadata)) out[`x-amz-meta-${k}`] = encodeMetadataValue(v);
  Object.assign(out, versionHeaders(bucket, obj));
  // GetObject tells how many tags there are; HeadObject does not (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
  if (!head && obj.tags && obj.tags.length > 0) out['x-amz-tagging-count'] = String(obj.tags.length);
  return out;
}

/** GetObject and HeadObject share everything but the body. */
export async function getObject(env: S3Env, req: RestRequest, bucketName: string, key: string, head: boolean): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  const obj = readableVersion(bucket, key, requestedVersionId(req));
  const headers = objectHeaders(bucket, obj, req, head);
  if (evaluateConditions(req.headers, obj.etag, obj.lastModified) === 'not-modified') {
    return { status: 304, headers: { etag: obj.etag, 'last-modified': headers['last-modified']!, ...versionHeaders(bucket, obj) } };
  }
  let range: { start: number; end: number } | undefined;
  const partNumberRaw = req.query.get('partNumber');
  if (partNumberRaw !== null) {
    const n = Number(partNumberRaw);
    const parts = obj.partSizes ?? [obj.size];
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', partNumberRaw);
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList (InvalidPartNumber: 400)
    if (n > parts.length) throw new AwsServiceError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 400, { fields: { PartNumberRequested: String(n), ActualPartCount: String(parts.length) } });
    const start = parts.slice(0, n - 1).reduce((a, b) => a + b, 0);
    range = { start, end: start + parts[n - 1]! - 1 };
    headers['x-amz-mp-parts-count'] = String(parts.length);
  } else {
    range = parseRange(header(req.headers, 'range'), obj.size);
  }
  const checksumMode = header(req.headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  if (checksumMode && obj.checksum) {
    // AWS returns the full-object checksum only for whole-object reads (and a part's own for partNumber reads of composite objects).
    if (!range) Object.assign(headers, checksumHeaders(obj.checksum));
    else if (partNumberRaw !== null && obj.checksum.type === 'COMPOSITE' && obj.partChecksums) {
      const partChecksum = obj.partChecksums[Number(partNumberRaw) - 1];
      if (partChecksum) Object.assign(headers, { [headerOfAlgorithm(obj.checksum.algorithm)]: partChecksum, 'x-amz-checksum-type': 'COMPOSITE' });
    }
  }
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${obj.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    if (head) return { status: 206, headers };
    const body = await env.store.readBody(bucket, obj);
    return { status: 206, headers, body: body.subarray(range.start, range.end + 1) };
  }
  headers['content-length'] = String(obj.size);
  if (head) return { status: 200, headers };
  return { status: 200, headers, body: await env.store.readBody(bucket, obj) };
}

/** Removes `key` (or one version of it) and sends the event: ObjectRemoved:Delete, or DeleteMarkerCreated. */
async function removeObject(env: S3Env, req: RestRequest, bucket: Bucket, key: string, versionId: string | undefined): Promise<DeleteOutcome> {
  const outcome = await env.store.deleteObject(bucket, key, versionId, nowSeconds(env));
  if (outcome.marker) emitEvent(env, req, bucket, 'ObjectRemoved:DeleteMarkerCreated', outcome.marker);
  else if (outcome.removed) emitEvent(env, req, bucket, 'ObjectRemoved:Delete', outcome.removed);
  return outcome;
}

/** `x-amz-version-id` / `x-amz-delete-marker` of a DeleteObject answer: the marker added, or the version named. */
function deleteHeaders(versionId: string | undefined, outcome: DeleteOutcome): Record<string, string> {
  if (outcome.marker) return { 'x-amz-version-id': versionIdOf(outcome.marker), 'x-amz-delete-marker': 'true' };
  if (versionId === undefined) return {};
  return { 'x-amz-version-id': versionId, ...(outcome.removed?.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}) };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html — deleting a missing key (or version) succeeds.
export async function deleteObject(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  const versionId = requestedVersionId(req);
  const obj = bucket.objects.get(key);
  const ifMatch = header(req.headers, 'if-match');
  if (ifMatch !== undefined && (!obj || (ifMatch.trim() !== '*' && ifMatch.replace(/"/g, '').trim() !== obj.etag.replace(/"/g, '')))) {
    if (!obj) throw noSuchKey(key);
    throw preconditionFailed('If-Match');
  }
  const outcome = await removeObject(env, req, bucket, key, versionId);
  return { status: 204, headers: deleteHeaders(versionId, outcome) };
}

function nodeRecord(node: XmlNode | XmlNode[] | undefined): Record<string, XmlNode | XmlNode[]> | undefined {
  if (node === undefined || Array.isArray(node) || typeof node === 'string') return undefined;
  return node;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
export async function deleteObjects(env: S3Env, req: RestRequest, bucketName: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  const doc = parseXml(req.body.toString('utf8'));
  const root = nodeRecord(doc?.Delete);
  if (!root) throw malformedXml('expected <Delete> with <Object> elements');
  const objects = children(root.Object);
  if (objects.length === 0 || objects.length > 1000) throw malformedXml(`a Delete request carries 1 to 1000 objects, got ${objects.length}`);
  const quiet = textOf(root.Quiet)?.trim().toLowerCase() === 'true';
  let out = '';
  for (const [i, { key, versionId }] of deleteEntries(objects).entries()) {
    if (key === undefined || key === '') throw malformedXml(`Object[${i}] has no Key`);
    const versionXml = versionId !== undefined ? element('VersionId', versionId) : '';
    try {
      validateKey(key);
      if (versionId !== undefined) requestedVersionId({ query: new URLSearchParams({ versionId }) });
    } catch (e) {
      const err = e as AwsServiceError;
      out += `<Error><Key>${escape(key)}</Key>${versionXml}<Code>${err.code}</Code><Message>${escape(err.message)}</Message></Error>`;
      continue;
    }
    const outcome = await removeObject(env, req, bucket, key, versionId);
    if (quiet) continue;
    const marker = outcome.marker
      ? `<DeleteMarker>true</DeleteMarker>${element('DeleteMarkerVersionId', versionIdOf(outcome.marker))}`
      : outcome.removed?.deleteMarker
        ? `<DeleteMarker>true</DeleteMarker>${element('DeleteMarkerVersionId', versionId)}`
        : '';
    out += `<Deleted><Key>${escape(key)}</Key>${versionXml}${marker}</Deleted>`;
  }
  return xml(`<DeleteResult xmlns="${S3_XMLNS}">${out}</DeleteResult>`);
}

function escape(s: string): string {
  return element('x', s).slice(3, -4);
}

/** `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`. */
export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  const q = value.indexOf('?');
  const noVersion = q < 0 ? value : value.slice(0, q);
  const versionId = q < 0 ? undefined : (new URLSearchParams(value.slice(q + 1)).get('versionId') ?? undefined);
  let decoded: string;
  try {
    decoded = decodeURIComponent(noVersion);
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', value);
  }
  const s = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = s.indexOf('/');
  if (slash <= 0 || slash === s.length - 1) throw invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', value);
  if (versionId !== undefined) requestedVersionId({ query: new URLSearchParams({ versionId }) });
  return { bucket: s.slice(0, slash), key: s.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

/**
 * The object a copy reads: its current version or the one `?versionId=` names. Naming a delete marker is
 * InvalidRequest; a current delete marker is NoSuchKey. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
export function copySourceObject(env: S3Env, src: { bucket: string; key: string; versionId?: string }): { bucket: Bucket; obj: StoredObject } {
  const bucket = env.store.buckets.get(src.bucket);
  if (!bucket) throw noSuchBucket(src.bucket);
  if (src.versionId !== undefined && findVersion(bucket, src.key, src.versionId)?.deleteMarker) {
    throw invalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
  }
  try {
    return { bucket, obj: readableVersion(bucket, src.key, src.versionId) };
  } catch (e) {
    // Delete-marker headers describe the target of a GET, not of a copy.
    if (e instanceof AwsServiceError && e.code === 'NoSuchKey') throw noSuchKey(src.key);
    throw e;
  }
}

/** `x-amz-copy-source-version-id` when the source bucket has had versioning. */
export function copySourceHeaders(bucket: Bucket, obj: StoredObject): Record<string, string> {
  return bucket.versioning === undefined ? {} : { 'x-amz-copy-source-version-id': versionIdOf(obj) };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
export async function copyObject(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  validateKey(key);
  const src = parseCopySource(header(req.headers, 'x-amz-copy-source')!);
  const { bucket: srcBucket, obj: srcObj } = copySourceObject(env, src);
  evaluateConditions(req.headers, srcObj.etag, srcObj.lastModified, 'x-amz-copy-source-');
  const directive = (header(req.headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  const taggingDirective = (header(req.headers, 'x-amz-tagging-directive') ?? 'COPY').toUpperCase();
  if (taggingDirective !== 'COPY' && taggingDirective !== 'REPLACE') throw invalidArgument('Unknown tagging directive.', 'x-amz-tagging-directive', taggingDirective);
  const tags = taggingDirective === 'REPLACE' ? (taggingHeader(req) ?? []) : (srcObj.tags ?? []);
  const newAlgorithm = header(req.headers, 'x-amz-checksum-algorithm');
  if (src.bucket === bucketName && src.key === key && src.versionId === undefined && directive === 'COPY' && taggingDirective === 'COPY' && newAlgorithm === undefined) {
    throw invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  checkWriteConditions(req, bucket.objects.get(key), key);
  const body = await env.store.readBody(srcBucket, srcObj);
  const content = directive === 'REPLACE' ? contentHeaders(req) : {
    contentType: srcObj.contentType,
    contentEncoding: srcObj.contentEncoding,
    contentDisposition: srcObj.contentDisposition,
    contentLanguage: srcObj.contentLanguage,
    cacheControl: srcObj.cacheControl,
    expires: srcObj.expires,
    metadata: { ...srcObj.metadata },
  };
  // The copy is a single-part object: its ETag is the MD5, and a composite checksum is recomputed as a full-object one.
  let algorithm: ChecksumAlgorithm | undefined = srcObj.checksum?.algorithm;
  if (newAlgorithm !== undefined) {
    algorithm = parseAlgorithm(newAlgorithm);
    if (!algorithm) throw invalidArgument(`Checksum algorithm ${newAlgorithm} is not supported.`, 'x-amz-checksum-algorithm', newAlgorithm);
  }
  const checksum: ObjectChecksum | undefined = algorithm
    ? srcObj.checksum?.algorithm === algorithm && srcObj.checksum.type === 'FULL_OBJECT'
      ? { ...srcObj.checksum }
      : { algorithm, value: checksumOf(algorithm, body), type: 'FULL_OBJECT' }
    : undefined;
  const meta: ObjectMeta = {
    key,
    size: body.length,
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    lastModified: nowSeconds(env),
    ...content,
    checksum,
    ...(tags.length > 0 ? { tags } : {}),
  };
  const stored = await env.store.putObject(bucket, meta, body);
  emitEvent(env, req, bucket, 'ObjectCreated:Copy', stored);
  return xml(
    `<CopyObjectResult xmlns="${S3_XMLNS}"><ETag>${escape(meta.etag)}</ETag><LastModified>${isoTime(meta.lastModified)}</LastModified>${checksumXml(checksum)}</CopyObjectResult>`,
    200,
    { 'x-amz-server-side-encryption': 'AES256', ...copySourceHeaders(srcBucket, srcObj), ...versionHeaders(bucket, stored) },
  );
}

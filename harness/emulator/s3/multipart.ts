/**
 * Multipart upload: what `@aws-sdk/lib-storage` and `aws s3 cp` use for large
 * files. ETag of the result is `"md5(concat(part md5s))-N"`; checksums are
 * COMPOSITE (checksum of the part checksums, `-N`) or FULL_OBJECT as the
 * upload was created.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#large-object-checksums
 */
import { createHash } from 'node:crypto';
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { checksumOf, createDigester, headerOfAlgorithm, parseAlgorithm, type ChecksumAlgorithm } from '../../protocol/checksums.ts';
import { children, element, escapeXml, parseXml, textOf, XML_DECLARATION, type XmlNode } from '../../protocol/xml.ts';
import { AwsServiceError } from '../../core/index.ts';
import { contentHeaders, header, isoTime, nowSeconds, requireBucket, requireContentLength, S3_XMLNS, validateKey, type S3Env } from './env.ts';
import { entityTooSmall, invalidArgument, invalidPart, invalidPartOrder, invalidRange, malformedXml, noSuchUpload } from './errors.ts';
import { emitEvent } from './events.ts';
import { REMEMBERED_COMPLETIONS, type Bucket, type ChecksumType, type MultipartUpload, type ObjectChecksum, type ObjectMeta } from './models.ts';
import { checksumXml, copySourceHeaders, copySourceObject, md5Etag, parseCopySource } from './operations.ts';
import { taggingHeader } from './tagging.ts';
import { versionHeaders } from './versioning.ts';
import { evaluateConditions } from './conditions.ts';

const MIN_PART_SIZE = 5 * 1024 * 1024;

function xml(body: string, headers: Record<string, string> = {}): RestResponse {
  return { status: 200, headers: { 'content-type': 'application/xml', ...headers }, body: XML_DECLARATION + body };
}

function requireUpload(bucket: Bucket, req: RestRequest, key: string): MultipartUpload {
  const uploadId = req.query.get('uploadId') ?? '';
  const upload = bucket.uploads.get(uploadId);
  if (!upload || upload.key !== key) throw noSuchUpload(uploadId);
  return upload;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
export function createMultipartUpload(env: S3Env, req: RestRequest, bucketName: string, key: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  validateKey(key);
  const algRaw = header(req.headers, 'x-amz-checksum-algorithm');
  const checksumAlgorithm = algRaw === undefined ? undefined : parseAlgorithm(algRaw);
  if (algRaw !== undefined && !checksumAlgorithm) throw invalidArgument(`Checksum algorithm ${algRaw} is not supported.`, 'x-amz-checksum-algorithm', algRaw);
  const typeRaw = header(req.headers, 'x-amz-checksum-type')?.toUpperCase();
  if (typeRaw !== undefined && typeRaw !== 'COMPOSITE' && typeRaw !== 'FULL_OBJECT') throw invalidArgument(`Checksum type ${typeRaw} is not supported.`, 'x-amz-checksum-type', typeRaw);
  // CRC64NVME only exists as FULL_OBJECT; SHA* only as COMPOSITE; CRC32/CRC32C default to COMPOSITE.
  let checksumType: ChecksumType | undefined;
  if (checksumAlgorithm) {
    checksumType = (typeRaw as ChecksumType | undefined) ?? (checksumAlgorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
    if (checksumAlgorithm === 'CRC64NVME' && checksumType === 'COMPOSITE') throw invalidRequest('The COMPOSITE checksum type cannot be used with the CRC64NVME checksum algorithm.');
    if ((checksumAlgorithm === 'SHA1' || checksumAlgorithm === 'SHA256') && checksumType === 'FULL_OBJECT') throw invalidRequest(`The FULL_OBJECT checksum type cannot be used with the ${checksumAlgorithm} checksum algorithm.`);
  }
  const uploadId = env.ids.token().slice(0, 64);
  const { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires, metadata } = contentHeaders(req);
  const tags = taggingHeader(req);
  bucket.uploads.set(uploadId, {
    uploadId,
    key,
    initiated: env.deps.clock.now(),
    meta: { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires, metadata, ...(tags && tags.length > 0 ? { tags } : {}) },
    checksumAlgorithm,
    checksumType,
    parts: new Map(),
  });
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
  if (checksumAlgorithm) {
    headers['x-amz-checksum-algorithm'] = checksumAlgorithm;
    headers['x-amz-checksum-type'] = checksumType!;
  }
  return xml(
    `<InitiateMultipartUploadResult xmlns="${S3_XMLNS}"><Bucket>${bucket.name}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
    headers,
  );
}

function invalidRequest(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequest', message, 400);
}

function partNumberOf(req: RestRequest): number {
  const raw = req.query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10000) throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  return n;
}

function partChecksum(upload: MultipartUpload, req: RestRequest, body: Buffer): string | undefined {
  if (!upload.checksumAlgorithm) return undefined;
  const sent = header(req.headers, headerOfAlgorithm(upload.checksumAlgorithm));
  if (sent) return sent; // verified by the protocol layer
  return req.digests?.[upload.checksumAlgorithm.toLowerCase() as 'crc32'] ?? checksumOf(upload.checksumAlgorithm, body);
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
export function uploadPart(env: S3Env, req: RestRequest, bucketName: string, key: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const upload = requireUpload(bucket, req, key);
  const partNumber = partNumberOf(req);
  requireContentLength(req);
  const etag = md5Etag(req);
  const checksum = partChecksum(upload, req, req.body);
  upload.parts.set(partNumber, { partNumber, etag, size: req.body.length, body: req.body, checksum, lastModified: nowSeconds(env) });
  const headers: Record<string, string> = { etag, 'x-amz-server-side-encryption': 'AES256' };
  if (checksum && upload.checksumAlgorithm) headers[headerOfAlgorithm(upload.checksumAlgorithm)] = checksum;
  return { status: 200, headers };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
export async function uploadPartCopy(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  const upload = requireUpload(bucket, req, key);
  const partNumber = partNumberOf(req);
  const { bucket: srcBucket, obj: srcObj } = copySourceObject(env, parseCopySource(header(req.headers, 'x-amz-copy-source')!));
  evaluateConditions(req.headers, srcObj.etag, srcObj.lastModified, 'x-amz-copy-source-');
  let body = await env.store.readBody(srcBucket, srcObj);
  const rangeHeader = header(req.headers, 'x-amz-copy-source-range');
  if (rangeHeader !== undefined) {
    const r = parseCopySourceRange(rangeHeader, srcObj.size);
    body = body.subarray(r.start, r.end + 1);
  }
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  const checksum = upload.checksumAlgorithm ? checksumOf(upload.checksumAlgorithm, body) : undefined;
  const lastModified = nowSeconds(env);
  upload.parts.set(partNumber, { partNumber, etag, size: body.length, body: Buffer.from(body), checksum, lastModified });
  const ck = checksum && upload.checksumAlgorithm ? element(`Checksum${upload.checksumAlgorithm}`, checksum) : '';
  return xml(`<CopyPartResult xmlns="${S3_XMLNS}"><ETag>${escapeXml(etag)}</ETag><LastModified>${isoTime(lastModified)}</LastModified>${ck}</CopyPartResult>`, copySourceHeaders(srcBucket, srcObj));
}

/**
 * `x-amz-copy-source-range`: exactly `bytes=first-last` (unlike GetObject's Range, no suffix or open ranges), with
 * `last` inside the source. https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 */
function parseCopySourceRange(value: string, size: number): { start: number; end: number } {
  const m = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[1]) > Number(m[2])) {
    throw invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      'x-amz-copy-source-range',
      value,
    );
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end >= size) throw invalidRange(value, size);
  return { start, end };
}

function rec(node: XmlNode | XmlNode[] | undefined): Record<string, XmlNode | XmlNode[]> | undefined {
  if (node === undefined || Array.isArray(node) || typeof node === 'string') return undefined;
  return node;
}

function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): string {
  const raw = Buffer.concat(partChecksums.map((c) => Buffer.from(c, 'base64')));
  return `${checksumOf(algorithm, raw)}-${partChecksums.length}`;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
export async function completeMultipartUpload(env: S3Env, req: RestRequest, bucketName: string, key: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  // A retry after a lost response gets the first answer again: S3 answers 200, not NoSuchUpload, for a completed upload.
  const done = bucket.completedUploads.get(req.query.get('uploadId') ?? '');
  if (done && done.key === key) return { status: 200, headers: { ...done.response.headers }, body: done.response.body };
  const upload = requireUpload(bucket, req, key);
  const doc = parseXml(req.body.toString('utf8'));
  const root = rec(doc?.CompleteMultipartUpload);
  if (!root) throw malformedXml('expected <CompleteMultipartUpload> with <Part> elements');
  const listed = children(root.Part).map((p, i) => {
    const r = rec(p);
    const n = Number(textOf(r?.PartNumber));
    if (!r || !Number.isInteger(n)) throw malformedXml(`Part[${i}] has no valid PartNumber`);
    const alg = upload.checksumAlgorithm;
    return { partNumber: n, etag: textOf(r.ETag)?.replace(/"/g, '').trim(), checksum: alg ? textOf(r[`Checksum${alg}`])?.trim() : undefined };
  });
  if (listed.length === 0) throw malformedXml('You must specify at least one part');
  // A part number listed more than once (a re-uploaded part) counts once, with its last entry — what S3 assembles;
  // a number lower than the one before it is out of order.
  const kept = listed.filter((l, i) => {
    if (i > 0 && l.partNumber < listed[i - 1]!.partNumber) throw invalidPartOrder();
    return listed[i + 1]?.partNumber !== l.partNumber;
  });
  const parts = kept.map((l) => {
    const part = upload.parts.get(l.partNumber);
    if (!part) throw invalidPart(l.partNumber, 'not uploaded');
    if (l.etag !== undefined && l.etag !== part.etag.replace(/"/g, '')) throw invalidPart(l.partNumber, 'ETag does not match');
    if (l.checksum !== undefined && part.checksum !== undefined && l.checksum !== part.checksum) throw invalidPart(l.partNumber, `Checksum${upload.checksumAlgorithm} does not match`);
    return part;
  });
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && p.size < MIN_PART_SIZE) throw entityTooSmall(p.partNumber, p.size);
  });
  const checkWrite = header(req.headers, 'if-none-match');
  if (checkWrite?.trim() === '*' && bucket.objects.has(key)) throw new AwsServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { fields: { Condition: 'If-None-Match' } });
  const body = Buffer.concat(parts.map((p) => p.body));
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')));
  const etag = `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
  let checksum: ObjectChecksum | undefined;
  if (upload.checksumAlgorithm) {
    const alg = upload.checksumAlgorithm;
    if (upload.checksumType === 'FULL_OBJECT') {
      const d = createDigester(alg);
      for (const p of parts) d.update(p.body);
      checksum = { algorithm: alg, value: d.digest(), type: 'FULL_OBJECT' };
      const claimed = header(req.headers, headerOfAlgorithm(alg));
      if (claimed !== undefined && claimed !== checksum.value) throw new AwsServiceError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`, 400);
    } else {
      checksum = { algorithm: alg, value: compositeChecksum(alg, parts.map((p) => p.checksum ?? checksumOf(alg, p.body))), type: 'COMPOSITE' };
    }
  }
  const meta: ObjectMeta = {
    key,
    size: body.length,
    etag,
    lastModified: nowSeconds(env),
    ...upload.meta,
    checksum,
    partSizes: parts.map((p) => p.size),
    partChecksums: checksum?.type === 'COMPOSITE' ? parts.map((p) => p.checksum ?? '') : undefined,
  };
  bucket.uploads.delete(upload.uploadId);
  const stored = await env.store.putObject(bucket, meta, body);
  emitEvent(env, req, bucket, 'ObjectCreated:CompleteMultipartUpload', stored);
  const location = `${req.ctx.endpoint}/${bucket.name}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  const response = {
    headers: { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256', ...versionHeaders(bucket, stored) },
    body:
      XML_DECLARATION +
      `<CompleteMultipartUploadResult xmlns="${S3_XMLNS}"><Location>${escapeXml(location)}</Location><Bucket>${bucket.name}</Bucket>` +
      `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag>${checksumXml(checksum)}</CompleteMultipartUploadResult>`,
  };
  bucket.completedUploads.set(upload.uploadId, { key, response });
  if (bucket.completedUploads.size > REMEMBERED_COMPLETIONS) bucket.completedUploads.delete(bucket.completedUploads.keys().next().value!);
  return { status: 200, headers: { ...response.headers }, body: response.body };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
export function abortMultipartUpload(env: S3Env, req: RestRequest, bucketName: string, key: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const upload = requireUpload(bucket, req, key);
  bucket.uploads.delete(upload.uploadId);
  return { status: 204 };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
export function listParts(env: S3Env, req: RestRequest, bucketName: string, key: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const upload = requireUpload(bucket, req, key);
  const marker = Number(req.query.get('part-number-marker') ?? 0);
  const maxRaw = req.query.get('max-parts');
  const max = maxRaw === null ? 1000 : Math.min(1000, Number(maxRaw));
  if (!Number.isInteger(max) || max < 0) throw invalidArgument('max-parts must be an integer', 'max-parts', maxRaw ?? '');
  const all = [...upload.parts.values()].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  const alg = upload.checksumAlgorithm;
  const items = page
    .map(
      (p) =>
        `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${isoTime(p.lastModified)}</LastModified><ETag>${escapeXml(p.etag)}</ETag><Size>${p.size}</Size>` +
        (alg && p.checksum ? element(`Checksum${alg}`, p.checksum) : '') +
        '</Part>',
    )
    .join('');
  return xml(
    `<ListPartsResult xmlns="${S3_XMLNS}"><Bucket>${bucket.name}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${upload.uploadId}</UploadId>` +
      `<PartNumberMarker>${marker}</PartNumberMarker>${truncated ? element('NextPartNumberMarker', page[page.length - 1]!.partNumber) : ''}` +
      `<MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>${alg ? element('ChecksumAlgorithm', alg) + element('ChecksumType', upload.checksumType) : ''}` +
      `<StorageClass>STANDARD</StorageClass>${items}</ListPartsResult>`,
  );
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
export function listMultipartUploads(env: S3Env, req: RestRequest, bucketName: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const prefix = req.query.get('prefix') ?? '';
  const uploads = [...bucket.uploads.values()].filter((u) => u.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated));
  const items = uploads
    .map(
      (u) =>
        `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${isoTime(u.initiated)}</Initiated><StorageClass>STANDARD</StorageClass>` +
        (u.checksumAlgorithm ? element('ChecksumAlgorithm', u.checksumAlgorithm) + element('ChecksumType', u.checksumType) : '') +
        '</Upload>',
    )
    .join('');
  return xml(
    `<ListMultipartUploadsResult xmlns="${S3_XMLNS}"><Bucket>${bucket.name}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
      `${element('Prefix', prefix)}<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`,
  );
}

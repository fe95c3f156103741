/**
 * GetObjectAttributes: ETag, Checksum, ObjectParts, StorageClass and ObjectSize
 * of an object (version) without its bytes, as `x-amz-object-attributes` asks.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html
 */
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { element, escapeXml, XML_DECLARATION } from '../../protocol/xml.ts';
import { header, httpDate, requireBucket, S3_XMLNS, type S3Env } from './env.ts';
import { invalidArgument } from './errors.ts';
import type { StoredObject } from './models.ts';
import { readableVersion, requestedVersionId, versionHeaders } from './versioning.ts';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

function requestedAttributes(req: RestRequest): Set<Attribute> {
  const raw = header(req.headers, 'x-amz-object-attributes');
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw invalidArgument('x-amz-object-attributes must name at least one of ETag, Checksum, ObjectParts, StorageClass, ObjectSize.', 'x-amz-object-attributes', raw ?? '');
  for (const n of names) if (!(ATTRIBUTES as readonly string[]).includes(n)) throw invalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', n);
  return new Set(names as Attribute[]);
}

function partsXml(obj: StoredObject, req: RestRequest): string {
  const sizes = obj.partSizes ?? [];
  if (sizes.length === 0) return '';
  const maxRaw = header(req.headers, 'x-amz-max-parts');
  const markerRaw = header(req.headers, 'x-amz-part-number-marker');
  const max = maxRaw === undefined ? 1000 : Number(maxRaw);
  const marker = markerRaw === undefined ? 0 : Number(markerRaw);
  if (!Number.isInteger(max) || max < 0) throw invalidArgument('x-amz-max-parts must be a whole number.', 'x-amz-max-parts', maxRaw);
  if (!Number.isInteger(marker) || marker < 0) throw invalidArgument('x-amz-part-number-marker must be a whole number.', 'x-amz-part-number-marker', markerRaw);
  const numbers = sizes.map((_, i) => i + 1).filter((n) => n > marker);
  const page = numbers.slice(0, Math.min(max, 1000));
  const truncated = numbers.length > page.length;
  const alg = obj.checksum?.type === 'COMPOSITE' ? obj.checksum.algorithm : undefined;
  const parts = page
    .map((n) => `<Part><PartNumber>${n}</PartNumber><Size>${sizes[n - 1]}</Size>${alg ? element(`Checksum${alg}`, obj.partChecksums?.[n - 1]) : ''}</Part>`)
    .join('');
  return (
    `<ObjectParts><PartsCount>${sizes.length}</PartsCount><PartNumberMarker>${marker}</PartNumberMarker>` +
    (truncated ? element('NextPartNumberMarker', page[page.length - 1]) : '') +
    `<MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}</ObjectParts>`
  );
}

export function getObjectAttributes(env: S3Env, req: RestRequest, bucketName: string, key: string): RestResponse {
  const bucket = requireBucket(env, bucketName);
  const obj = readableVersion(bucket, key, requestedVersionId(req));
  const wanted = requestedAttributes(req);
  let body = '';
  // Unlike GetObject's header, this ETag is not quoted. (The part count is `<PartsCount>` on the wire, TotalPartsCount in the SDKs.)
  if (wanted.has('ETag')) body += `<ETag>${escapeXml(obj.etag.replace(/"/g, ''))}</ETag>`;
  if (wanted.has('Checksum') && obj.checksum) {
    body += `<Checksum>${element(`Checksum${obj.checksum.algorithm}`, obj.checksum.value)}${element('ChecksumType', obj.checksum.type)}</Checksum>`;
  }
  if (wanted.has('ObjectParts')) body += partsXml(obj, req);
  if (wanted.has('StorageClass')) body += '<StorageClass>STANDARD</StorageClass>';
  if (wanted.has('ObjectSize')) body += `<ObjectSize>${obj.size}</ObjectSize>`;
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', 'last-modified': httpDate(obj.lastModified), ...versionHeaders(bucket, obj) },
    body: `${XML_DECLARATION}<GetObjectAttributesResponse xmlns="${S3_XMLNS}">${body}</GetObjectAttributesResponse>`,
  };
}

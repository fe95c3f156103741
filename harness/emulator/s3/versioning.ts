/**
 * S3 versioning: Put/GetBucketVersioning, which version a request names
 * (`versionId`), and ListObjectVersions.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
 */
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { element, escapeXml, parseXml, textOf, XML_DECLARATION, type XmlNode } from '../../protocol/xml.ts';
import { httpDate, isoTime, requireBucket, S3_XMLNS, type S3Env } from './env.ts';
import { deleteMarkerError, invalidArgument, invalidVersionId, malformedXml, noSuchKey, noSuchVersion } from './errors.ts';
import { listingEncoder, maxKeys } from './listing.ts';
import { compareKeys, findVersion, historyOf, sortedVersionKeys, versionIdOf, type Bucket, type StoredObject } from './models.ts';

/** Version ids this endpoint issues: 32 URL-safe characters (S3's are opaque strings of this kind). */
const VERSION_ID = /^[A-Za-z0-9._-]{32}$/;

function xml(body: string): RestResponse {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: XML_DECLARATION + body };
}

/** The `versionId` query parameter, checked for form: `null` or an id of ours, else InvalidArgument. */
export function requestedVersionId(req: Pick<RestRequest, 'query'>): string | undefined {
  const v = req.query.get('versionId');
  if (v === null) return undefined;
  if (v !== 'null' && !VERSION_ID.test(v)) throw invalidVersionId(v);
  return v;
}

/** `x-amz-version-id` for a bucket that has had versioning (`null` for the null version); nothing otherwise. */
export function versionHeaders(bucket: Bucket, obj: StoredObject): Record<string, string> {
  if (bucket.versioning === undefined) return {};
  return { 'x-amz-version-id': versionIdOf(obj), ...(obj.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}) };
}

/**
 * The object version a read names: the current one, or `versionId`'s. A delete marker is NoSuchKey (current) or
 * 405 (by id), with the marker's headers; an unknown id NoSuchVersion.
 */
export function readableVersion(bucket: Bucket, key: string, versionId: string | undefined): StoredObject {
  if (versionId === undefined) {
    const obj = bucket.objects.get(key);
    if (obj) return obj;
    const newest = historyOf(bucket, key)[0];
    if (newest?.deleteMarker) throw deleteMarkerError(key, versionIdOf(newest), httpDate(newest.lastModified), false);
    throw noSuchKey(key);
  }
  const v = findVersion(bucket, key, versionId);
  if (!v) throw noSuchVersion(key, versionId);
  if (v.deleteMarker) throw deleteMarkerError(key, versionId, httpDate(v.lastModified), true);
  return v;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html
export async function putBucketVersioning(env: S3Env, req: RestRequest, name: string): Promise<RestResponse> {
  const bucket = requireBucket(env, name);
  const doc = parseXml(req.body.toString('utf8'));
  const root = doc?.VersioningConfiguration;
  if (root === undefined || Array.isArray(root) || typeof root === 'string') throw malformedXml('expected <VersioningConfiguration>');
  const status = textOf(root.Status)?.trim();
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended') throw malformedXml(`Status must be Enabled or Suspended, got ${JSON.stringify(status)}`);
  const mfa = textOf(root.MfaDelete)?.trim();
  if (mfa !== undefined && mfa !== 'Disabled') {
    if (mfa !== 'Enabled') throw malformedXml(`MfaDelete must be Enabled or Disabled, got ${JSON.stringify(mfa)}`);
    // MFA delete needs the root account's MFA device on every call; nothing here can supply one.
    throw invalidArgument('MFA Authentication must be used for this request', 'x-amz-mfa', '');
  }
  // A configuration without Status changes nothing; a bucket never goes back to unversioned.
  if (status !== undefined && status !== bucket.versioning) {
    bucket.versioning = status;
    await env.store.saveBucket(bucket);
  }
  return { status: 200 };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html — empty for a bucket that never had it.
export function getBucketVersioning(env: S3Env, name: string): RestResponse {
  const bucket = requireBucket(env, name);
  return xml(`<VersioningConfiguration xmlns="${S3_XMLNS}">${element('Status', bucket.versioning)}</VersioningConfiguration>`);
}

function versionXml(v: StoredObject, latest: boolean, enc: (s: string) => string, owner: string): string {
  const common = `<Key>${escapeXml(enc(v.key))}</Key><VersionId>${escapeXml(versionIdOf(v))}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${isoTime(v.lastModified)}</LastModified>`;
  if (v.deleteMarker) return `<DeleteMarker>${common}${owner}</DeleteMarker>`;
  const checksum = v.checksum ? `<ChecksumAlgorithm>${v.checksum.algorithm}</ChecksumAlgorithm><ChecksumType>${v.checksum.type}</ChecksumType>` : '';
  return `<Version>${common}<ETag>${escapeXml(v.etag)}</ETag>${checksum}<Size>${v.size}</Size>${owner}<StorageClass>STANDARD</StorageClass></Version>`;
}

/**
 * ListObjectVersions: every version and delete marker, by key then newest first; `max-keys` counts versions,
 * markers and common prefixes; `key-marker` + `version-id-marker` resume after one version (a key marker alone
 * after all of that key's versions).
 */
export function listObjectVersions(env: S3Env, req: RestRequest, name: string): RestResponse {
  const bucket = requireBucket(env, name);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker');
  if (versionIdMarker !== null && versionIdMarker !== '' && keyMarker === '') {
    throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionIdMarker);
  }
  if (versionIdMarker !== null && versionIdMarker !== '' && versionIdMarker !== 'null' && !VERSION_ID.test(versionIdMarker)) throw invalidVersionId(versionIdMarker);
  const max = maxKeys(req);
  const enc = listingEncoder(req);
  const owner = `<Owner><ID>${env.deps.accountId}</ID><DisplayName>rehearse</DisplayName></Owner>`;
  const keys = sortedVersionKeys(bucket);
  let lo = 0;
  let hi = keys.length;
  const start = keyMarker > prefix ? keyMarker : prefix;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid]!, start) < 0) lo = mid + 1;
    else hi = mid;
  }
  let out = '';
  let count = 0;
  let truncated = false;
  let last: { key: string; versionId?: string } | undefined;
  let lastPrefix: string | undefined;
  scan: for (let i = lo; i < keys.length; i++) {
    const key = keys[i]!;
    if (!key.startsWith(prefix)) {
      if (compareKeys(key, prefix) > 0) break;
      continue;
    }
    if (delimiter) {
      const d = key.indexOf(delimiter, prefix.length);
      if (d >= 0) {
        const cp = key.slice(0, d + delimiter.length);
        if (cp === lastPrefix || compareKeys(cp, keyMarker) <= 0) continue;
        if (count >= max) {
          truncated = true;
          break;
        }
        out += `<CommonPrefixes><Prefix>${escapeXml(enc(cp))}</Prefix></CommonPrefixes>`;
        lastPrefix = cp;
        last = { key: cp };
        count++;
        continue;
      }
    }
    const history = historyOf(bucket, key);
    let from = 0;
    if (key === keyMarker) {
      // key-marker alone: that key is done. With a version marker: resume after that version.
      if (!versionIdMarker) continue;
      const at = history.findIndex((v) => versionIdOf(v) === versionIdMarker);
      if (at < 0) continue;
      from = at + 1;
    } else if (compareKeys(key, keyMarker) <= 0) continue;
    for (let j = from; j < history.length; j++) {
      if (count >= max) {
        truncated = true;
        break scan;
      }
      out += versionXml(history[j]!, j === 0, enc, owner);
      last = { key, versionId: versionIdOf(history[j]!) };
      count++;
    }
  }
  const body =
    `<ListVersionsResult xmlns="${S3_XMLNS}"><Name>${bucket.name}</Name><Prefix>${escapeXml(enc(prefix))}</Prefix>` +
    `<KeyMarker>${escapeXml(enc(keyMarker))}</KeyMarker><VersionIdMarker>${escapeXml(versionIdMarker ?? '')}</VersionIdMarker>` +
    (truncated && last ? element('NextKeyMarker', enc(last.key)) + (last.versionId !== undefined ? element('NextVersionIdMarker', last.versionId) : '') : '') +
    `<MaxKeys>${max}</MaxKeys>${delimiter ? element('Delimiter', enc(delimiter)) : ''}<IsTruncated>${truncated}</IsTruncated>` +
    (q.has('encoding-type') ? '<EncodingType>url</EncodingType>' : '') +
    out +
    '</ListVersionsResult>';
  return xml(body);
}

/** `<Object><Key/><VersionId/></Object>` entries of a DeleteObjects body. */
export function deleteEntries(objects: XmlNode[]): Array<{ key: string | undefined; versionId: string | undefined }> {
  return objects.map((o) => {
    const r = typeof o === 'object' && !Array.isArray(o) ? o : undefined;
    const v = textOf(r?.VersionId);
    return { key: textOf(r?.Key), versionId: v === undefined || v === '' ? undefined : v };
  });
}

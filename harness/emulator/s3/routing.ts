/**
 * Which S3 operation a request is: bucket from the path (path style) or from
 * the Host (`<bucket>.localhost[:port]`, `<bucket>.s3.localhost` virtual-host
 * style), then method + subresource.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
import type { RestRequest } from '../../protocol/service.ts';
import { bucketFromHost } from '../../protocol/host.ts';

export { bucketFromHost };

export interface S3Target {
  bucket?: string;
  key?: string;
  operation: string;
}

/** Subresources we recognise but do not emulate: answered with NotImplemented, never misrouted as PutObject. */
const UNSUPPORTED_SUBRESOURCES = [
  'acl', 'policy', 'lifecycle', 'website', 'logging', 'replication', 'encryption', 'object-lock',
  'retention', 'legal-hold', 'ownershipControls', 'publicAccessBlock', 'accelerate', 'requestPayment', 'analytics',
  'inventory', 'metrics', 'intelligent-tiering', 'restore', 'select', 'torrent', 'policyStatus',
  'metadataTable', 'session', 'renameObject',
];


export function locate(req: { path: string; host: string }): { bucket?: string; key?: string } {
  const vhost = bucketFromHost(req.host);
  if (vhost) {
    const key = req.path.length > 1 ? req.path.slice(1) : undefined;
    return { bucket: vhost, key };
  }
  const rest = req.path.startsWith('/') ? req.path.slice(1) : req.path;
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), key: key === '' ? undefined : key };
}

export function classify(req: Pick<RestRequest, 'method' | 'path' | 'query' | 'headers' | 'ctx'>): S3Target {
  const { bucket, key } = locate({ path: req.path, host: req.ctx.host });
  const q = req.query;
  const m = req.method;
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((s) => q.has(s));
  const copySource = req.headers['x-amz-copy-source'] !== undefined;
  if (!bucket) return { operation: m === 'GET' ? 'ListBuckets' : 'MethodNotAllowed' };
  // A CORS preflight is answered from the bucket's CORS rules whatever the query names.
  if (m === 'OPTIONS') return { bucket, key, operation: 'PreflightRequest' };
  if (key === undefined) {
    if (unsupported) return { bucket, operation: `Unsupported:${unsupported}` };
    switch (m) {
      case 'PUT':
        if (q.has('notification')) return { bucket, operation: 'PutBucketNotificationConfiguration' };
        if (q.has('versioning')) return { bucket, operation: 'PutBucketVersioning' };
        if (q.has('tagging')) return { bucket, operation: 'PutBucketTagging' };
        if (q.has('cors')) return { bucket, operation: 'PutBucketCors' };
        return { bucket, operation: 'CreateBucket' };
      case 'GET':
        if (q.has('location')) return { bucket, operation: 'GetBucketLocation' };
        if (q.has('notification')) return { bucket, operation: 'GetBucketNotificationConfiguration' };
        if (q.has('uploads')) return { bucket, operation: 'ListMultipartUploads' };
        if (q.has('versioning')) return { bucket, operation: 'GetBucketVersioning' };
        if (q.has('versions')) return { bucket, operation: 'ListObjectVersions' };
        if (q.has('tagging')) return { bucket, operation: 'GetBucketTagging' };
        if (q.has('cors')) return { bucket, operation: 'GetBucketCors' };
        if (q.get('list-type') === '2') return { bucket, operation: 'ListObjectsV2' };
        return { bucket, operation: 'ListObjects' };
      case 'HEAD':
        return { bucket, operation: 'HeadBucket' };
      case 'DELETE':
        if (q.has('tagging')) return { bucket, operation: 'DeleteBucketTagging' };
        if (q.has('cors')) return { bucket, operation: 'DeleteBucketCors' };
        return { bucket, operation: 'DeleteBucket' };
      case 'POST':
        if (q.has('delete')) return { bucket, operation: 'DeleteObjects' };
        return { bucket, operation: 'PostObject' };
      default:
        return { bucket, operation: 'MethodNotAllowed' };
    }
  }
  if (unsupported) return { bucket, key, operation: `Unsupported:${unsupported}` };
  switch (m) {
    case 'PUT':
      if (q.has('tagging')) return { bucket, key, operation: 'PutObjectTagging' };
      if (q.has('uploadId') || q.has('partNumber')) return { bucket, key, operation: copySource ? 'UploadPartCopy' : 'UploadPart' };
      return { bucket, key, operation: copySource ? 'CopyObject' : 'PutObject' };
    case 'GET':
      if (q.has('tagging')) return { bucket, key, operation: 'GetObjectTagging' };
      if (q.has('attributes')) return { bucket, key, operation: 'GetObjectAttributes' };
      if (q.has('uploadId')) return { bucket, key, operation: 'ListParts' };
      return { bucket, key, operation: 'GetObject' };
    case 'HEAD':
      return { bucket, key, operation: 'HeadObject' };
    case 'DELETE':
      if (q.has('tagging')) return { bucket, key, operation: 'DeleteObjectTagging' };
      if (q.has('uploadId')) return { bucket, key, operation: 'AbortMultipartUpload' };
      return { bucket, key, operation: 'DeleteObject' };
    case 'POST':
      if (q.has('uploads')) return { bucket, key, operation: 'CreateMultipartUpload' };
      if (q.has('uploadId')) return { bucket, key, operation: 'CompleteMultipartUpload' };
      return { bucket, key, operation: 'Unsupported:POST on an object' };
    default:
      return { bucket, key, operation: 'MethodNotAllowed' };
  }
}

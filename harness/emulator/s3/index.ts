/**
 * S3 (restXml): wiring. `createS3Service(deps)` builds the store (loading the
 * data directory when set) and the protocol service; operations live in
 * operations.ts, multipart.ts and listing.ts.
 */
import type { RestProtocolService, RestRequest, RestResponse } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { header, type S3Env } from './env.ts';
import { methodNotAllowed, notImplemented } from './errors.ts';
import { listObjects, listObjectsV2 } from './listing.ts';
import { S3Store, type Bucket } from './models.ts';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart.ts';
import {
  copyObject,
  createBucket,
  deleteBucket,
  deleteObject,
  deleteObjects,
  getBucketLocation,
  getBucketNotification,
  getObject,
  headBucket,
  listBuckets,
  putBucketNotification,
  putObject,
} from './operations.ts';
import { S3Disk } from './persistence.ts';
import { getObjectAttributes } from './attributes.ts';
import { actualRequestCors, deleteBucketCors, getBucketCors, preflight, putBucketCors } from './cors.ts';
import { isPostObject, postObject } from './post-object.ts';
import { classify, locate } from './routing.ts';
import { deleteBucketTagging, deleteObjectTagging, getBucketTagging, getObjectTagging, putBucketTagging, putObjectTagging } from './tagging.ts';
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from './versioning.ts';

async function dispatch(env: S3Env, req: RestRequest): Promise<RestResponse> {
  const { bucket, key, operation } = classify(req);
  const b = bucket ?? '';
  const k = key ?? '';
  switch (operation) {
    case 'ListBuckets':
      return listBuckets(env, req);
    case 'CreateBucket':
      return createBucket(env, req, b);
    case 'HeadBucket':
      return headBucket(env, b);
    case 'DeleteBucket':
      return deleteBucket(env, b);
    case 'GetBucketLocation':
      return getBucketLocation(env, b);
    case 'GetBucketVersioning':
      return getBucketVersioning(env, b);
    case 'PutBucketVersioning':
      return putBucketVersioning(env, req, b);
    case 'ListObjectVersions':
      return listObjectVersions(env, req, b);
    case 'PutBucketTagging':
      return putBucketTagging(env, req, b);
    case 'GetBucketTagging':
      return getBucketTagging(env, b);
    case 'DeleteBucketTagging':
      return deleteBucketTagging(env, b);
    case 'PutBucketCors':
      return putBucketCors(env, req, b);
    case 'GetBucketCors':
      return getBucketCors(env, b);
    case 'DeleteBucketCors':
      return deleteBucketCors(env, b);
    case 'PreflightRequest':
      return preflight(env, req, b, key === undefined ? 'BUCKET' : 'OBJECT');
    case 'PostObject':
      return postObject(env, req, b);
    case 'PutObjectTagging':
      return putObjectTagging(env, req, b, k);
    case 'GetObjectTagging':
      return getObjectTagging(env, req, b, k);
    case 'DeleteObjectTagging':
      return deleteObjectTagging(env, req, b, k);
    case 'GetObjectAttributes':
      return getObjectAttributes(env, req, b, k);
    case 'PutBucketNotificationConfiguration':
      return putBucketNotification(env, req, b);
    case 'GetBucketNotificationConfiguration':
      return getBucketNotification(env, b);
    case 'ListObjectsV2':
      return listObjectsV2(env, req, b);
    case 'ListObjects':
      return listObjects(env, req, b);
    case 'ListMultipartUploads':
      return listMultipartUploads(env, req, b);
    case 'DeleteObjects':
      return deleteObjects(env, req, b);
    case 'PutObject':
      return putObject(env, req, b, k);
    case 'CopyObject':
      return copyObject(env, req, b, k);
    case 'GetObject':
      return getObject(env, req, b, k, false);
    case 'HeadObject':
      return getObject(env, req, b, k, true);
    case 'DeleteObject':
      return deleteObject(env, req, b, k);
    case 'CreateMultipartUpload':
      return createMultipartUpload(env, req, b, k);
    case 'UploadPart':
      return uploadPart(env, req, b, k);
    case 'UploadPartCopy':
      return uploadPartCopy(env, req, b, k);
    case 'CompleteMultipartUpload':
      return completeMultipartUpload(env, req, b, k);
    case 'AbortMultipartUpload':
      return abortMultipartUpload(env, req, b, k);
    case 'ListParts':
      return listParts(env, req, b, k);
    case 'MethodNotAllowed':
      throw methodNotAllowed(req.method, key !== undefined ? 'OBJECT' : bucket !== undefined ? 'BUCKET' : 'SERVICE');
    default:
      throw notImplemented(operation.replace(/^Unsupported:/, ''));
  }
}

interface S3Snapshot extends ServiceSnapshot {
  buckets: Map<string, Bucket>;
  seq: number;
}

export async function createS3Service(deps: ServiceDeps): Promise<EmulatedService> {
  const ids = deps.ids;
  const versionIds = ids.fork('version-ids');
  // Version ids as S3 makes them: opaque, URL-ready, of letters, digits, '.' and '_' — never a leading '-',
  // which a command line reads as an option (`aws s3api get-object --version-id -x…` fails).
  const newVersionId = () => Buffer.from(versionIds.hex(24), 'hex').toString('base64url').replaceAll('-', '.');
  const store = new S3Store(deps.dataDir ? new S3Disk(deps.dataDir, () => ids.hex(8)) : undefined, newVersionId);
  await store.load();
  let seq = 0;
  const env: S3Env = {
    store,
    deps,
    ids,
    sequencer: () => (deps.clock.now() * 1000 + (seq++ % 1000)).toString(16).toUpperCase().padStart(18, '0'),
  };
  const protocol: RestProtocolService = {
    kind: 'rest',
    signingName: 's3',
    protocol: 'restXml',
    // S3 path style claims every path no other REST service claimed (the router asks S3 last).
    matches: () => true,
    handle: (req) => dispatch(env, req),
    operationName: (req) => {
      const op = classify(req).operation;
      return op.startsWith('Unsupported:') || op === 'MethodNotAllowed' ? undefined : op;
    },
    // POST object signs its policy in the form; a CORS preflight is anonymous (S3 authenticates neither by SigV4).
    authenticatesItself: (req) =>
      req.method === 'OPTIONS' || (req.method === 'POST' && isPostObject(req, locate({ path: req.path, host: header(req.headers, 'host') ?? '' }).key !== undefined)),
    // Access-Control-* on every answer (errors included) to an Origin the bucket's CORS rules allow.
    responseHeaders: (req) => {
      if (req.headers.origin === undefined || req.method === 'OPTIONS') return undefined;
      const { bucket } = locate({ path: req.path, host: header(req.headers, 'host') ?? '' });
      return actualRequestCors(bucket === undefined ? undefined : store.buckets.get(bucket), req.method, req.headers);
    },
  };
  return {
    name: 's3',
    protocols: [protocol],
    reset: () => store.clear(),
    // S3 runs nothing in the background: notifications are handed to Lambda's asynchronous queue at once.
    snapshot: (): S3Snapshot => ({ service: 's3', buckets: store.copyBuckets(), seq }),
    restore(snapshot) {
      const s = ownSnapshot<S3Snapshot>('s3', snapshot);
      store.restoreBuckets(s.buckets);
      seq = s.seq;
    },
  };
}

/**
 * The S3 store: buckets, objects (with their versions once a bucket has had
 * versioning), multipart uploads. In memory by default; with a data directory
 * every bucket and object version is written through to disk (see
 * persistence.ts) so a restart loses nothing.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
import type { ChecksumAlgorithm } from '../../protocol/checksums.ts';
import type { NotificationConfiguration } from './notifications.ts';
import type { PersistedVersion, S3Disk } from './persistence.ts';

/** The representation headers S3 stores with an object and returns on GET/HEAD. */
export interface ContentHeaders {
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** `x-amz-meta-*` without the prefix, names lower-cased. */
  metadata: Record<string, string>;
}

export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64 digest; COMPOSITE values end in `-<parts>`. */
  value: string;
  type: ChecksumType;
}

/** What S3 keeps about an object besides its bytes. */
export interface ObjectMeta extends ContentHeaders {
  key: string;
  size: number;
  /** Quoted, as on the wire: `"d41d8cd98f00b204e9800998ecf8427e"` or `"…-3"`. */
  etag: string;
  /** epoch ms, whole seconds (S3 stores second precision). */
  lastModified: number;
  checksum?: ObjectChecksum;
  /** Part sizes of a multipart object (GetObject `partNumber`, `x-amz-mp-parts-count`). */
  partSizes?: number[];
  /** Per-part checksums of a COMPOSITE multipart object. */
  partChecksums?: string[];
  /** Set once the bucket has had versioning; `'null'` for the null version (undefined there means `'null'` too). */
  versionId?: string;
  /** A delete marker: a version with no bytes that makes the key read as deleted. */
  deleteMarker?: boolean;
  /** Object tags (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html). */
  tags?: Tag[];
}

export interface Tag {
  key: string;
  value: string;
}

export interface StoredObject extends ObjectMeta {
  /** In-memory bytes (memory mode). */
  body?: Buffer;
  /** Body file name inside the bucket's object directory (data-dir mode). */
  bodyFile?: string;
}

export interface UploadPart {
  partNumber: number;
  etag: string;
  size: number;
  body: Buffer;
  checksum?: string;
  lastModified: number;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: number;
  meta: Omit<ObjectMeta, 'key' | 'size' | 'etag' | 'lastModified' | 'checksum'>;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  parts: Map<number, UploadPart>;
}

export type VersioningStatus = 'Enabled' | 'Suspended';

/** One CORSRule (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html). */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export interface BucketMeta {
  name: string;
  creationDate: number;
  region: string;
  notification: NotificationConfiguration;
  /** Undefined until PutBucketVersioning; a bucket never returns to unversioned. */
  versioning?: VersioningStatus;
  tags?: Tag[];
  cors?: CorsRule[];
}

/** A finished multipart upload, kept so a retried CompleteMultipartUpload gets the same answer (as from S3). */
export interface CompletedUpload {
  key: string;
  /** The CompleteMultipartUploadResult as first sent. */
  response: { headers: Record<string, string>; body: string };
}

/** How many finished uploads a bucket remembers for retried completions. */
export const REMEMBERED_COMPLETIONS = 1000;

export interface Bucket extends BucketMeta {
  /** The current version of each key that is not deleted (what GET and the listings see). */
  objects: Map<string, StoredObject>;
  /** Every version of a key, newest first, for keys written or deleted while the bucket had versioning. */
  versions: Map<string, StoredObject[]>;
  uploads: Map<string, MultipartUpload>;
  completedUploads: Map<string, CompletedUpload>;
  /** Keys in S3 order (UTF-8 byte order), rebuilt lazily after writes. */
  sortedKeys?: string[];
  /** Every key with any version (delete markers included), in S3 order, rebuilt lazily. */
  sortedVersionKeys?: string[];
}

/** S3 lists keys in UTF-8 binary order, which differs from JS string order for astral characters. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sortedKeys(bucket: Bucket): string[] {
  bucket.sortedKeys ??= [...bucket.objects.keys()].sort(compareKeys);
  return bucket.sortedKeys;
}

export function emptyNotification(): NotificationConfiguration {
  return { lambda: [], topic: [], queue: [], eventBridge: false };
}

/** Keys with any version, in S3 order (ListObjectVersions). */
export function sortedVersionKeys(bucket: Bucket): string[] {
  bucket.sortedVersionKeys ??= [...new Set([...bucket.objects.keys(), ...bucket.versions.keys()])].sort(compareKeys);
  return bucket.sortedVersionKeys;
}

export function versionIdOf(obj: Pick<ObjectMeta, 'versionId'>): string {
  return obj.versionId ?? 'null';
}

/** A key's versions, newest first (an object written before versioning is its null version). */
export function historyOf(bucket: Bucket, key: string): StoredObject[] {
  const versions = bucket.versions.get(key);
  if (versions) return versions;
  const current = bucket.objects.get(key);
  return current ? [current] : [];
}

export function findVersion(bucket: Bucket, key: string, versionId: string): StoredObject | undefined {
  return historyOf(bucket, key).find((v) => versionIdOf(v) === versionId);
}

/** What DeleteObject did: the version it removed for good, or the delete marker it added. */
export interface DeleteOutcome {
  removed?: StoredObject;
  marker?: StoredObject;
}

function emptyBucket(meta: BucketMeta): Bucket {
  return { ...meta, objects: new Map(), versions: new Map(), uploads: new Map(), completedUploads: new Map() };
}

/** Buckets and objects, written through to disk when a data directory is set. */
export class S3Store {
  readonly buckets = new Map<string, Bucket>();
  /** Serialises disk writes per key so two PUTs of one key cannot interleave their files. */
  private readonly writeChains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly disk: S3Disk | undefined,
    /** A new version id (32 URL-safe characters, like S3's). */
    private readonly newVersionId: () => string,
  ) {}

  async load(): Promise<void> {
    if (!this.disk) return;
    for (const b of await this.disk.loadAll()) {
      const bucket = emptyBucket({ ...b.meta, notification: b.meta.notification ?? emptyNotification() });
      for (const versions of b.keys) {
        const history = versions.map((v) => ({ ...v.meta, ...(v.bodyFile !== undefined ? { bodyFile: v.bodyFile } : {}) }) as StoredObject);
        const newest = history[0];
        if (!newest) continue;
        if (history.length > 1 || newest.versionId !== undefined) bucket.versions.set(newest.key, history);
        if (!newest.deleteMarker) bucket.objects.set(newest.key, newest);
      }
      this.buckets.set(bucket.name, bucket);
    }
  }

  get persistent(): boolean {
    return this.disk !== undefined;
  }

  async saveBucket(bucket: Bucket): Promise<void> {
    const meta: BucketMeta = {
      name: bucket.name,
      creationDate: bucket.creationDate,
      region: bucket.region,
      notification: bucket.notification,
      ...(bucket.versioning ? { versioning: bucket.versioning } : {}),
      ...(bucket.tags ? { tags: bucket.tags } : {}),
      ...(bucket.cors ? { cors: bucket.cors } : {}),
    };
    await this.disk?.writeBucket(meta);
  }

  async createBucket(meta: BucketMeta): Promise<Bucket> {
    const bucket = emptyBucket(meta);
    this.buckets.set(meta.name, bucket);
    await this.saveBucket(bucket);
    return bucket;
  }

  async deleteBucket(name: string): Promise<void> {
    this.buckets.delete(name);
    await this.disk?.deleteBucket(name);
  }

  private chain<T>(id: string, work: () => Promise<T>): Promise<T> {
    const prev = this.writeChains.get(id) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => {});
    this.writeChains.set(id, tail);
    void tail.then(() => {
      if (this.writeChains.get(id) === tail) this.writeChains.delete(id);
    });
    return next;
  }

  /** Makes `history` (newest first) the key's versions: the current object, the listings, and the key's record on disk. */
  private setHistory(bucket: Bucket, key: string, history: StoredObject[]): void {
    const newest = history[0];
    if (history.length === 0) bucket.versions.delete(key);
    else bucket.versions.set(key, history);
    if (newest && !newest.deleteMarker) bucket.objects.set(key, newest);
    else bucket.objects.delete(key);
    bucket.sortedKeys = undefined;
    bucket.sortedVersionKeys = undefined;
  }

  private async persistHistory(bucket: Bucket, key: string, history: StoredObject[], dropped: StoredObject[]): Promise<void> {
    if (!this.disk) return;
    await this.disk.writeKey(bucket.name, key, history.map(persisted));
    await this.disk.removeBodies(bucket.name, dropped.map((v) => v.bodyFile).filter((f): f is string => f !== undefined));
  }

  async putObject(bucket: Bucket, meta: ObjectMeta, body: Buffer): Promise<StoredObject> {
    if (bucket.versioning === undefined) return this.putUnversioned(bucket, meta, body);
    // Enabled: a new version on top. Suspended: the new object is the null version, replacing the old null version.
    const versionId = bucket.versioning === 'Enabled' ? this.newVersionId() : 'null';
    const apply = (stored: { body: Buffer } | { bodyFile: string }): { obj: StoredObject; history: StoredObject[]; dropped: StoredObject[] } => {
      const obj: StoredObject = { ...meta, versionId, ...stored };
      const old = historyOf(bucket, meta.key);
      const dropped = versionId === 'null' ? old.filter((v) => versionIdOf(v) === 'null') : [];
      const history = [obj, ...old.filter((v) => !dropped.includes(v))];
      this.setHistory(bucket, meta.key, history);
      return { obj, history, dropped };
    };
    if (!this.disk) return apply({ body }).obj;
    const disk = this.disk;
    return this.chain(`${bucket.name}/${meta.key}`, async () => {
      const done = apply({ bodyFile: await disk.writeBody(bucket.name, meta.key, body) });
      await this.persistHistory(bucket, meta.key, done.history, done.dropped);
      return done.obj;
    });
  }

  private async putUnversioned(bucket: Bucket, meta: ObjectMeta, body: Buffer): Promise<StoredObject> {
    if (!this.disk) {
      const obj: StoredObject = { ...meta, body };
      bucket.objects.set(meta.key, obj);
      bucket.sortedKeys = undefined;
      bucket.sortedVersionKeys = undefined;
      return obj;
    }
    const disk = this.disk;
    return this.chain(`${bucket.name}/${meta.key}`, async () => {
      const previous = bucket.objects.get(meta.key)?.bodyFile;
      const bodyFile = await disk.writeObject(bucket.name, meta, body, previous);
      const obj: StoredObject = { ...meta, bodyFile };
      bucket.objects.set(meta.key, obj);
      bucket.sortedKeys = undefined;
      bucket.sortedVersionKeys = undefined;
      return obj;
    });
  }

  async readBody(bucket: Bucket, obj: StoredObject): Promise<Buffer> {
    if (obj.body) return obj.body;
    if (this.disk && obj.bodyFile) return this.disk.readBody(bucket.name, obj.bodyFile);
    return Buffer.alloc(0);
  }

  /**
   * DeleteObject. Without a version id: an unversioned bucket forgets the key; a versioned one gets a delete marker
   * (the null version's place when versioning is suspended). With one: that version is removed for good.
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
   */
  async deleteObject(bucket: Bucket, key: string, versionId: string | undefined, now: number): Promise<DeleteOutcome> {
    const work = (): { outcome: DeleteOutcome; history: StoredObject[]; dropped: StoredObject[] } | undefined => {
      const old = historyOf(bucket, key);
      if (versionId === undefined && bucket.versioning !== undefined) {
        const markerId = bucket.versioning === 'Enabled' ? this.newVersionId() : 'null';
        const marker: StoredObject = { key, size: 0, etag: '', lastModified: now, contentType: '', metadata: {}, versionId: markerId, deleteMarker: true };
        const dropped = markerId === 'null' ? old.filter((v) => versionIdOf(v) === 'null') : [];
        const history = [marker, ...old.filter((v) => !dropped.includes(v))];
        this.setHistory(bucket, key, history);
        return { outcome: { marker }, history, dropped };
      }
      const target = versionId === undefined ? old[0] : old.find((v) => versionIdOf(v) === versionId);
      if (!target) return undefined;
      const history = old.filter((v) => v !== target);
      if (bucket.versioning === undefined) {
        bucket.objects.delete(key);
        bucket.sortedKeys = undefined;
        bucket.sortedVersionKeys = undefined;
      } else this.setHistory(bucket, key, history);
      return { outcome: { removed: target }, history, dropped: [target] };
    };
    if (!this.disk) return work()?.outcome ?? {};
    const disk = this.disk;
    return this.chain(`${bucket.name}/${key}`, async () => {
      const done = work();
      if (!done) return {};
      if (done.history.length === 0) await disk.deleteObject(bucket.name, key, done.dropped[0]?.bodyFile);
      else await this.persistHistory(bucket, key, done.history, done.dropped);
      return done.outcome;
    });
  }

  /** Changes what is kept about one version (its tags) without touching its bytes. */
  async updateObject(bucket: Bucket, obj: StoredObject, change: Partial<Pick<ObjectMeta, 'tags'>>): Promise<void> {
    Object.assign(obj, change);
    if (change.tags !== undefined && change.tags.length === 0) delete obj.tags;
    if (!this.disk) return;
    const disk = this.disk;
    await this.chain(`${bucket.name}/${obj.key}`, () => disk.writeKey(bucket.name, obj.key, historyOf(bucket, obj.key).map(persisted)));
  }

  async clear(): Promise<void> {
    this.buckets.clear();
    await this.disk?.clear();
  }

  /**
   * A copy of every bucket, object and multipart upload. Object records and
   * bodies are shared: the store replaces them on every write and never
   * changes one in place. A store written through to a data directory has its
   * bodies on disk, which a later write overwrites: it cannot be snapshotted.
   */
  copyBuckets(): Map<string, Bucket> {
    if (this.disk) throw new Error('s3: an endpoint persisting to a data directory cannot be snapshotted (its objects live on disk and later writes overwrite them)');
    return copyBuckets(this.buckets);
  }

  /** Replaces every bucket with a copy of `buckets` (from copyBuckets). */
  restoreBuckets(buckets: Map<string, Bucket>): void {
    this.buckets.clear();
    for (const [name, b] of copyBuckets(buckets)) this.buckets.set(name, b);
  }
}

/**
 * A copy that later writes cannot reach: bucket settings (versioning, tags, CORS), every version and delete marker,
 * each object's metadata (tags change in place); bodies are immutable Buffers and shared. One copy per object, so a
 * key's current object stays the same object as the newest entry of its versions.
 */
function copyBuckets(from: Map<string, Bucket>): Map<string, Bucket> {
  const out = new Map<string, Bucket>();
  for (const [name, b] of from) {
    const copies = new Map<StoredObject, StoredObject>();
    const copy = (o: StoredObject): StoredObject => {
      let c = copies.get(o);
      if (!c) {
        c = { ...o, metadata: { ...o.metadata }, ...(o.tags ? { tags: o.tags.map((t) => ({ ...t })) } : {}) };
        copies.set(o, c);
      }
      return c;
    };
    out.set(name, {
      name: b.name,
      creationDate: b.creationDate,
      region: b.region,
      notification: structuredClone(b.notification),
      ...(b.versioning ? { versioning: b.versioning } : {}),
      ...(b.tags ? { tags: structuredClone(b.tags) } : {}),
      ...(b.cors ? { cors: structuredClone(b.cors) } : {}),
      objects: new Map([...b.objects].map(([k, o]) => [k, copy(o)])),
      versions: new Map([...b.versions].map(([k, vs]) => [k, vs.map(copy)])),
      uploads: new Map([...b.uploads].map(([id, u]) => [id, { ...u, meta: structuredClone(u.meta), parts: new Map(u.parts) }])),
      completedUploads: new Map(b.completedUploads),
    });
  }
  return out;
}

function persisted(v: StoredObject): PersistedVersion {
  const { body: _body, bodyFile, ...meta } = v;
  return bodyFile === undefined ? { meta } : { meta, bodyFile };
}

/**
 * The S3 store: buckets, objects, multipart uploads. In memory by default;
 * with a data directory every bucket and object is written through to disk
 * (see persistence.ts) so a restart loses nothing.
 */
import type { ChecksumAlgorithm } from '../../protocol/checksums.ts';
import type { NotificationConfiguration } from './notifications.ts';

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

export interface BucketMeta {
  name: string;
  creationDate: number;
  region: string;
  notification: NotificationConfiguration;
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
  objects: Map<string, StoredObject>;
  uploads: Map<string, MultipartUpload>;
  completedUploads: Map<string, CompletedUpload>;
  /** Keys in S3 order (UTF-8 byte order), rebuilt lazily after writes. */
  sortedKeys?: string[];
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

/** Buckets and objects, written through to disk when a data directory is set. */
export class S3Store {
  readonly buckets = new Map<string, Bucket>();
  /** Serialises disk writes per key so two PUTs of one key cannot interleave their files. */
  private readonly writeChains = new Map<string, Promise<unknown>>();

  constructor(private readonly disk?: import('./persistence.ts').S3Disk) {}

  async load(): Promise<void> {
    if (!this.disk) return;
    for (const b of await this.disk.loadAll()) {
      const bucket: Bucket = { ...b.meta, notification: b.meta.notification ?? emptyNotification(), objects: new Map(), uploads: new Map(), completedUploads: new Map() };
      for (const o of b.objects) bucket.objects.set(o.meta.key, { ...o.meta, bodyFile: o.bodyFile });
      this.buckets.set(bucket.name, bucket);
    }
  }

  get persistent(): boolean {
    return this.disk !== undefined;
  }

  async saveBucket(bucket: Bucket): Promise<void> {
    const meta: BucketMeta = { name: bucket.name, creationDate: bucket.creationDate, region: bucket.region, notification: bucket.notification };
    await this.disk?.writeBucket(meta);
  }

  async createBucket(meta: BucketMeta): Promise<Bucket> {
    const bucket: Bucket = { ...meta, objects: new Map(), uploads: new Map(), completedUploads: new Map() };
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

  async putObject(bucket: Bucket, meta: ObjectMeta, body: Buffer): Promise<StoredObject> {
    if (!this.disk) {
      const obj: StoredObject = { ...meta, body };
      bucket.objects.set(meta.key, obj);
      bucket.sortedKeys = undefined;
      return obj;
    }
    const disk = this.disk;
    return this.chain(`${bucket.name}/${meta.key}`, async () => {
      const previous = bucket.objects.get(meta.key)?.bodyFile;
      const bodyFile = await disk.writeObject(bucket.name, meta, body, previous);
      const obj: StoredObject = { ...meta, bodyFile };
      bucket.objects.set(meta.key, obj);
      bucket.sortedKeys = undefined;
      return obj;
    });
  }

  async readBody(bucket: Bucket, obj: StoredObject): Promise<Buffer> {
    if (obj.body) return obj.body;
    if (this.disk && obj.bodyFile) return this.disk.readBody(bucket.name, obj.bodyFile);
    return Buffer.alloc(0);
  }

  async deleteObject(bucket: Bucket, key: string): Promise<boolean> {
    const remove = (): StoredObject | undefined => {
      const obj = bucket.objects.get(key);
      if (!obj) return undefined;
      bucket.objects.delete(key);
      bucket.sortedKeys = undefined;
      return obj;
    };
    if (!this.disk) return remove() !== undefined;
    const disk = this.disk;
    return this.chain(`${bucket.name}/${key}`, async () => {
      const obj = remove();
      if (!obj) return false;
      await disk.deleteObject(bucket.name, key, obj.bodyFile);
      return true;
    });
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

function copyBuckets(from: Map<string, Bucket>): Map<string, Bucket> {
  const out = new Map<string, Bucket>();
  for (const [name, b] of from) {
    out.set(name, {
      name: b.name,
      creationDate: b.creationDate,
      region: b.region,
      notification: structuredClone(b.notification),
      objects: new Map(b.objects),
      uploads: new Map([...b.uploads].map(([id, u]) => [id, { ...u, meta: structuredClone(u.meta), parts: new Map(u.parts) }])),
      completedUploads: new Map(b.completedUploads),
    });
  }
  return out;
}

/**
 * `--data-dir` layout for S3. Bucket names are validated before they reach
 * here (lower-case letters, digits, dots, hyphens, no `..`), so they are safe
 * directory names; object keys are NEVER used as paths — each key maps to the
 * SHA-256 of its UTF-8 bytes, so `../x`, `/etc/passwd`, NUL or 1024-byte keys
 * cannot escape or break the directory.
 *
 *   <dataDir>/s3/buckets/<bucket>/bucket.json                    name, region, notification, versioning, tags, CORS
 *   <dataDir>/s3/buckets/<bucket>/objects/<sha256(key)>.json     metadata (includes the key): `{meta, bodyFile}`,
 *                                                                or `{versions: [...]}` newest first once versioned
 *   <dataDir>/s3/buckets/<bucket>/objects/<sha256(key)>.<id>.bin the bytes of one version
 *
 * Writes go to a temp file then rename (atomic on one filesystem); the body
 * file is written before the metadata that points to it, and a new body gets
 * a new name, so a crash mid-write leaves the previous version readable.
 * Stray temp and unreferenced body files are removed at startup.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { BucketMeta, ObjectMeta } from './models.ts';

/** One version of a key (a delete marker has no body file). */
export interface PersistedVersion {
  meta: ObjectMeta;
  bodyFile?: string;
}

/** A key's record: one unversioned object, or its versions newest first. */
type PersistedKey = PersistedVersion | { versions: PersistedVersion[] };

export interface PersistedBucket {
  meta: BucketMeta;
  /** Each key's versions, newest first (one entry for an unversioned object). */
  keys: PersistedVersion[][];
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class S3Disk {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly newId: () => string,
  ) {
    this.root = resolve(dataDir, 's3', 'buckets');
  }

  /** Defence in depth: every path we touch must stay under the root. */
  private inside(...parts: string[]): string {
    const p = resolve(this.root, ...parts);
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new Error(`refusing to touch ${p}: outside the data directory`);
    return p;
  }

  private bucketDir(bucket: string): string {
    return this.inside(bucket);
  }

  private objectsDir(bucket: string): string {
    return this.inside(bucket, 'objects');
  }

  private async atomicWrite(file: string, data: Buffer | string): Promise<void> {
    const tmp = `${file}.tmp-${this.newId()}`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }

  async loadAll(): Promise<PersistedBucket[]> {
    await mkdir(this.root, { recursive: true });
    const out: PersistedBucket[] = [];
    for (const name of await readdir(this.root)) {
      let meta: BucketMeta;
      try {
        meta = JSON.parse(await readFile(join(this.bucketDir(name), 'bucket.json'), 'utf8')) as BucketMeta;
      } catch {
        continue; // not a bucket (or a half-created one)
      }
      const dir = this.objectsDir(name);
      await mkdir(dir, { recursive: true });
      const files = await readdir(dir);
      const keys: PersistedVersion[][] = [];
      const referenced = new Set<string>();
      for (const f of files) {
        if (!f.endsWith('.json') || f.includes('.tmp-')) continue;
        try {
          const rec = JSON.parse(await readFile(join(dir, f), 'utf8')) as PersistedKey;
          const versions = 'versions' in rec ? rec.versions : [rec];
          keys.push(versions);
          for (const v of versions) if (v.bodyFile !== undefined) referenced.add(v.bodyFile);
        } catch {
          // unreadable metadata: leave the file for a human, skip the object
        }
      }
      for (const f of files) {
        if (f.includes('.tmp-') || (f.endsWith('.bin') && !referenced.has(f))) await unlink(join(dir, f)).catch(() => {});
      }
      out.push({ meta, keys });
    }
    return out;
  }

  async writeBucket(meta: BucketMeta): Promise<void> {
    await mkdir(this.objectsDir(meta.name), { recursive: true });
    await this.atomicWrite(join(this.bucketDir(meta.name), 'bucket.json'), JSON.stringify(meta));
  }

  async deleteBucket(name: string): Promise<void> {
    await rm(this.bucketDir(name), { recursive: true, force: true });
  }

  /** Writes the bytes then the metadata; returns the body file name. Removes the previous body file. */
  async writeObject(bucket: string, meta: ObjectMeta, body: Buffer, previousBodyFile?: string): Promise<string> {
    const h = keyHash(meta.key);
    const bodyFile = `${h}.${this.newId()}.bin`;
    const dir = this.objectsDir(bucket);
    await this.atomicWrite(join(dir, bodyFile), body);
    const rec: PersistedVersion = { meta, bodyFile };
    await this.atomicWrite(join(dir, `${h}.json`), JSON.stringify(rec));
    if (previousBodyFile && previousBodyFile !== bodyFile) await unlink(join(dir, previousBodyFile)).catch(() => {});
    return bodyFile;
  }

  /** Writes one version's bytes under a new name; returns it. */
  async writeBody(bucket: string, key: string, body: Buffer): Promise<string> {
    const bodyFile = `${keyHash(key)}.${this.newId()}.bin`;
    await this.atomicWrite(join(this.objectsDir(bucket), bodyFile), body);
    return bodyFile;
  }

  /** Writes a versioned key's record: every version, newest first. */
  async writeKey(bucket: string, key: string, versions: PersistedVersion[]): Promise<void> {
    await this.atomicWrite(join(this.objectsDir(bucket), `${keyHash(key)}.json`), JSON.stringify({ versions } satisfies PersistedKey));
  }

  /** Removes body files no version refers to any more. */
  async removeBodies(bucket: string, bodyFiles: string[]): Promise<void> {
    const dir = this.objectsDir(bucket);
    for (const f of bodyFiles) await unlink(join(dir, f)).catch(() => {});
  }

  async readBody(bucket: string, bodyFile: string): Promise<Buffer> {
    if (!/^[0-9a-f]{64}\.[0-9a-f]+\.bin$/.test(bodyFile)) throw new Error(`corrupt body file name ${JSON.stringify(bodyFile)}`);
    return readFile(join(this.objectsDir(bucket), bodyFile));
  }

  async deleteObject(bucket: string, key: string, bodyFile?: string): Promise<void> {
    const dir = this.objectsDir(bucket);
    await unlink(join(dir, `${keyHash(key)}.json`)).catch(() => {});
    if (bodyFile) await unlink(join(dir, bodyFile)).catch(() => {});
  }

  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true });
  }
}

/**
 * Versioning, tagging and GetObjectAttributes with SDK v3 (default settings),
 * `aws s3api` and boto3; versions, markers and tags survive a restart with
 * `--data-dir`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { hasAwsCli, hasBoto3, runAwsCli, runBoto3, s3Client } from '../../support/clients.ts';

let dataDir: string;
let em: Emulator;
let s3: S3Client;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rehearse-s3-versions-'));
  em = await startEmulator({ services: ['s3'], log: false, dataDir });
  s3 = s3Client(em.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'versioned' }));
});
afterAll(async () => {
  s3?.destroy();
  await em?.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number; deleteMarker?: string }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(S3ServiceException);
    const err = e as S3ServiceException;
    return { name: err.name, status: err.$metadata.httpStatusCode, ...(err.$response?.headers?.['x-amz-delete-marker'] ? { deleteMarker: err.$response.headers['x-amz-delete-marker'] } : {}) };
  }
  throw new Error('expected an S3 error, but the call succeeded');
}

const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await p).Body!.transformToString();

describe('versioning', () => {
  it('a never-versioned bucket: empty GetBucketVersioning, no version ids, ListObjectVersions lists null versions', async () => {
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'versioned' }))).Status).toBeUndefined();
    const put = await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'before.txt', Body: 'written before versioning' }));
    expect(put.VersionId).toBeUndefined();
    const list = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned' }));
    expect(list.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([['before.txt', 'null', true]]);
  });

  it('Enabled: each PUT a new version, GET/HEAD by version id, DELETE adds a marker, deleting the marker restores the object', async () => {
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'versioned' }))).Status).toBe('Enabled');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', Body: 'one' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', Body: 'two' }))).VersionId!;
    expect(v1).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(v2).not.toBe(v1);
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' })))).toBe('two');
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: v1 })))).toBe('one');
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' }))).VersionId).toBe(v2);
    // The object from before versioning is the null version.
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'versioned', Key: 'before.txt' }))).VersionId).toBe('null');

    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' })))).toEqual({ name: 'NoSuchKey', status: 404, deleteMarker: 'true' });
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: del.VersionId })))).toMatchObject({ status: 405 });
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: v2 })))).toBe('two');
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: 'A'.repeat(32) })))).toEqual({ name: 'NoSuchVersion', status: 404 });
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: 'bogus' })))).toEqual({ name: 'InvalidArgument', status: 400 });

    const undo = await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: del.VersionId }));
    expect(undo).toMatchObject({ DeleteMarker: true, VersionId: del.VersionId });
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' })))).toBe('two');
    // Permanently deleting the current version makes the previous one current.
    await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: v2 }));
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' })))).toBe('one');
  });

  it('CopyObject from a version id: x-amz-copy-source-version-id and a new version; a delete marker as source is refused', async () => {
    const old = (await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'src.txt', Body: 'old' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'src.txt', Body: 'new' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'versioned', Key: 'copy.txt', CopySource: `versioned/src.txt?versionId=${old}` }));
    expect(copy.CopySourceVersionId).toBe(old);
    expect(copy.VersionId).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'copy.txt' })))).toBe('old');
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'src.txt' }))).VersionId!;
    expect(await errorOf(s3.send(new CopyObjectCommand({ Bucket: 'versioned', Key: 'copy2.txt', CopySource: `versioned/src.txt?versionId=${marker}` })))).toEqual({ name: 'InvalidRequest', status: 400 });
    expect(await errorOf(s3.send(new CopyObjectCommand({ Bucket: 'versioned', Key: 'copy2.txt', CopySource: 'versioned/src.txt' })))).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('Suspended: PUT and DELETE write the null version (replacing it), earlier versions stay', async () => {
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Suspended' } }));
    const keep = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned', Prefix: 'doc.txt' }))).Versions!.map((v) => v.VersionId);
    expect((await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', Body: 'null a' }))).VersionId).toBe('null');
    expect((await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', Body: 'null b' }))).VersionId).toBe('null');
    const list = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned', Prefix: 'doc.txt' }));
    expect(list.Versions!.map((v) => v.VersionId)).toEqual(['null', ...keep]);
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: 'null' })))).toBe('null b');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'doc.txt' }));
    expect(del).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned', Prefix: 'doc.txt' }));
    expect(after.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest])).toEqual([['null', true]]);
    expect(after.Versions!.map((v) => v.VersionId)).toEqual(keep);
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
  });

  it('ListObjectVersions pages by key-marker/version-id-marker with prefix and delimiter; DeleteObjects by version empties a bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'paged-versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'paged-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    for (const key of ['a/1', 'a/2', 'b', 'b', 'b', 'c']) await s3.send(new PutObjectCommand({ Bucket: 'paged-versions', Key: key, Body: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'paged-versions', Key: 'c' }));
    const seen: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await s3.send(new ListObjectVersionsCommand({ Bucket: 'paged-versions', MaxKeys: 2, KeyMarker, VersionIdMarker }));
      for (const v of r.Versions ?? []) seen.push(`${v.Key}@${v.IsLatest ? 'latest' : 'old'}`);
      for (const m of r.DeleteMarkers ?? []) seen.push(`${m.Key}@marker`);
      if (!r.IsTruncated) break;
      KeyMarker = r.NextKeyMarker;
      VersionIdMarker = r.NextVersionIdMarker;
    }
    expect(seen.sort()).toEqual(['a/1@latest', 'a/2@latest', 'b@latest', 'b@old', 'b@old', 'c@marker', 'c@old'].sort());
    const grouped = await s3.send(new ListObjectVersionsCommand({ Bucket: 'paged-versions', Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/']);
    expect(await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'paged-versions' })))).toEqual({ name: 'BucketNotEmpty', status: 409 });
    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: 'paged-versions' }));
    const objects = [...(all.Versions ?? []), ...(all.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: 'paged-versions', Delete: { Objects: objects } }));
    expect(deleted.Deleted).toHaveLength(objects.length);
    expect(deleted.Deleted!.filter((d) => d.DeleteMarker).map((d) => d.Key)).toEqual(['c']);
    await s3.send(new DeleteBucketCommand({ Bucket: 'paged-versions' }));
  });

  it('multipart completion creates a version too', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'versioned', Key: 'mpu.bin', Tagging: 'kind=upload' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'versioned', Key: 'mpu.bin', UploadId, PartNumber: 1, Body: 'only part' }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'versioned', Key: 'mpu.bin', UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } }));
    expect(done.VersionId).toMatch(/^[A-Za-z0-9._-]{32}$/);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'mpu.bin' }))).TagSet).toEqual([{ Key: 'kind', Value: 'upload' }]);
  });
});

describe('tagging', () => {
  it('x-amz-tagging on PUT, Put/Get/DeleteObjectTagging per version, x-amz-tagging-count on GET, COPY and REPLACE on copy', async () => {
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'tagged.jpg', Body: 'x', Tagging: 'team=imaging&stage=raw' }))).VersionId!;
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg' }))).TagSet).toEqual([{ Key: 'team', Value: 'imaging' }, { Key: 'stage', Value: 'raw' }]);
    expect((await s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'tagged.jpg' }))).TagCount).toBe(2);
    await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'tagged.jpg', Body: 'y' }));
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg', VersionId: v1, Tagging: { TagSet: [{ Key: 'stage', Value: 'done' }] } }));
    expect(put.VersionId).toBe(v1);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg', VersionId: v1 }))).TagSet).toEqual([{ Key: 'stage', Value: 'done' }]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg' }))).TagSet).toEqual([]);
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg', Tagging: { TagSet: [{ Key: 'a', Value: '1' }] } }));
    await s3.send(new CopyObjectCommand({ Bucket: 'versioned', Key: 'tag-copy', CopySource: 'versioned/tagged.jpg' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tag-copy' }))).TagSet).toEqual([{ Key: 'a', Value: '1' }]);
    await s3.send(new CopyObjectCommand({ Bucket: 'versioned', Key: 'tag-copy', CopySource: 'versioned/tagged.jpg', TaggingDirective: 'REPLACE', Tagging: 'b=2' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tag-copy' }))).TagSet).toEqual([{ Key: 'b', Value: '2' }]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'versioned', Key: 'tag-copy' }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tag-copy' }))).TagSet).toEqual([]);
  });

  it('limits: 10 tags per object, keys 128 and values 256 characters, unique keys, no aws: prefix — all InvalidTag', async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg', Tagging: { TagSet: tags(10) } }));
    const bad = [tags(11), [{ Key: 'k'.repeat(129), Value: 'v' }], [{ Key: 'k', Value: 'v'.repeat(257) }], [{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }], [{ Key: 'aws:x', Value: 'v' }]];
    for (const TagSet of bad) expect(await errorOf(s3.send(new PutObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg', Tagging: { TagSet } })))).toEqual({ name: 'InvalidTag', status: 400 });
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'x', Body: 'x', Tagging: 'a=1&a=2' })))).toEqual({ name: 'InvalidTag', status: 400 });
  });

  it('bucket tagging: NoSuchTagSet until set, then Put/Get/Delete', async () => {
    expect(await errorOf(s3.send(new GetBucketTaggingCommand({ Bucket: 'versioned' })))).toEqual({ name: 'NoSuchTagSet', status: 404 });
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'versioned', Tagging: { TagSet: [{ Key: 'cost-center', Value: '42' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'versioned' }))).TagSet).toEqual([{ Key: 'cost-center', Value: '42' }]);
  });
});

describe('GetObjectAttributes', () => {
  it('ETag (unquoted), ObjectSize, StorageClass, Checksum and ObjectParts of a multipart object', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'versioned', Key: 'attrs', ChecksumAlgorithm: 'SHA256' }));
    const parts = [];
    for (const [i, body] of [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('end')].entries()) {
      const p = await s3.send(new UploadPartCommand({ Bucket: 'versioned', Key: 'attrs', UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'SHA256' }));
      parts.push({ ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256, PartNumber: i + 1 });
    }
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'versioned', Key: 'attrs', UploadId, MultipartUpload: { Parts: parts } }));
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket: 'versioned', Key: 'attrs', ObjectAttributes: ['ETag', 'ObjectSize', 'StorageClass', 'Checksum', 'ObjectParts'] }));
    expect(a.ETag).toBe(done.ETag!.replace(/"/g, ''));
    expect(a.ObjectSize).toBe(5 * 1024 * 1024 + 3);
    expect(a.StorageClass).toBe('STANDARD');
    expect(a.Checksum?.ChecksumType).toBe('COMPOSITE');
    expect(a.ObjectParts?.TotalPartsCount).toBe(2);
    expect(a.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256])).toEqual([[1, 5 * 1024 * 1024, parts[0]!.ChecksumSHA256], [2, 3, parts[1]!.ChecksumSHA256]]);
    expect(a.VersionId).toBe(done.VersionId);
  });
});

describe('persistence', () => {
  it('versions, delete markers, tags and bucket settings survive a restart', async () => {
    const before = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned' }));
    const tagsBefore = (await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg' }))).TagSet;
    s3.destroy();
    await em.dispose();
    em = await startEmulator({ services: ['s3'], log: false, dataDir });
    s3 = s3Client(em.endpoint);
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: 'versioned' }));
    const shape = (r: typeof before) => ({ v: r.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.ETag]), m: r.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest]) });
    expect(shape(after)).toEqual(shape(before));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'versioned', Key: 'tagged.jpg' }))).TagSet).toEqual(tagsBefore);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'versioned' }))).Status).toBe('Enabled');
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'versioned' }))).TagSet).toEqual([{ Key: 'cost-center', Value: '42' }]);
    const oldest = after.Versions!.filter((v) => v.Key === 'doc.txt').at(-1)!;
    expect(await text(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'doc.txt', VersionId: oldest.VersionId })))).toBe('one');
  });
});

describe.skipIf(!hasAwsCli)('aws s3api (skipped: no /usr/bin/aws)', () => {
  it('put-bucket-versioning, list-object-versions, get-object-tagging --version-id', async () => {
    const run = async (...args: string[]) => {
      const r = await runAwsCli(em.endpoint, ['s3api', ...args]);
      expect(r.stderr).toBe('');
      return r.stdout ? JSON.parse(r.stdout) : {};
    };
    await s3.send(new CreateBucketCommand({ Bucket: 'cli-versions' }));
    await run('put-bucket-versioning', '--bucket', 'cli-versions', '--versioning-configuration', 'Status=Enabled');
    const first = await s3.send(new PutObjectCommand({ Bucket: 'cli-versions', Key: 'k', Body: '1', Tagging: 'from=sdk' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cli-versions', Key: 'k', Body: '2' }));
    const list = await run('list-object-versions', '--bucket', 'cli-versions');
    expect(list.Versions.map((v: { VersionId: string; IsLatest: boolean }) => [v.VersionId === first.VersionId, v.IsLatest])).toEqual([[false, true], [true, false]]);
    expect((await run('get-object-tagging', '--bucket', 'cli-versions', '--key', 'k', '--version-id', first.VersionId!)).TagSet).toEqual([{ Key: 'from', Value: 'sdk' }]);
  });
});

describe.skipIf(!hasBoto3)('boto3 (skipped: no boto3)', () => {
  it('empties a versioned bucket the way boto3 users do: bucket.object_versions.delete()', async () => {
    const r = await runBoto3(
      em.endpoint,
      `
s3 = client('s3')
s3.create_bucket(Bucket='boto-versions')
s3.put_bucket_versioning(Bucket='boto-versions', VersioningConfiguration={'Status': 'Enabled'})
for i in range(3):
    s3.put_object(Bucket='boto-versions', Key='k', Body=str(i).encode(), Tagging='n=%d' % i)
s3.delete_object(Bucket='boto-versions', Key='k')
res = boto3.resource('s3', endpoint_url=ENDPOINT, region_name='us-east-1', config=botocore.config.Config(s3={'addressing_style': 'path'}))
before = len(list(res.Bucket('boto-versions').object_versions.all()))
res.Bucket('boto-versions').object_versions.delete()
s3.delete_bucket(Bucket='boto-versions')
print(json.dumps({'before': before}))
`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: 4 });
  });
});

describe('version ids', () => {
  it('are URL-ready and never hold a "-", so no command line reads one as an option', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'many-versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'many-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const ids: string[] = [];
    // 200 ids of 32 characters: drawn from base64url, about 100 would hold a '-'.
    for (let i = 0; i < 200; i++) ids.push((await s3.send(new PutObjectCommand({ Bucket: 'many-versions', Key: 'k', Body: String(i) }))).VersionId!);
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._]{32}$/);
  });
});

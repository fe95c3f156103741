import { startEmulator } from '/work/main/harness/emulator/index.ts';
import { S3Client, PutObjectCommand, GetObjectCommand, CreateBucketCommand, ListObjectsV2Command, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
const em = await startEmulator({ services: ['s3'], log: { info: () => {}, warn: console.warn, error: console.error } });
const s3 = new S3Client({ endpoint: em.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
await s3.send(new CreateBucketCommand({ Bucket: 'bucket-one' }));
const p = await s3.send(new PutObjectCommand({ Bucket: 'bucket-one', Key: 'a/b.txt', Body: Buffer.from('hello'), ContentType: 'text/plain', Metadata: { foo: 'bar' } }));
console.log('put', p.ETag, p.ChecksumCRC32);
const g = await s3.send(new GetObjectCommand({ Bucket: 'bucket-one', Key: 'a/b.txt' }));
console.log('get', await g.Body!.transformToString(), g.ContentType, g.Metadata, g.ChecksumCRC32);
const s = await s3.send(new PutObjectCommand({ Bucket: 'bucket-one', Key: 'stream', Body: Readable.from([Buffer.from('abc'), Buffer.from('def')]) , ContentLength: 6}));
console.log('stream put', s.ETag);
const g2 = await s3.send(new GetObjectCommand({ Bucket: 'bucket-one', Key: 'stream' }));
console.log('stream get', JSON.stringify(await g2.Body!.transformToString()));
const big = Buffer.alloc(12 * 1024 * 1024, 7);
const up = new Upload({ client: s3, params: { Bucket: 'bucket-one', Key: 'big', Body: Readable.from([big]) } });
const r = await up.done();
console.log('upload', r.ETag, (r as any).ChecksumCRC32);
const h = await s3.send(new HeadObjectCommand({ Bucket: 'bucket-one', Key: 'big', ChecksumMode: 'ENABLED' }));
console.log('head', h.ContentLength, h.ETag, h.ChecksumCRC32, h.ChecksumType);
const gb = await s3.send(new GetObjectCommand({ Bucket: 'bucket-one', Key: 'big' }));
const bytes = await gb.Body!.transformToByteArray(); console.log('big eq', Buffer.from(bytes).equals(big));
const l = await s3.send(new ListObjectsV2Command({ Bucket: 'bucket-one', Delimiter: '/' }));
console.log('list', l.Contents?.map(c => c.Key), l.CommonPrefixes);
try { await s3.send(new GetObjectCommand({ Bucket: 'bucket-one', Key: 'nope' })); } catch (e: any) { console.log('err', e.name, e.$metadata.httpStatusCode); }
try { await s3.send(new HeadObjectCommand({ Bucket: 'bucket-one', Key: 'nope' })); } catch (e: any) { console.log('err', e.name, e.$metadata.httpStatusCode); }
await em.dispose();

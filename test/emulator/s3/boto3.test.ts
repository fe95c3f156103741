/** S3 driven by Debian's boto3 (`/usr/bin/python3`): a third client nobody here wrote. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { hasBoto3, runBoto3 } from '../../support/clients.ts';

describe.skipIf(!hasBoto3)('S3 with boto3 (skipped: /usr/bin/python3 has no boto3)', () => {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator({ services: ['s3'], log: false });
  });
  afterAll(() => em?.dispose());

  it('bucket and object round trips, multipart upload_fileobj, paging, errors, delete_objects', async () => {
    const r = await runBoto3(
      em.endpoint,
      `
import io, hashlib
from boto3.s3.transfer import TransferConfig
s3 = client('s3')
out = {}
s3.create_bucket(Bucket='boto-bucket')
put = s3.put_object(Bucket='boto-bucket', Key='hello.txt', Body=b'hi from boto3', ContentType='text/plain', Metadata={'lang': 'py'})
out['put_etag'] = put['ETag']
got = s3.get_object(Bucket='boto-bucket', Key='hello.txt')
out['body'] = got['Body'].read().decode()
out['ctype'] = got['ContentType']
out['meta'] = got['Metadata']
out['range'] = s3.get_object(Bucket='boto-bucket', Key='hello.txt', Range='bytes=3-6')['Body'].read().decode()

big = bytes(range(256)) * (40 * 1024)  # 10 MiB
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(big), 'boto-bucket', 'big.bin', Config=cfg)
head = s3.head_object(Bucket='boto-bucket', Key='big.bin')
out['big_etag'] = head['ETag']
buf = io.BytesIO()
s3.download_fileobj('boto-bucket', 'big.bin', buf, Config=cfg)
out['big_same'] = hashlib.sha256(buf.getvalue()).hexdigest() == hashlib.sha256(big).hexdigest()

for i in range(7):
    s3.put_object(Bucket='boto-bucket', Key=f'page/{i:02d}', Body=b'x')
keys = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket='boto-bucket', Prefix='page/', PaginationConfig={'PageSize': 3}):
    keys += [c['Key'] for c in page.get('Contents', [])]
out['paged'] = keys
out['copy_etag'] = s3.copy_object(Bucket='boto-bucket', Key='copy.txt', CopySource={'Bucket': 'boto-bucket', 'Key': 'hello.txt'})['CopyObjectResult']['ETag']
res = s3.delete_objects(Bucket='boto-bucket', Delete={'Objects': [{'Key': k} for k in keys]})
out['deleted'] = len(res.get('Deleted', []))

errors = {}
try:
    s3.get_object(Bucket='boto-bucket', Key='nope')
except s3.exceptions.NoSuchKey as e:
    errors['get'] = e.response['Error']['Code']
try:
    s3.head_object(Bucket='boto-bucket', Key='nope')
except botocore.exceptions.ClientError as e:
    errors['head'] = e.response['Error']['Code']
try:
    s3.list_objects_v2(Bucket='no-such-bucket-x')
except s3.exceptions.NoSuchBucket as e:
    errors['bucket'] = e.response['Error']['Code']
out['errors'] = errors
print(json.dumps(out))
`,
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      body: 'hi from boto3',
      ctype: 'text/plain',
      meta: { lang: 'py' },
      range: 'from',
      big_same: true,
      paged: ['page/00', 'page/01', 'page/02', 'page/03', 'page/04', 'page/05', 'page/06'],
      deleted: 7,
      errors: { get: 'NoSuchKey', head: '404', bucket: 'NoSuchBucket' },
    });
    expect(out.big_etag).toMatch(/-2"$/);
    expect(out.copy_etag).toBe(out.put_etag);
  }, 180_000);
});

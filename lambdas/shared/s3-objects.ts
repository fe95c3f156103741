/** Whole-object reads and writes: images are processed in memory, as sharp needs them. */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from './clients/s3.ts';

export interface StoredObject {
  body: Buffer;
  size: number;
  contentType: string | undefined;
  etag: string | undefined;
}

export async function headObject(bucket: string, key: string): Promise<{ size: number; etag: string | undefined } | undefined> {
  try {
    const out = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: out.ContentLength ?? 0, etag: out.ETag };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function getObject(bucket: string, key: string): Promise<StoredObject> {
  const out = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${key} returned no body`);
  const bytes = await out.Body.transformToByteArray();
  // A view, not Buffer.from(bytes): that would copy the whole (multi-MB) image once more.
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { body, size: body.length, contentType: out.ContentType, etag: out.ETag };
}

export async function putObject(bucket: string, key: string, body: Buffer, contentType: string, metadata?: Record<string, string>): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, Metadata: metadata }));
}

/** NoSuchKey from GetObject, or the bare 404 HeadObject gets (HEAD responses have no body, so no code). */
export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
}

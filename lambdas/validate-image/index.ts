/**
 * validate-image: is the uploaded object an image we will process?
 * Checks, cheapest first: object size (HeadObject, before downloading), then
 * the bytes (check.ts): format allow-list and declared dimensions (header
 * only), then a full decode with sharp's `limitInputPixels` so that corrupt or
 * truncated data is caught here and a decompression bomb is rejected without
 * ever being decoded.
 * Returns `isValid: false` with a reason for a bad image; throws only for
 * infrastructure failures (S3, Secrets Manager), which the workflow retries.
 */
import { getConfig } from '../shared/config.ts';
import { objectRef } from '../shared/input.ts';
import { getObject, headObject } from '../shared/s3-objects.ts';
import { checkImage, type ImageCheck } from './check.ts';

/** check.ts's verdict, with the object it is about. */
export interface ValidationResult extends ImageCheck {
  bucket: string;
  key: string;
  /** Object size in bytes. */
  size: number | null;
}

export async function handler(event: unknown): Promise<ValidationResult> {
  const { bucket, key } = objectRef(event);
  const config = await getConfig();
  const result: ValidationResult = { bucket, key, isValid: false, reason: null, format: null, width: null, height: null, size: null };
  const reject = (reason: string): ValidationResult => ({ ...result, isValid: false, reason });

  const head = await headObject(bucket, key);
  if (!head) return reject(`object s3://${bucket}/${key} does not exist`);
  result.size = head.size;
  if (head.size === 0) return reject('object is empty (0 bytes)');
  if (head.size > config.maxBytes) return reject(`object is ${head.size} bytes; the limit is ${config.maxBytes} bytes`);

  const { body } = await getObject(bucket, key);
  const check = await checkImage(body, config);
  return { ...result, ...check, size: body.length };
}

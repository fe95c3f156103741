/**
 * validate-image: is the uploaded object an image we will process?
 * Checks, cheapest first: object size (HeadObject, before downloading), format
 * allow-list and declared dimensions (header only), then a full decode with
 * sharp's `limitInputPixels` so that corrupt or truncated data is caught here
 * and a decompression bomb is rejected without ever being decoded.
 * Returns `isValid: false` with a reason for a bad image; throws only for
 * infrastructure failures (S3, Secrets Manager), which the workflow retries.
 */
import type { Metadata } from 'sharp';
import sharp from 'sharp';
import { getConfig } from '../shared/config.ts';
import type { ImageFormat } from '../shared/config.ts';
import { imageFormatOf } from '../shared/images.ts';
import { objectRef } from '../shared/input.ts';
import { getObject, headObject } from '../shared/s3-objects.ts';

export interface ValidationResult {
  bucket: string;
  key: string;
  isValid: boolean;
  /** Why the image was rejected; null when valid. */
  reason: string | null;
  format: ImageFormat | null;
  width: number | null;
  height: number | null;
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
  result.size = body.length;

  let meta: Metadata;
  try {
    // metadata() reads only the header: it works on a bomb without decoding it.
    meta = await sharp(body, { limitInputPixels: false }).metadata();
  } catch (e) {
    return reject(`not a readable image: ${(e as Error).message}`);
  }
  const format = imageFormatOf(meta);
  const declared = meta.format === 'heif' ? `heif/${meta.compression ?? 'unknown'}` : String(meta.format);
  if (!format) return reject(`format ${declared} is not supported (allowed: ${config.allowedFormats.join(', ')})`);
  if (!config.allowedFormats.includes(format)) return reject(`format ${format} is not allowed (allowed: ${config.allowedFormats.join(', ')})`);
  result.format = format;
  const width = meta.width;
  const height = meta.pageHeight ?? meta.height;
  if (!width || !height) return reject('image header declares no dimensions');
  result.width = width;
  result.height = height;
  const pixels = width * (meta.height ?? height);
  if (pixels > config.maxPixels) {
    return reject(`image declares ${width}×${meta.height ?? height} = ${pixels} pixels, above the limit of ${config.maxPixels} (possible decompression bomb); not decoded`);
  }

  try {
    // Decode every pixel (and every frame) so truncated or corrupt data fails here,
    // not halfway through resizing. failOn 'error' rejects truncation; the pixel
    // limit is enforced again by libvips in case the header lied.
    await sharp(body, { limitInputPixels: config.maxPixels, failOn: 'error', animated: true }).stats();
  } catch (e) {
    return reject(`image data is corrupt or truncated: ${(e as Error).message}`);
  }
  return { ...result, isValid: true, reason: null };
}

/**
 * optimize-image: re-encodes an image in the configured delivery format (webp,
 * avif or mozjpeg at the configured quality), without metadata, writes
 * `optimized/<source key>.<ext>` and reports the bytes saved against the
 * object it read. The image work is optimize.ts.
 */
import { getConfig } from '../shared/config.ts';
import type { OutputFormat } from '../shared/config.ts';
import { optimizedKey } from '../shared/images.ts';
import { asRecord, objectRef, optionalString } from '../shared/input.ts';
import { getObject, putObject } from '../shared/s3-objects.ts';
import { optimizeImage } from './optimize.ts';

const OUTPUT_CONTENT_TYPES: Record<OutputFormat, string> = { webp: 'image/webp', avif: 'image/avif', jpeg: 'image/jpeg' };

export interface OptimizedImage {
  bucket: string;
  key: string;
  format: OutputFormat;
  width: number;
  height: number;
  size: number;
  /** Bytes of the object that was optimised. */
  inputSize: number;
  /** inputSize − size (negative when re-encoding made it bigger). */
  bytesSaved: number;
}

export async function handler(event: unknown): Promise<OptimizedImage> {
  const { bucket, key } = objectRef(event);
  // The optimised name follows the original upload (sourceKey), not the intermediate copy.
  const sourceKey = optionalString(asRecord(event, 'event'), 'sourceKey') ?? key;
  const config = await getConfig();
  const { body } = await getObject(bucket, key);
  const out = await optimizeImage(body, config, { what: `s3://${bucket}/${key}` });
  const outKey = optimizedKey(sourceKey, out.format);
  await putObject(bucket, outKey, out.data, OUTPUT_CONTENT_TYPES[out.format], { 'source-key': encodeURIComponent(sourceKey) });
  return {
    bucket,
    key: outKey,
    format: out.format,
    width: out.width,
    height: out.height,
    size: out.data.length,
    inputSize: body.length,
    bytesSaved: body.length - out.data.length,
  };
}

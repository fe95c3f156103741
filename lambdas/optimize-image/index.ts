/**
 * optimize-image: re-encodes an image in the configured delivery format (webp,
 * avif or mozjpeg at the configured quality), without metadata (sharp drops
 * EXIF/XMP/ICC unless asked to keep them), writes `optimized/<source key>.<ext>`
 * and reports the bytes saved against the object it read.
 */
import { getConfig } from '../shared/config.ts';
import type { OutputFormat } from '../shared/config.ts';
import { detectFormat } from '../shared/detect.ts';
import { encodeAs, open, optimizedKey, render } from '../shared/images.ts';
import { asRecord, objectRef, optionalString } from '../shared/input.ts';
import { getObject, putObject } from '../shared/s3-objects.ts';

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
  const inputFormat = await detectFormat(body);
  const format = config.outputFormat;
  // Only WebP keeps animation here; AVIF and JPEG take the first frame.
  const image = open(body, config.maxPixels, format === 'webp' ? inputFormat : undefined);
  const { data, info } = await render(encodeAs(image, format, config.quality), `optimising s3://${bucket}/${key}`);
  const outKey = optimizedKey(sourceKey, format);
  await putObject(bucket, outKey, data, OUTPUT_CONTENT_TYPES[format], { 'source-key': encodeURIComponent(sourceKey) });
  return {
    bucket,
    key: outKey,
    format,
    width: info.width,
    height: info.pageHeight ?? info.height,
    size: data.length,
    inputSize: body.length,
    bytesSaved: body.length - data.length,
  };
}

/**
 * What validate-image decides from the bytes alone: format allow-list,
 * declared dimensions and pixel limit (from the header), then a full decode.
 * Pure (no S3, no Secrets Manager), so the handler and `npm run bench --
 * scenario`'s in-process baseline run exactly the same sharp work.
 */
import type { Metadata } from 'sharp';
import sharp from 'sharp';
import type { AppConfig, ImageFormat } from '../shared/config.ts';
import { imageFormatOf } from '../shared/images.ts';

/** The verdict on an image's bytes; on a rejection, whatever was learnt before it (format, dimensions) is kept. */
export interface ImageCheck {
  isValid: boolean;
  /** Why the image was rejected; null when valid. */
  reason: string | null;
  format: ImageFormat | null;
  width: number | null;
  height: number | null;
}

export async function checkImage(body: Buffer, config: Pick<AppConfig, 'allowedFormats' | 'maxPixels'>): Promise<ImageCheck> {
  const result: ImageCheck = { isValid: false, reason: null, format: null, width: null, height: null };
  const reject = (reason: string): ImageCheck => ({ ...result, isValid: false, reason });

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

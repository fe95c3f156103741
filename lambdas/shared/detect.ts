/** The format of bytes already validated by validate-image (trusting the bytes, not the caller's hint). */
import type { Metadata } from 'sharp';
import sharp from 'sharp';
import type { ImageFormat } from './config.ts';
import { ImageProcessingError } from './errors.ts';
import { imageFormatOf } from './images.ts';

export async function detectFormat(body: Buffer, hint?: string): Promise<ImageFormat> {
  let meta: Metadata;
  try {
    meta = await sharp(body, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageProcessingError(`not a readable image${hint ? ` (expected ${hint})` : ''}: ${(e as Error).message}`, { cause: e });
  }
  const format = imageFormatOf(meta);
  if (!format) throw new ImageProcessingError(`unsupported image format ${String(meta.format)}`);
  return format;
}

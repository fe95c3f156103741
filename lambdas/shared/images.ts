/** What the handlers share about image formats and where derived images go. */
import type { Metadata, OutputInfo, Sharp } from 'sharp';
import sharp from 'sharp';
import type { ImageFormat, OutputFormat } from './config.ts';
import { ImageProcessingError } from './errors.ts';
import type { RenderedImage } from './types.ts';

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

export const EXTENSIONS: Record<OutputFormat, string> = { webp: 'webp', avif: 'avif', jpeg: 'jpg' };

/**
 * sharp reports AVIF and HEIC both as `heif` and tells them apart by the
 * compression (`av1` vs `hevc`); everything else maps one to one. Returns
 * undefined for formats outside our list (svg, pdf, jp2, heic, raw…).
 */
export function imageFormatOf(meta: Metadata): ImageFormat | undefined {
  switch (meta.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return meta.format;
    case 'heif':
      return meta.compression === 'av1' ? 'avif' : undefined;
    default:
      return undefined;
  }
}

/** Encodes in `format`, the way each derived image is written. */
export function encodeAs(image: Sharp, format: ImageFormat | OutputFormat, quality?: number): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: quality ?? 85, mozjpeg: true });
    case 'png':
      return image.png({ compressionLevel: 9 });
    case 'webp':
      return image.webp({ quality: quality ?? 80, effort: 4 });
    case 'avif':
      // effort 2: AVIF's higher efforts cost seconds per megapixel of Lambda time for a few percent.
      return image.avif({ quality: quality ?? 55, effort: 2 });
    case 'gif':
      return image.gif();
    case 'tiff':
      return image.tiff({ compression: 'lzw' });
  }
}

/** `resized/raw/cat.jpg` for `raw/cat.jpg`: a derived copy keeps the original key under its prefix. */
export function derivedKey(prefix: 'resized' | 'filtered', key: string): string {
  return `${prefix}/${key}`;
}

/** `optimized/raw/cat.webp`: the original key with the new format's extension. */
export function optimizedKey(sourceKey: string, format: OutputFormat): string {
  const slash = sourceKey.lastIndexOf('/');
  const dot = sourceKey.lastIndexOf('.');
  const stem = dot > slash + 1 ? sourceKey.slice(0, dot) : sourceKey;
  return `optimized/${stem}.${EXTENSIONS[format]}`;
}

/**
 * Runs a sharp pipeline encoding `format`, turning libvips failures into
 * ImageProcessingError (not retried); `what` names the step and the image in
 * that error ("resizing s3://images/raw/cat.jpg").
 */
export async function render<F extends string>(image: Sharp, format: F, what: string): Promise<RenderedImage<F>> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await image.toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ImageProcessingError(`${what}: ${(e as Error).message}`, { cause: e });
  }
  return { data: out.data, format, width: out.info.width, height: out.info.pageHeight ?? out.info.height };
}

/** A pipeline on `body`, limited to `maxPixels` and keeping animation frames where the format has them. */
export function open(body: Buffer, maxPixels: number, format: ImageFormat | undefined): Sharp {
  const animated = format === 'gif' || format === 'webp';
  return sharp(body, { limitInputPixels: maxPixels, animated, failOn: 'error' });
}

/**
 * Real images generated at test time with sharp: photo-like content (gradients
 * plus seeded noise, so encoders work as hard as on a photo and sizes are
 * realistic), in every format the processor accepts, plus the bad inputs it
 * must reject: a truncated JPEG, a non-image, and a PNG "bomb" whose header
 * declares huge dimensions.
 */
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const;
export type TestImageFormat = (typeof FORMATS)[number];

export interface PhotoOptions {
  width?: number;
  height?: number;
  /** Seed of the noise: same seed, same pixels. */
  seed?: number;
  quality?: number;
}

/** Raw RGB pixels: diagonal colour gradients, a soft circle, and per-pixel noise. */
export function photoPixels(width: number, height: number, seed = 1): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  const rand = () => {
    // xorshift32: deterministic noise without Math.random.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const cx = width * 0.6;
  const cy = height * 0.4;
  const r2 = (Math.min(width, height) * 0.3) ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r2 ? 60 : 0;
      const n = (rand() - 0.5) * 50;
      px[i] = clamp((x / width) * 200 + inside + n);
      px[i + 1] = clamp((y / height) * 180 + 30 + n);
      px[i + 2] = clamp(((x + y) / (width + height)) * 255 - inside + n);
    }
  }
  return px;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** A photo-like image encoded as `format`. */
export async function photo(format: TestImageFormat, options: PhotoOptions = {}): Promise<Buffer> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const img = sharp(photoPixels(width, height, options.seed ?? 1), { raw: { width, height, channels: 3 } });
  const q = options.quality ?? 90;
  switch (format) {
    case 'jpeg':
      return img.jpeg({ quality: q }).withMetadata().toBuffer();
    case 'png':
      return img.png().toBuffer();
    case 'webp':
      return img.webp({ quality: q }).toBuffer();
    case 'avif':
      return img.avif({ quality: 60, effort: 2 }).toBuffer();
    case 'gif':
      return img.gif().toBuffer();
    case 'tiff':
      return img.tiff().toBuffer();
  }
}

/** A JPEG cut off at `fraction` of its bytes (an interrupted upload). */
export async function truncatedJpeg(fraction = 0.5, options: PhotoOptions = {}): Promise<Buffer> {
  const full = await photo('jpeg', options);
  return full.subarray(0, Math.floor(full.length * fraction));
}

/** Bytes that are not an image at all. */
export function notAnImage(): Buffer {
  return Buffer.from('%PDF-1.7 this is a text file pretending to be an upload\n'.repeat(20));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([len, typeAndData, crc]);
}

/**
 * A decompression bomb: a valid PNG signature and IHDR declaring
 * `width`×`height` RGBA pixels (default 100,000 × 100,000 = 40 GB decoded),
 * followed by a small IDAT of compressed zeros. Decoding it would exhaust
 * memory; a validator must reject it from the header.
 */
export function pngBomb(width = 100_000, height = 100_000): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  const idat = deflateSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** What an image really is, read back with sharp (format `avif` for AV1-coded HEIF). */
export async function inspect(body: Buffer): Promise<{ format: string; width: number; height: number; size: number; hasExif: boolean }> {
  const m = await sharp(body).metadata();
  const format = m.format === 'heif' && m.compression === 'av1' ? 'avif' : String(m.format);
  return { format, width: m.width ?? 0, height: m.pageHeight ?? m.height ?? 0, size: body.length, hasExif: Boolean(m.exif) };
}

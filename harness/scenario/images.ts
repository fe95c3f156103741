/**
 * Images for scenarios: generated at run time from a seed (photo-like gradient
 * plus noise in any format, truncated or garbage bytes, a decompression bomb),
 * and inspected with sharp for the `then.objects[].image` checks and the HTML
 * thumbnails.
 */
import { crc32, deflateSync } from 'node:zlib';
import { requireCommonJs } from '../core/commonjs.ts';
import { createIdSource } from '../core/index.ts';
import type { ImageSpecValue } from './schema.ts';

/** sharp (and the semver it loads, ≈ 50 ms in all), loaded by the first scenario with an image. */
function sharp(...args: Parameters<typeof import('sharp').default>): import('sharp').Sharp {
  return (requireCommonJs('sharp') as typeof import('sharp').default)(...args);
}

export const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
  svg: 'image/svg+xml',
};

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A tiny PNG whose IHDR declares `width`×`height`: decoders that trust the header allocate gigabytes. */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  // A few rows of zeros, deflated: the file stays small whatever it claims.
  const idat = deflateSync(Buffer.alloc(Math.min(width + 1, 65_536) * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Raw RGB pixels: a diagonal gradient, plus seeded noise for `photo`/`noise`. */
function pixels(spec: ImageSpecValue, seed: string): Buffer {
  const { width, height } = spec;
  const buf = Buffer.alloc(width * height * 3);
  const ids = createIdSource(seed);
  const noiseAmp = spec.pattern === 'gradient' ? 0 : spec.pattern === 'noise' ? 255 : 40;
  // Noise from a small seeded table keeps generation fast for 12-megapixel images.
  const table = new Int16Array(4096);
  for (let i = 0; i < table.length; i++) table[i] = Math.floor((ids.random() - 0.5) * noiseAmp);
  let t = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const base = spec.pattern === 'noise' ? 128 : 0;
      const r = base + (spec.pattern === 'noise' ? 0 : (x * 255) / width);
      const g = base + (spec.pattern === 'noise' ? 0 : (y * 255) / height);
      const b = base + (spec.pattern === 'noise' ? 0 : ((x + y) * 127) / (width + height));
      buf[i] = clamp(r + table[t++ & 4095]!);
      buf[i + 1] = clamp(g + table[(t * 7) & 4095]!);
      buf[i + 2] = clamp(b + table[(t * 13) & 4095]!);
    }
    t += 31;
  }
  return buf;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v | 0;
}

/** Generates the image a scenario describes; deterministic for `seed`. */
export async function generateImage(spec: ImageSpecValue, seed: string): Promise<{ body: Buffer; contentType: string }> {
  if (spec.bomb) return { body: pngBomb(spec.bomb.width, spec.bomb.height), contentType: 'image/png' };
  const contentType = CONTENT_TYPES[spec.format] ?? 'application/octet-stream';
  if (spec.corrupt === 'garbage') {
    const ids = createIdSource(`${seed}/garbage`);
    return { body: Buffer.from(ids.hex(2048), 'hex'), contentType };
  }
  let body: Buffer;
  if (spec.format === 'svg') {
    body = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.width}" height="${spec.height}"><rect width="100%" height="100%" fill="#3a7"/><circle cx="50%" cy="50%" r="25%" fill="#fc3"/></svg>`,
    );
  } else {
    const img = sharp(pixels(spec, seed), { raw: { width: spec.width, height: spec.height, channels: 3 } });
    const q = spec.quality !== undefined ? { quality: spec.quality } : {};
    switch (spec.format) {
      case 'jpeg':
        body = await img.jpeg(q).toBuffer();
        break;
      case 'png':
        body = await img.png().toBuffer();
        break;
      case 'webp':
        body = await img.webp(q).toBuffer();
        break;
      case 'avif':
        body = await img.avif({ ...q, effort: 0 }).toBuffer();
        break;
      case 'gif':
        body = await img.gif().toBuffer();
        break;
      case 'tiff':
        body = await img.tiff(q).toBuffer();
        break;
    }
  }
  if (spec.corrupt === 'truncated') body = body.subarray(0, Math.floor(body.length * 0.4));
  return { body, contentType };
}

export interface ImageInfo {
  format?: string;
  width?: number;
  height?: number;
}

/** Reads format and size from the header; undefined when it is not an image sharp understands. */
export async function inspectImage(body: Buffer): Promise<ImageInfo | undefined> {
  try {
    const m = await sharp(body, { limitInputPixels: false }).metadata();
    return { ...(m.format ? { format: m.format === 'heif' && m.compression === 'av1' ? 'avif' : m.format } : {}), ...(m.width ? { width: m.width } : {}), ...(m.height ? { height: m.height } : {}) };
  } catch {
    return undefined;
  }
}

/** A small PNG data URI for the HTML report; undefined when the bytes do not decode. */
export async function thumbnail(body: Buffer, size = 128): Promise<string | undefined> {
  try {
    const out = await sharp(body, { limitInputPixels: 50_000_000 }).resize(size, size, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
    return `data:image/png;base64,${out.toString('base64')}`;
  } catch {
    return undefined;
  }
}

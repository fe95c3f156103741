/**
 * The image handlers on real images generated at test time, through the
 * embedded endpoint's S3 and Secrets Manager (real SDK calls over HTTP): the
 * produced objects are read back and checked for their real format,
 * dimensions and size.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as applyFilters } from '../../lambdas/apply-filters/index.ts';
import { handler as optimizeImage } from '../../lambdas/optimize-image/index.ts';
import { handler as resizeImage } from '../../lambdas/resize-image/index.ts';
import { handler as validateImage } from '../../lambdas/validate-image/index.ts';
import { applyFilters as applyFiltersTo } from '../../lambdas/apply-filters/filters.ts';
import { optimizeImage as optimizeBytes } from '../../lambdas/optimize-image/optimize.ts';
import { resizeImage as resizeBytes } from '../../lambdas/resize-image/resize.ts';
import { parseConfig } from '../../lambdas/shared/config.ts';
import { checkImage } from '../../lambdas/validate-image/check.ts';
import { FORMATS, inspect, notAnImage, photo, pngBomb, truncatedJpeg } from '../support/images.ts';
import { BUCKET, startHandlerEnv, type HandlerEnv } from './harness-env.ts';

const CONFIG = { targetWidth: 320, targetHeight: 240, fit: 'cover', filters: ['greyscale'], outputFormat: 'webp', quality: 70, maxPixels: 20_000_000 };
const EXT: Record<string, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif', tiff: 'tiff' };

let env: HandlerEnv;
const originals = new Map<string, Buffer>();

beforeAll(async () => {
  env = await startHandlerEnv();
  await env.setConfig(CONFIG);
  for (const f of FORMATS) {
    const body = await photo(f, { width: 800, height: 600, seed: FORMATS.indexOf(f) + 1 });
    originals.set(f, body);
    await env.put(`raw/photo.${EXT[f]}`, body);
  }
  await env.put('raw/truncated.jpg', await truncatedJpeg(0.5));
  await env.put('raw/notes.jpg', notAnImage());
  await env.put('raw/bomb.png', pngBomb());
  await env.put('raw/empty.png', Buffer.alloc(0));
  await env.put('raw/vector.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'));
});

afterAll(async () => {
  await env?.dispose();
});

describe('validate-image', () => {
  it.each(FORMATS)('accepts a %s photo and reports its format, size and dimensions', async (format) => {
    const r = await validateImage({ bucket: BUCKET, key: `raw/photo.${EXT[format]}` });
    expect(r).toEqual({ bucket: BUCKET, key: `raw/photo.${EXT[format]}`, isValid: true, reason: null, format, width: 800, height: 600, size: originals.get(format)!.length });
  });

  it('rejects a truncated JPEG with the decoder’s reason', async () => {
    const r = await validateImage({ bucket: BUCKET, key: 'raw/truncated.jpg' });
    expect(r.isValid).toBe(false);
    expect(r.format).toBe('jpeg');
    expect(r.reason).toMatch(/corrupt or truncated: .*premature end of JPEG/i);
  });

  it('rejects bytes that are not an image', async () => {
    const r = await validateImage({ bucket: BUCKET, key: 'raw/notes.jpg' });
    expect(r).toMatchObject({ isValid: false, format: null });
    expect(r.reason).toMatch(/not a readable image: .*unsupported image format/);
  });

  it('rejects a PNG bomb from its header, without decoding it', async () => {
    const before = process.memoryUsage().rss;
    const r = await validateImage({ bucket: BUCKET, key: 'raw/bomb.png' });
    expect(r).toMatchObject({ isValid: false, format: 'png', width: 100_000, height: 100_000 });
    expect(r.reason).toBe('image declares 100000×100000 = 10000000000 pixels, above the limit of 20000000 (possible decompression bomb); not decoded');
    // Decoding 10^10 RGBA pixels would need 40 GB; we stayed far below.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('rejects an empty object, a missing object and a format outside the allow-list', async () => {
    expect((await validateImage({ bucket: BUCKET, key: 'raw/empty.png' })).reason).toBe('object is empty (0 bytes)');
    expect((await validateImage({ bucket: BUCKET, key: 'raw/nope.png' })).reason).toBe(`object s3://${BUCKET}/raw/nope.png does not exist`);
    expect((await validateImage({ bucket: BUCKET, key: 'raw/vector.svg' })).reason).toMatch(/^format svg is not supported \(allowed: jpeg, png, webp, avif, gif, tiff\)$/);
  });

  it('applies the configured byte limit and format allow-list', async () => {
    await env.setConfig({ ...CONFIG, maxBytes: 1000, allowedFormats: ['jpeg', 'png'] });
    try {
      const big = await validateImage({ bucket: BUCKET, key: 'raw/photo.jpg' });
      expect(big.reason).toBe(`object is ${originals.get('jpeg')!.length} bytes; the limit is 1000 bytes`);
      await env.setConfig({ ...CONFIG, allowedFormats: ['jpeg', 'png'] });
      const webp = await validateImage({ bucket: BUCKET, key: 'raw/photo.webp' });
      expect(webp.reason).toBe('format webp is not allowed (allowed: jpeg, png)');
    } finally {
      await env.setConfig(CONFIG);
    }
  });

  it('names the missing field of a bad payload', async () => {
    await expect(validateImage({ bucket: BUCKET })).rejects.toMatchObject({ name: 'InvalidInputError', message: 'event.key must be a non-empty string, got nothing' });
  });
});

describe('resize-image', () => {
  it.each(FORMATS)('resizes a %s photo to the configured 320×240 in the same format under resized/', async (format) => {
    const key = `raw/photo.${EXT[format]}`;
    const r = await resizeImage({ bucket: BUCKET, key, format });
    expect(r).toMatchObject({ bucket: BUCKET, key: `resized/${key}`, sourceKey: key, format, width: 320, height: 240 });
    const out = await inspect(await env.get(`resized/${key}`));
    expect(out).toMatchObject({ format, width: 320, height: 240, size: r.size });
    expect(out.size).toBeLessThan(originals.get(format)!.length);
  });

  it('keeps the aspect ratio with fit inside and never enlarges when enlarge is false', async () => {
    await env.setConfig({ ...CONFIG, targetWidth: 400, targetHeight: 400, fit: 'inside' });
    try {
      const r = await resizeImage({ bucket: BUCKET, key: 'raw/photo.png' });
      expect([r.width, r.height]).toEqual([400, 300]);
      await env.setConfig({ ...CONFIG, targetWidth: 2000, targetHeight: 1500, enlarge: false });
      const small = await resizeImage({ bucket: BUCKET, key: 'raw/photo.png' });
      expect([small.width, small.height]).toEqual([800, 600]);
    } finally {
      await env.setConfig(CONFIG);
    }
  });

  it('fails with ImageProcessingError (not retried by the workflows) on data that is not an image', async () => {
    await expect(resizeImage({ bucket: BUCKET, key: 'raw/notes.jpg' })).rejects.toMatchObject({ name: 'ImageProcessingError' });
  });
});

describe('apply-filters', () => {
  it.each(['jpeg', 'png', 'webp'] as const)('writes a greyscale %s under filtered/', async (format) => {
    const key = `raw/photo.${EXT[format]}`;
    const r = await applyFilters({ bucket: BUCKET, key });
    expect(r).toMatchObject({ key: `filtered/${key}`, format, width: 800, height: 600, filters: ['greyscale'] });
    const body = await env.get(`filtered/${key}`);
    expect(await inspect(body)).toMatchObject({ format, width: 800, height: 600 });
    const stats = await sharp(body).stats();
    // Greyscale: one channel, or three identical ones.
    const means = stats.channels.slice(0, 3).map((c) => Math.round(c.mean));
    expect(new Set(means).size).toBe(1);
    const originalMeans = (await sharp(originals.get(format)!).stats()).channels.map((c) => Math.round(c.mean));
    expect(new Set(originalMeans).size).toBeGreaterThan(1);
  });

  it('applies blur, sharpen and tint in order', async () => {
    await env.setConfig({ ...CONFIG, filters: [{ name: 'blur', sigma: 4 }, { name: 'sharpen' }, { name: 'tint', color: '#ff0000' }] });
    try {
      const r = await applyFilters({ bucket: BUCKET, key: 'raw/photo.png' });
      expect(r.filters).toEqual(['blur', 'sharpen', 'tint']);
      const stats = await sharp(await env.get('filtered/raw/photo.png')).stats();
      const [red, green, blue] = stats.channels.map((c) => c.mean);
      expect(red!).toBeGreaterThan(green!);
      expect(red!).toBeGreaterThan(blue!);
      // The blur removed most of the per-pixel noise: far less local variation than the original.
      const original = await sharp(originals.get('png')!).stats();
      expect(stats.sharpness).toBeLessThan(original.sharpness);
    } finally {
      await env.setConfig(CONFIG);
    }
  });
});

describe('optimize-image', () => {
  it.each(['webp', 'avif', 'jpeg'] as const)('re-encodes as %s without metadata, writes optimized/ and reports bytes saved', async (outputFormat) => {
    await env.setConfig({ ...CONFIG, outputFormat, quality: 60 });
    try {
      const r = await optimizeImage({ bucket: BUCKET, key: 'raw/photo.jpg', sourceKey: 'raw/photo.jpg' });
      const ext = outputFormat === 'jpeg' ? 'jpg' : outputFormat;
      expect(r.key).toBe(`optimized/raw/photo.${ext}`);
      const body = await env.get(r.key);
      const out = await inspect(body);
      expect(out).toMatchObject({ format: outputFormat, width: 800, height: 600, size: r.size, hasExif: false });
      expect(await inspect(originals.get('jpeg')!)).toMatchObject({ hasExif: true });
      expect(r.inputSize).toBe(originals.get('jpeg')!.length);
      expect(r.bytesSaved).toBe(r.inputSize - r.size);
      expect(r.bytesSaved).toBeGreaterThan(0);
    } finally {
      await env.setConfig(CONFIG);
    }
  });

  it('names the output after the original upload when optimising an intermediate copy', async () => {
    await resizeImage({ bucket: BUCKET, key: 'raw/photo.tiff' });
    const r = await optimizeImage({ bucket: BUCKET, key: 'resized/raw/photo.tiff', sourceKey: 'raw/photo.tiff' });
    expect(r).toMatchObject({ key: 'optimized/raw/photo.webp', format: 'webp', width: 320, height: 240 });
    expect(await inspect(await env.get('optimized/raw/photo.webp'))).toMatchObject({ format: 'webp', width: 320, height: 240 });
  });
});

describe('the pure image steps (what `npm run bench -- scenario` times in-process)', () => {
  // The handlers call these after fetching; the same bytes and configuration must give the very same output.
  it('give byte-for-byte what each handler stored', async () => {
    const config = parseConfig(JSON.stringify(CONFIG), 'image-processor/config');
    const original = originals.get('jpeg')!;
    const key = 'raw/photo.jpg';
    const check = await checkImage(original, config);
    expect({ bucket: BUCKET, key, ...check, size: original.length }).toEqual(await validateImage({ bucket: BUCKET, key }));

    const resized = await resizeImage({ bucket: BUCKET, key });
    const resizedBytes = await resizeBytes(original, config);
    expect(resizedBytes.data.equals(await env.get(resized.key))).toBe(true);
    expect([resizedBytes.width, resizedBytes.height]).toEqual([resized.width, resized.height]);

    const filtered = await applyFilters({ bucket: BUCKET, key });
    expect((await applyFiltersTo(original, config)).data.equals(await env.get(filtered.key))).toBe(true);

    const optimized = await optimizeImage({ bucket: BUCKET, key: resized.key, sourceKey: key });
    expect((await optimizeBytes(resizedBytes.data, config)).data.equals(await env.get(optimized.key))).toBe(true);
  });
});

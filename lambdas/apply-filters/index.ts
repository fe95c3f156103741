/**
 * apply-filters: applies the configured filters in order (greyscale, blur,
 * sharpen, tint), keeping the format, and writes `filtered/<key>`. The image
 * work is filters.ts.
 */
import { getConfig } from '../shared/config.ts';
import { CONTENT_TYPES, derivedKey } from '../shared/images.ts';
import { objectRef } from '../shared/input.ts';
import { getObject, putObject } from '../shared/s3-objects.ts';
import type { DerivedImage } from '../shared/types.ts';
import { applyFilters } from './filters.ts';

export interface FilteredImage extends DerivedImage {
  filters: string[];
}

export async function handler(event: unknown): Promise<FilteredImage> {
  const { bucket, key } = objectRef(event);
  const config = await getConfig();
  const { body } = await getObject(bucket, key);
  const out = await applyFilters(body, config, { what: `s3://${bucket}/${key}` });
  const outKey = derivedKey('filtered', key);
  await putObject(bucket, outKey, out.data, CONTENT_TYPES[out.format], { 'source-key': encodeURIComponent(key) });
  return {
    bucket,
    key: outKey,
    sourceKey: key,
    format: out.format,
    width: out.width,
    height: out.height,
    size: out.data.length,
    filters: config.filters.map((f) => f.name),
  };
}

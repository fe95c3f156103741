/**
 * apply-filters: applies the configured filters in order (greyscale, blur,
 * sharpen, tint), keeping the format, and writes `filtered/<key>`.
 */
import type { Sharp } from 'sharp';
import { getConfig } from '../shared/config.ts';
import type { Filter } from '../shared/config.ts';
import { detectFormat } from '../shared/detect.ts';
import { CONTENT_TYPES, derivedKey, encodeAs, open, render } from '../shared/images.ts';
import { objectRef } from '../shared/input.ts';
import { getObject, putObject } from '../shared/s3-objects.ts';
import type { DerivedImage } from '../shared/types.ts';

export interface FilteredImage extends DerivedImage {
  filters: string[];
}

export function applyFilter(image: Sharp, filter: Filter): Sharp {
  switch (filter.name) {
    case 'greyscale':
      return image.greyscale();
    case 'blur':
      return image.blur(filter.sigma);
    case 'sharpen':
      return filter.sigma === undefined ? image.sharpen() : image.sharpen({ sigma: filter.sigma });
    case 'tint':
      return image.tint(filter.color);
  }
}

export async function handler(event: unknown): Promise<FilteredImage> {
  const { bucket, key } = objectRef(event);
  const config = await getConfig();
  const { body } = await getObject(bucket, key);
  const format = await detectFormat(body);
  let image = open(body, config.maxPixels, format);
  if (format !== 'gif' && format !== 'webp') image = image.autoOrient();
  for (const f of config.filters) image = applyFilter(image, f);
  const { data, info } = await render(encodeAs(image, format), `filtering s3://${bucket}/${key}`);
  const outKey = derivedKey('filtered', key);
  await putObject(bucket, outKey, data, CONTENT_TYPES[format], { 'source-key': encodeURIComponent(key) });
  return {
    bucket,
    key: outKey,
    sourceKey: key,
    format,
    width: info.width,
    height: info.pageHeight ?? info.height,
    size: data.length,
    filters: config.filters.map((f) => f.name),
  };
}

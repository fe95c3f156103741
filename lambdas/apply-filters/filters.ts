/**
 * apply-filters' image work, pure (bytes and configuration in, bytes out; no
 * S3, no Secrets Manager), so the handler and the in-process baseline of
 * `npm run bench -- scenario` run exactly the same sharp pipeline.
 */
import type { Sharp } from 'sharp';
import type { AppConfig, Filter } from '../shared/config.ts';
import { detectFormat } from '../shared/detect.ts';
import { encodeAs, open, render } from '../shared/images.ts';
import type { RenderedImage } from '../shared/types.ts';

export type FiltersConfig = Pick<AppConfig, 'filters' | 'maxPixels'>;

function applyFilter(image: Sharp, filter: Filter): Sharp {
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

/** Applies config.filters in order, auto-orienting single-frame images and keeping the format. `what` names the object in errors. */
export async function applyFilters(body: Buffer, config: FiltersConfig, options: { what?: string } = {}): Promise<RenderedImage> {
  const format = await detectFormat(body);
  let image = open(body, config.maxPixels, format);
  if (format !== 'gif' && format !== 'webp') image = image.autoOrient();
  for (const f of config.filters) image = applyFilter(image, f);
  return render(encodeAs(image, format), format, `filtering ${options.what ?? 'the image'}`);
}

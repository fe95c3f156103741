/**
 * optimize-image's image work, pure (bytes and configuration in, bytes out; no
 * S3, no Secrets Manager), so the handler and the in-process baseline of
 * `npm run bench -- scenario` run exactly the same sharp pipeline.
 */
import type { AppConfig, OutputFormat } from '../shared/config.ts';
import { detectFormat } from '../shared/detect.ts';
import { encodeAs, open, render } from '../shared/images.ts';
import type { RenderedImage } from '../shared/types.ts';

export type OptimizeConfig = Pick<AppConfig, 'outputFormat' | 'quality' | 'maxPixels'>;

/**
 * Re-encodes in config.outputFormat at config.quality, without metadata
 * (sharp drops EXIF/XMP/ICC unless asked to keep them). Only WebP keeps
 * animation; AVIF and JPEG take the first frame. `what` names the object in errors.
 */
export async function optimizeImage(body: Buffer, config: OptimizeConfig, options: { what?: string } = {}): Promise<RenderedImage<OutputFormat>> {
  const inputFormat = await detectFormat(body);
  const format = config.outputFormat;
  const image = open(body, config.maxPixels, format === 'webp' ? inputFormat : undefined);
  return render(encodeAs(image, format, config.quality), format, `optimising ${options.what ?? 'the image'}`);
}

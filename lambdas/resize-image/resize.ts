/**
 * resize-image's image work, pure (bytes and configuration in, bytes out; no
 * S3, no Secrets Manager), so the handler and the in-process baseline of
 * `npm run bench -- scenario` run exactly the same sharp pipeline.
 */
import type { AppConfig } from '../shared/config.ts';
import { detectFormat } from '../shared/detect.ts';
import { encodeAs, open, render } from '../shared/images.ts';
import type { RenderedImage } from '../shared/types.ts';

export type ResizeConfig = Pick<AppConfig, 'targetWidth' | 'targetHeight' | 'fit' | 'enlarge' | 'maxPixels'>;

/**
 * Resizes to targetWidth × targetHeight (`fit`), auto-orienting from EXIF and
 * keeping the format (and GIF/WebP animation). `hint` (validate-image's
 * format) only improves the error message; the bytes decide the format.
 * `what` names the object in errors.
 */
export async function resizeImage(body: Buffer, config: ResizeConfig, options: { hint?: string; what?: string } = {}): Promise<RenderedImage> {
  const format = await detectFormat(body, options.hint);
  let image = open(body, config.maxPixels, format);
  // EXIF orientation applies to single-frame images; animations have none.
  if (format !== 'gif' && format !== 'webp') image = image.autoOrient();
  image = image.resize({
    width: config.targetWidth,
    height: config.targetHeight,
    fit: config.fit,
    withoutEnlargement: !config.enlarge,
  });
  return render(encodeAs(image, format), format, `resizing ${options.what ?? 'the image'}`);
}

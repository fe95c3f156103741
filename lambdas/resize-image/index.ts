/**
 * resize-image: resizes to the configured target (targetWidth × targetHeight,
 * `fit`), auto-orienting from EXIF, keeping the original format (and GIF/WebP
 * animation), and writes `resized/<key>`.
 */
import { getConfig } from '../shared/config.ts';
import { CONTENT_TYPES, derivedKey, encodeAs, open, render } from '../shared/images.ts';
import { detectFormat } from '../shared/detect.ts';
import { asRecord, objectRef, optionalString } from '../shared/input.ts';
import { getObject, putObject } from '../shared/s3-objects.ts';
import type { DerivedImage } from '../shared/types.ts';

export async function handler(event: unknown): Promise<DerivedImage> {
  const { bucket, key } = objectRef(event);
  const hint = optionalString(asRecord(event, 'event'), 'format');
  const config = await getConfig();
  const { body } = await getObject(bucket, key);
  const format = await detectFormat(body, hint);
  let image = open(body, config.maxPixels, format);
  // EXIF orientation applies to single-frame images; animations have none.
  if (format !== 'gif' && format !== 'webp') image = image.autoOrient();
  image = image.resize({
    width: config.targetWidth,
    height: config.targetHeight,
    fit: config.fit,
    withoutEnlargement: !config.enlarge,
  });
  const { data, info } = await render(encodeAs(image, format), `resizing s3://${bucket}/${key}`);
  const outKey = derivedKey('resized', key);
  await putObject(bucket, outKey, data, CONTENT_TYPES[format], { 'source-key': encodeURIComponent(key) });
  return { bucket, key: outKey, sourceKey: key, format, width: info.width, height: info.pageHeight ?? info.height, size: data.length };
}

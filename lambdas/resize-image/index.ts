/**
 * resize-image: resizes to the configured target (targetWidth × targetHeight,
 * `fit`), auto-orienting from EXIF, keeping the original format (and GIF/WebP
 * animation), and writes `resized/<key>`. The image work is resize.ts.
 */
import { getConfig } from '../shared/config.ts';
import { CONTENT_TYPES, derivedKey } from '../shared/images.ts';
import { asRecord, objectRef, optionalString } from '../shared/input.ts';
import { getObject, putObject } from '../shared/s3-objects.ts';
import type { DerivedImage } from '../shared/types.ts';
import { resizeImage } from './resize.ts';

export async function handler(event: unknown): Promise<DerivedImage> {
  const { bucket, key } = objectRef(event);
  const hint = optionalString(asRecord(event, 'event'), 'format');
  const config = await getConfig();
  const { body } = await getObject(bucket, key);
  const out = await resizeImage(body, config, { hint, what: `s3://${bucket}/${key}` });
  const outKey = derivedKey('resized', key);
  await putObject(bucket, outKey, out.data, CONTENT_TYPES[out.format], { 'source-key': encodeURIComponent(key) });
  return { bucket, key: outKey, sourceKey: key, format: out.format, width: out.width, height: out.height, size: out.data.length };
}

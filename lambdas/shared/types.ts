/** Result shapes the handlers return (the workflows select fields from them). */
import type { ImageFormat } from './config.ts';

/** A derived copy of an upload (resized/…, filtered/…). */
export interface DerivedImage {
  bucket: string;
  key: string;
  sourceKey: string;
  format: ImageFormat;
  width: number;
  height: number;
  size: number;
}

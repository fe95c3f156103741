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

/** Encoded bytes from one of the image functions' pure steps, before they are stored. */
export interface RenderedImage<F extends string = ImageFormat> {
  data: Buffer;
  format: F;
  width: number;
  /** Height of one frame (an animation's page height). */
  height: number;
}

// The direct-sharp baseline of `npm run bench -- inner-loop`: a plain Node
// script that imports sharp and does the reference workflow's four image steps
// on the same image in one process, as happy-path-jpeg configures them
// (greyscale, 800×600, WebP quality 80) — no endpoint, no Lambda, no S3.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import sharp from 'sharp';

const body = readFileSync(process.argv[2]);
// validate-image: header, then a full decode.
const meta = await sharp(body).metadata();
if (meta.format !== 'jpeg') throw new Error(`expected a JPEG, got ${meta.format}`);
await sharp(body, { failOn: 'error' }).stats();
// resize-image ∥ apply-filters, each on the upload, keeping its format.
const [resized] = await Promise.all([
  sharp(body).autoOrient().resize({ width: 800, height: 600, fit: 'inside', withoutEnlargement: true }).jpeg().toBuffer(),
  sharp(body).autoOrient().greyscale().jpeg().toBuffer(),
]);
// optimize-image: the resized image as WebP.
await sharp(resized).webp({ quality: 80 }).toBuffer();

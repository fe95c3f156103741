/**
 * Where a function's code comes from (CreateFunction / UpdateFunctionCode):
 * - `ZipFile` (base64 in the JSON body): extracted to a directory of ours;
 * - `S3Bucket`/`S3Key`: the zip is read from this endpoint's S3 and extracted;
 * - `S3Bucket: 'hot-reload'` (LocalStack's convention; `'__local__'` is an
 *   alias) with `S3Key: '/abs/dir'`: the local directory runs in place, so a
 *   harness deploying from a checkout needs no zip and picks up edits.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep, dirname } from 'node:path';
import type AdmZip from 'adm-zip';
import { admZip } from '../../core/commonjs.ts';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { invalidParameterValue } from './errors.ts';
import type { FunctionCode } from './models.ts';

/** Bucket names that mean "this local directory" (LocalStack hot reloading, and ours). */
export const LOCAL_CODE_BUCKETS = ['hot-reload', '__local__'] as const;

/** Largest zip accepted in the request body (AWS: 50 MB zipped). */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** AWS: 250 MB unzipped. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

export interface CodeInput {
  ZipFile?: unknown;
  S3Bucket?: unknown;
  S3Key?: unknown;
  S3ObjectVersion?: unknown;
  ImageUri?: unknown;
}

export interface CodeContext {
  functionName: string;
  /** Parent for extracted code: `<dataDir>/lambda-code` or a temp dir. */
  codeRoot(): string;
  endpoint(): string;
  region: string;
}

function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

export async function loadCode(input: CodeInput, ctx: CodeContext): Promise<FunctionCode> {
  if (input.ImageUri !== undefined) {
    throw invalidParameterValue('Container image functions (ImageUri) are not supported by the embedded endpoint; deploy a .zip file archive.');
  }
  if (typeof input.ZipFile === 'string' && input.ZipFile.length > 0) {
    const zip = Buffer.from(input.ZipFile, 'base64');
    return extractZip(zip, 'zip', ctx);
  }
  if (input.ZipFile !== undefined && typeof input.ZipFile !== 'string') {
    throw invalidParameterValue('ZipFile must be the base64-encoded contents of a .zip file.');
  }
  if (typeof input.S3Bucket === 'string' && typeof input.S3Key === 'string') {
    if ((LOCAL_CODE_BUCKETS as readonly string[]).includes(input.S3Bucket)) return localDirectory(input.S3Key);
    const zip = await readS3Object(input.S3Bucket, input.S3Key, typeof input.S3ObjectVersion === 'string' ? input.S3ObjectVersion : undefined, ctx);
    return extractZip(zip, 's3', ctx);
  }
  throw invalidParameterValue(
    "Please provide a source for function code: Code.ZipFile (base64 .zip), Code.S3Bucket + Code.S3Key, or Code.S3Bucket 'hot-reload' + Code.S3Key '/absolute/local/dir'.",
  );
}

function localDirectory(dir: string): FunctionCode {
  if (!isAbsolute(dir)) {
    throw invalidParameterValue(`Code.S3Key must be an absolute directory path when Code.S3Bucket is 'hot-reload', got ${JSON.stringify(dir)}.`);
  }
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw invalidParameterValue(`Code.S3Key ${JSON.stringify(dir)} is not an existing directory (S3Bucket 'hot-reload' runs a local directory).`);
  return { dir: resolve(dir), sha256: sha256Base64(resolve(dir)), size: 0, source: 'local', owned: false };
}

async function readS3Object(bucket: string, key: string, versionId: string | undefined, ctx: CodeContext): Promise<Buffer> {
  const client = new S3Client({
    endpoint: ctx.endpoint(),
    region: ctx.region,
    forcePathStyle: true,
    credentials: { accessKeyId: `LAMBDA_SERVICE`, secretAccessKey: 'rehearse' },
  });
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    const bytes = await out.Body?.transformToByteArray();
    return Buffer.from(bytes ?? []);
  } catch (e) {
    const err = e as { name?: string; message?: string };
    // AWS's wording: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
    throw invalidParameterValue(`Error occurred while GetObject. S3 Error Code: ${err.name ?? 'Unknown'}. S3 Error Message: ${err.message ?? String(e)}`);
  } finally {
    client.destroy();
  }
}

function extractZip(zip: Buffer, source: 'zip' | 's3', ctx: CodeContext): FunctionCode {
  if (zip.length > MAX_ZIP_BYTES) {
    throw invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  }
  let archive: AdmZip;
  try {
    archive = new (admZip())(zip);
  } catch {
    throw invalidParameterValue('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  const entries = archive.getEntries();
  const total = entries.reduce((n, e) => n + (e.header.size ?? 0), 0);
  if (total > MAX_UNZIPPED_BYTES) throw invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  const root = ctx.codeRoot();
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, `${ctx.functionName}-`));
  try {
    for (const entry of entries) {
      const target = resolve(dir, entry.entryName);
      // No entry may escape the directory (zip-slip: `../`, absolute names).
      if (target !== dir && !target.startsWith(dir + sep)) {
        throw invalidParameterValue(`Could not unzip uploaded file: entry ${JSON.stringify(entry.entryName)} points outside the archive.`);
      }
      if (entry.isDirectory) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, entry.getData());
      // Keep unix permission bits (a custom runtime's `bootstrap` must stay executable).
      const mode = (entry.header.attr >>> 16) & 0o777;
      if (mode) chmodSync(target, mode | 0o400);
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    if (e instanceof Error && e.name === 'InvalidParameterValueException') throw e;
    throw invalidParameterValue('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  return { dir, sha256: sha256Base64(zip), size: zip.length, source, zip, owned: true };
}

/** Removes extracted code we own. */
export function discardCode(code: FunctionCode): void {
  if (code.owned) rmSync(code.dir, { recursive: true, force: true });
}

/** A fresh directory for this service's extracted code. */
export function createCodeRoot(dataDir: string | undefined): string {
  if (dataDir) {
    const root = join(dataDir, 'lambda-code');
    mkdirSync(root, { recursive: true });
    return root;
  }
  return mkdtempSync(join(tmpdir(), 'rehearse-lambda-'));
}

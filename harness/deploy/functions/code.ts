/**
 * Where a function's code is on this machine, from whichever way the template
 * gives it: a local `CodeUri` or pre-package `Code` path (folder or .zip), `InlineCode` / `Code.ZipFile`
 * (written, as CloudFormation does, to `index.py` / `index.js`), a CDK asset
 * (`Metadata: aws:asset:path`, relative to cdk.out), or an S3 location the
 * project maps to a local file (`s3Files`). Generated and extracted code goes
 * to a content-addressed cache folder, so it is written once.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-codeuri
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { admZip } from '../../core/commonjs.ts';
import { cacheRoot } from '../../core/index.ts';
import { isObj, type Obj } from '../template.ts';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A cache folder named after `key`, filled once by `fill` (written beside it, then renamed into place). */
export function cachedFolder(kind: string, key: string, fill: (dir: string) => void): string {
  const dir = cacheFolderPath(kind, key);
  if (existsSync(dir)) return dir;
  const partial = emptyPartial(dir);
  try {
    fill(partial);
    moveIntoPlace(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

/** An empty folder beside `dir` for this process to fill (another process may be filling its own). */
function emptyPartial(dir: string): string {
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  return partial;
}

/** The filled folder becomes `dir`, unless another process got there first (same key, same content). */
function moveIntoPlace(partial: string, dir: string): void {
  if (!existsSync(dir)) renameSync(partial, dir);
}

/** The cache folder `cachedFolder` uses for `kind` and `key` (whether or not it is filled yet). */
export function cacheFolderPath(kind: string, key: string): string {
  return path.join(cacheRoot(), kind, key.slice(0, 32));
}

/** `cachedFolder` for a fill that runs a process (pip): the event loop keeps serving while it runs. */
export async function cachedFolderAsync(kind: string, key: string, fill: (dir: string) => Promise<void>): Promise<{ dir: string; reused: boolean }> {
  const dir = cacheFolderPath(kind, key);
  if (existsSync(dir)) return { dir, reused: true };
  const partial = emptyPartial(dir);
  try {
    await fill(partial);
    moveIntoPlace(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return { dir, reused: false };
}

/** A .zip extracted into the cache (by content). */
export function extractedZip(file: string): string {
  const bytes = readFileSync(file);
  return cachedFolder('zip', sha256(bytes), (dir) => new (admZip())(bytes).extractAllTo(dir, true));
}

export interface CodeLocation {
  /** The folder Lambda would unpack the code into (LAMBDA_TASK_ROOT). */
  dir: string;
  /** How it was found, for messages (`CodeUri hello_world/`, `Code.ZipFile`, `CDK asset asset.1f2e…`). */
  origin: string;
  /** The code was written or extracted by rehearse (no source folder to watch). */
  generated: boolean;
}

export type CodeResult = { code: CodeLocation } | { problem: { message: string; field: string; severity: 'ERROR' | 'WARNING' } };

/** A local folder or .zip for `s3://bucket/key`, from the project's s3Files map. */
export function mappedS3(bucket: unknown, key: unknown, s3Files: Record<string, string> | undefined, templateDir: string): string | undefined {
  if (typeof bucket !== 'string' || typeof key !== 'string') return undefined;
  const local = s3Files?.[`s3://${bucket}/${key}`];
  return local === undefined ? undefined : path.resolve(templateDir, local);
}

export function localPath(abs: string, origin: string, field: string): CodeResult {
  if (!existsSync(abs)) return { problem: { message: `${origin} does not exist (resolved to ${abs})`, field, severity: 'ERROR' } };
  if (statSync(abs).isDirectory()) return { code: { dir: abs, origin, generated: false } };
  if (abs.endsWith('.zip') || abs.endsWith('.jar')) return { code: { dir: extractedZip(abs), origin, generated: true } };
  return { problem: { message: `${origin} must be a folder or a .zip file (resolved to ${abs})`, field, severity: 'ERROR' } };
}

/** The inline source as CloudFormation packages it: one file named index with the runtime's extension. */
function inlineCode(source: string, runtime: string | undefined, field: string): CodeResult {
  const ext = runtime?.startsWith('python') ? 'py' : runtime?.startsWith('nodejs') ? 'js' : undefined;
  if (!ext) return { problem: { message: `inline code is only for Node.js and Python runtimes, not ${runtime ?? 'a function without Runtime'}`, field, severity: 'ERROR' } };
  const dir = cachedFolder('inline', sha256(`${ext}\0${source}`), (d) => writeFileSync(path.join(d, `index.${ext}`), source));
  return { code: { dir, origin: field.replace(/^Properties\./, ''), generated: true } };
}

export interface CodeInput {
  type: string;
  properties: Obj;
  metadata: Obj;
  templateDir: string;
  s3Files?: Record<string, string>;
}

export function locateCode(f: CodeInput): CodeResult {
  const p = f.properties;
  const runtime = typeof p.Runtime === 'string' ? p.Runtime : undefined;
  // CDK: the asset folder (or zip) cdk synth wrote next to the template names the code.
  const assetPath = f.metadata['aws:asset:path'];
  if (typeof assetPath === 'string' && (f.metadata['aws:asset:property'] === undefined || f.metadata['aws:asset:property'] === 'Code' || f.metadata['aws:asset:property'] === 'CodeUri')) {
    return localPath(path.resolve(f.templateDir, assetPath), `CDK asset ${assetPath}`, 'Metadata.aws:asset:path');
  }
  if (f.type === 'AWS::Serverless::Function') {
    if (typeof p.InlineCode === 'string') return inlineCode(p.InlineCode, runtime, 'Properties.InlineCode');
    const uri = p.CodeUri;
    if (typeof uri === 'string') {
      const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (s3) {
        const local = mappedS3(s3[1], s3[2], f.s3Files, f.templateDir);
        return local ? localPath(local, `CodeUri ${uri} (mapped to ${local})`, 'Properties.CodeUri') : { problem: { message: `CodeUri ${uri} is in S3; map it to a local folder or .zip under s3Files: in rehearse.config.yaml`, field: 'Properties.CodeUri', severity: 'ERROR' } };
      }
      return localPath(path.resolve(f.templateDir, uri), `CodeUri ${JSON.stringify(uri)}`, 'Properties.CodeUri');
    }
    if (isObj(uri)) {
      const local = mappedS3(uri.Bucket, uri.Key, f.s3Files, f.templateDir);
      return local ? localPath(local, `CodeUri s3://${String(uri.Bucket)}/${String(uri.Key)}`, 'Properties.CodeUri') : { problem: { message: `CodeUri s3://${String(uri.Bucket)}/${String(uri.Key)} is in S3; map it to a local folder or .zip under s3Files: in rehearse.config.yaml`, field: 'Properties.CodeUri', severity: 'ERROR' } };
    }
    // No CodeUri: the folder the template is in, as `sam build` and `sam local` take it (SAM CLI's
    // DEFAULT_CODEURI "."); `sam init`'s web-backend starters are written that way (Handler: src/handlers/…).
    if (uri === undefined) return localPath(f.templateDir, 'CodeUri (none given: the template\'s folder, as SAM CLI takes it)', 'Properties.CodeUri');
    return { problem: { message: `CodeUri must be a folder or .zip relative to the template, or an s3:// location (got ${JSON.stringify(uri)})`, field: 'Properties.CodeUri', severity: 'ERROR' } };
  }
  const code = p.Code;
  // Before `aws cloudformation package`, Code may be a local path (folder or .zip) that the command
  // uploads and replaces with S3Bucket/S3Key; templates kept in a repository are written that way.
  // https://docs.aws.amazon.com/cli/latest/reference/cloudformation/package.html
  if (typeof code === 'string' && code !== '') return localPath(path.resolve(f.templateDir, code), `Code ${JSON.stringify(code)}`, 'Properties.Code');
  if (!isObj(code)) return { problem: { message: 'Code is required (ZipFile, S3Bucket + S3Key, ImageUri, or a local path as aws cloudformation package reads it)', field: 'Properties.Code', severity: 'ERROR' } };
  if (typeof code.ZipFile === 'string') return inlineCode(code.ZipFile, runtime, 'Properties.Code.ZipFile');
  if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
    const local = mappedS3(code.S3Bucket, code.S3Key, f.s3Files, f.templateDir);
    const where = `s3://${String(code.S3Bucket)}/${String(code.S3Key)}`;
    return local ? localPath(local, `Code ${where} (mapped to ${local})`, 'Properties.Code') : { problem: { message: `Code ${where} is in S3; map it to a local folder or .zip under s3Files: in rehearse.config.yaml`, field: 'Properties.Code', severity: 'ERROR' } };
  }
  return { problem: { message: 'Code needs ZipFile, S3Bucket + S3Key, or ImageUri', field: 'Properties.Code', severity: 'ERROR' } };
}

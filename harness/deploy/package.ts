/**
 * Builds a function's deployment zip for backends that cannot run a local
 * directory (LocalStack, AWS): esbuild bundles the handler into `index.mjs`
 * (what `sam build` with BuildMethod esbuild produces), leaving out the AWS SDK
 * (the Node.js runtime provides it) and native modules; when the bundle needs
 * sharp, the zip carries node_modules/sharp with its linux-x64 build
 * (@img/sharp-linux-x64 + @img/sharp-libvips-linux-x64), which is what runs on
 * Lambda's x86_64 Amazon Linux whatever machine built the zip.
 * https://sharp.pixelplumbing.com/install#aws-lambda
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type AdmZip from 'adm-zip';
import { admZip, esbuild } from '../core/commonjs.ts';
import { RehearseError } from '../core/index.ts';
import type { FunctionSpec } from './resources/lambda-function.ts';

/** What sharp needs at run time on linux-x64 (its package.json dependencies plus the prebuilt binaries). */
const SHARP_PACKAGES = ['sharp', '@img/colour', 'detect-libc', 'semver', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64'];

export interface FunctionZip {
  zip: Buffer;
  /** base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  sha256: string;
  /** Handler inside the zip (`index.handler`). */
  handler: string;
  files: string[];
}

/** node_modules/<name> as Node would find it from `from` (package.json may be hidden by an exports map). */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function addDir(zip: AdmZip, dir: string, zipPath: string, files: string[], skip: (name: string) => boolean = () => false): void {
  for (const entry of readdirSync(dir).sort()) {
    if (skip(entry)) continue;
    const abs = path.join(dir, entry);
    const rel = zipPath ? `${zipPath}/${entry}` : entry;
    const st = statSync(abs);
    if (st.isDirectory()) addDir(zip, abs, rel, files, skip);
    else if (st.isFile()) {
      // Fixed timestamps keep the zip (and CodeSha256) stable across builds.
      zip.addFile(rel, readFileSync(abs), '', 0o644 << 16);
      const e = zip.getEntry(rel);
      if (e) e.header.time = new Date(Date.UTC(2020, 0, 1));
      files.push(rel);
    }
  }
}

/** Byte-code caches Python writes beside the sources: not code, and different on every machine. */
const PYTHON_CACHE = (name: string) => name === '__pycache__' || name.endsWith('.pyc');

/**
 * A Python function's zip as `sam build` makes it: the code folder as it is,
 * and the packages its requirements.txt installed (`sitePackages`, when
 * given) at the zip's root, where Lambda's module path finds them
 * (https://docs.aws.amazon.com/lambda/latest/dg/python-package.html).
 */
export function buildPythonZip(fn: FunctionSpec, sitePackages?: string): FunctionZip {
  if (!fn.codeDir) throw new RehearseError('ERR_BAD_INPUT', `${fn.logicalId}: no code folder to zip`);
  const zip = new (admZip())();
  const files: string[] = [];
  if (sitePackages !== undefined) addDir(zip, sitePackages, '', files, PYTHON_CACHE);
  addDir(zip, fn.codeDir, '', files, PYTHON_CACHE);
  const buf = zip.toBuffer();
  return { zip: buf, sha256: createHash('sha256').update(buf).digest('base64'), handler: fn.localHandler ?? fn.handler ?? 'app.lambda_handler', files };
}

export async function buildFunctionZip(fn: FunctionSpec, repoRoot: string): Promise<FunctionZip> {
  const entry = fn.entryPoint ?? (fn.codeDir && fn.localHandler ? findModule(fn.codeDir, fn.localHandler) : undefined);
  if (!entry) throw new RehearseError('ERR_BAD_INPUT', `${fn.logicalId}: no handler module to bundle`);
  const exportName = (fn.localHandler ?? fn.handler ?? 'index.handler').split('.').pop()!;
  const external = ['@aws-sdk/*', '@smithy/*', ...fn.external];
  if (!external.includes('sharp')) external.push('sharp');
  const result = await esbuild().build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outfile: 'index.mjs',
    external,
    metafile: true,
    logLevel: 'silent',
    // ESM bundles of CommonJS dependencies need require(); Lambda's ESM loader has none.
    banner: { js: "import { createRequire as __rehearseCreateRequire } from 'node:module'; const require = __rehearseCreateRequire(import.meta.url);" },
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('index.mjs'));
  if (!out) throw new RehearseError('ERR_INTERNAL', `${fn.logicalId}: esbuild produced no index.mjs`);
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const zip = new (admZip())();
  const files: string[] = [];
  zip.addFile('index.mjs', Buffer.from(out.contents), '', 0o644 << 16);
  const e = zip.getEntry('index.mjs');
  if (e) e.header.time = new Date(Date.UTC(2020, 0, 1));
  files.push('index.mjs');
  if (imports.some((p) => p === 'sharp' || p.startsWith('sharp/'))) {
    // sharp as the handler itself would resolve it (from its real location), else from the repository.
    const from = path.dirname(realpathSync(entry));
    for (const name of SHARP_PACKAGES) {
      const dir = packageDir(name, from) ?? packageDir(name, repoRoot);
      if (!dir || !existsSync(dir)) {
        throw new RehearseError('ERR_BAD_INPUT', `${fn.logicalId}: ${name} is not installed; the zip needs sharp's linux-x64 build`, {
          hint: 'npm install --os=linux --cpu=x64 sharp',
        });
      }
      addDir(zip, dir, `node_modules/${name}`, files);
    }
  }
  const buf = zip.toBuffer();
  return { zip: buf, sha256: createHash('sha256').update(buf).digest('base64'), handler: `index.${exportName}`, files };
}

function findModule(dir: string, handler: string): string | undefined {
  const mod = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.ts', '.mts', '.js', '.mjs', '.cjs']) {
    const f = path.join(dir, mod + ext);
    if (existsSync(f)) return f;
  }
  return undefined;
}

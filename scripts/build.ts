/**
 * Compiles harness/ into dist/ (what the package ships): one CommonJS file
 * (see toCommonJs) and one declaration per source, the folder layout kept so every path a
 * module resolves from `import.meta.url` (service folders, runtime bootstrap
 * files, package.json, the scenario schema, docker/) is the same distance
 * away as from the sources. Runs from `prepack`; `--if-stale` skips the
 * build when dist/ was built from the same sources (a content hash).
 *
 *   npm run build                  always
 *   npx tsx scripts/build.ts --if-stale
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { commonJsMain, loadsAsCommonJs } from '../harness/runtime/commonjs-package.ts';
import { buildHash, distIsFresh, filesUnder, sourceHash as hashOfSources, stampFile } from './source-hash.mjs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(REPO_ROOT, 'dist');
const STAMP = stampFile(REPO_ROOT);

/** See source-hash.mjs: the hash of every file the package is made from. */
export function sourceHash(): string {
  return hashOfSources(REPO_ROOT);
}

export function isStale(): boolean {
  return !distIsFresh(REPO_ROOT);
}

export function build(): void {
  const hash = buildHash(REPO_ROOT);
  rmSync(DIST, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status ?? r.signal})`);
  // The runtime's bootstrap files run as they are, in the environment's own interpreter.
  cpSync(join(REPO_ROOT, 'harness/runtime/bootstrap'), join(DIST, 'runtime/bootstrap'), {
    recursive: true,
    filter: (src) => !src.includes('__pycache__') && !src.endsWith('.d.mts'),
  });
  for (const file of filesUnder(DIST)) if (file.endsWith('.js') && !file.startsWith(BOOTSTRAP)) toCommonJs(file);
  // dist/ is CommonJS whatever the package's own "type"; the bootstrap files are .mjs and stay ES modules.
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  writeFileSync(STAMP, `${hash}\n`);
}

const BOOTSTRAP = join(DIST, 'runtime/bootstrap') + sep;

/** What `import.meta` gives an ES module, for the same file as CommonJS (the banner defines the URL). */
const IMPORT_META = { 'import.meta.url': '__rehearse_import_meta_url', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' };
const IMPORT_META_BANNER = "const __rehearse_import_meta_url = require('node:url').pathToFileURL(__filename).href;";
/** esbuild's settings for one file as CommonJS. */
const TO_COMMONJS = { format: 'cjs', platform: 'node', target: 'node20', define: IMPORT_META, banner: IMPORT_META_BANNER, logLevel: 'error' } as const;

/**
 * One compiled file as CommonJS, converted alone (esbuild, no bundling: the
 * folder layout and every path found from `import.meta.url` stay as they
 * are). Why: on Node 20 V8's code cache (harness/cli/code-cache.ts) covers
 * CommonJS only, and Node loads an ES module graph file by file,
 * asynchronously. Measured on a lone `review-approved` (farm-bench, 12
 * alternating pairs, 2026-12-06): CommonJS alone wall 0.956×, with the code
 * cache 0.916× (1.20 → 1.11 s). What loads lazily still does: an `import()`
 * becomes a require made when it runs (lazyRequire); a package is required,
 * which loads its CommonJS build where it has one, and the build fails on a
 * package that has none (a require of an ES module needs Node ≥ 20.19; the
 * package allows 20.15). The
 * bootstrap's ES modules the CLI requires get a CommonJS twin beside them.
 */
export function toCommonJs(file: string): void {
  const { code } = transformSync(readFileSync(file, 'utf8'), { ...TO_COMMONJS, sourcefile: file });
  const out = code.replace(/require\("(\.[^"]*)\.mjs"\)/g, (_whole, base: string) => {
    const twin = join(dirname(file), `${base}.cjs`);
    if (!existsSync(twin)) writeFileSync(twin, transformSync(readFileSync(join(dirname(file), `${base}.mjs`), 'utf8'), TO_COMMONJS).code);
    return `require(${JSON.stringify(`${base}.cjs`)})`;
  });
  for (const [, pkg] of out.matchAll(/require\("([^".][^"]*)"\)/g)) {
    if (pkg!.startsWith('node:') || isBuiltin(pkg!)) continue;
    const resolved = createRequire(file).resolve(pkg!);
    if (!loadsAsCommonJs(resolved)) throw new Error(`${file.slice(DIST.length + 1)} imports ${pkg}, which has no CommonJS build: import it with import() where it is used`);
  }
  writeFileSync(file, lazySdkPackages(out.replace(/\bimport\("([^"]+)"\)/g, (whole, spec: string) => lazyRequire(file, spec) ?? whole)));
}

/**
 * A file's AWS SDK packages (`var import_client_s3 = require("@aws-sdk/client-s3")`)
 * required when the file first reads from one, not when it loads: esbuild's
 * output reads every imported name through that variable where it is used
 * (`new import_client_s3.PutObjectCommand(…)`), so a stand-in that requires
 * the package on first access behaves as the package does. A run loads the
 * deploy and scenario code of every service while a project's template uses
 * some: a client is 5–35 ms to load (S3's the most), the first ≈ 70 with the
 * SDK's shared core. Only the client packages and those made of them, which
 * do nothing when they load.
 */
const SDK_REQUIRE = /^var (import_[\w$]+) = require\("(@aws-sdk\/(?:client-[\w-]+|lib-dynamodb|s3-presigned-post|s3-request-presigner))"\);$/gm;
const LAZY_HELPER =
  'var __rehearse_lazy = (load) => { let m; const get = () => (m ??= load()); return new Proxy({}, { get: (_, k) => get()[k], has: (_, k) => k in get(), ownKeys: () => Reflect.ownKeys(get()), getOwnPropertyDescriptor: (_, k) => { const d = Reflect.getOwnPropertyDescriptor(get(), k); return d && { ...d, configurable: true }; } }); };';

function lazySdkPackages(code: string): string {
  let lazy = false;
  const replaced = code.replace(SDK_REQUIRE, (_whole, name: string, pkg: string) => {
    lazy = true;
    return `var ${name} = __rehearse_lazy(() => require(${JSON.stringify(pkg)}));`;
  });
  if (!lazy) return code;
  // After the banner line, before the file's own code.
  const firstLineEnd = replaced.indexOf('\n') + 1;
  return `${replaced.slice(0, firstLineEnd)}${LAZY_HELPER}\n${replaced.slice(firstLineEnd)}`;
}

/**
 * An `import()` that a require loads alike, as a require still made when the
 * branch runs: another compiled file, a builtin, or a package whose import is
 * its CommonJS main (commonJsMain; the namespace keeps `default` =
 * module.exports, as Node gives it). An import() would send the file through
 * Node's ES module loader, which parses it twice more (cjs-module-lexer for its
 * named exports, and module-syntax detection) — the AWS SDK clients are large.
 * Anything else (an ES-module-only package: execa) stays an import().
 */
function lazyRequire(file: string, spec: string): string | undefined {
  const required = `require(${JSON.stringify(spec)})`;
  if (spec.startsWith('.')) return spec.endsWith('.js') && existsSync(join(dirname(file), spec)) ? `Promise.resolve().then(() => ${required})` : undefined;
  if (isBuiltin(spec)) return `Promise.resolve().then(() => ${required})`;
  if (!commonJsMain(spec, file)) return undefined;
  return `Promise.resolve().then(() => { const m = ${required}; return { ...m, default: m }; })`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !isStale()) {
    process.stdout.write(`dist/ is up to date (${buildHash(REPO_ROOT)})\n`);
  } else {
    build();
    process.stdout.write(`built dist/ (${buildHash(REPO_ROOT)})\n`);
  }
}

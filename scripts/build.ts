/**
 * Compiles harness/ into dist/ (what the package ships): one JavaScript file
 * and one declaration per source, the folder layout kept so every path a
 * module resolves from `import.meta.url` (service folders, runtime bootstrap
 * files, package.json, the scenario schema, docker/) is the same distance
 * away as from the sources. Runs from `prepack`; `--if-stale` skips the
 * build when dist/ was built from the same sources (a content hash).
 *
 *   npm run build                  always
 *   npx tsx scripts/build.ts --if-stale
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonJsMain } from '../harness/runtime/commonjs-package.ts';
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
  for (const file of filesUnder(DIST)) if (file.endsWith('.js')) requireCommonJsPackages(file);
  writeFileSync(STAMP, `${hash}\n`);
}

/** `import { a, b as c } from 'pkg';` / `import d from 'pkg';` as tsc emits them, one per line. */
const PACKAGE_IMPORT = /^import (?:\{([^}]*)\}|([A-Za-z_$][\w$]*)) from '([^'./][^']*)';$/gm;

/**
 * The compiled CLI requires the CommonJS packages it imports (the AWS SDK
 * clients, …) where a require loads what the import would
 * (harness/runtime/commonjs-package.ts): Node otherwise parses each one twice
 * more to import it, about 100 ms of every `rehearse run`'s start. Named
 * imports become a destructuring, a default import module.exports (what Node
 * gives an ES module for a CommonJS default); line numbers are kept. The
 * rule is applied to the locked versions; a later release of such a package
 * that adds `exports` still loads, as its CommonJS build.
 */
export function requireCommonJsPackages(file: string): void {
  const text = readFileSync(file, 'utf8');
  let changed = false;
  const out = text.replace(PACKAGE_IMPORT, (whole, named: string | undefined, name: string | undefined, pkg: string) => {
    if (!commonJsMain(pkg, file)) return whole;
    changed = true;
    const target = named === undefined ? name! : `{ ${named.split(',').map((n) => n.trim()).filter(Boolean).map((n) => n.replace(/\s+as\s+/, ': ')).join(', ')} }`;
    return `const ${target} = __rehearse_require(${JSON.stringify(pkg)});`;
  });
  if (!changed) return;
  const header = "import { createRequire as __rehearse_createRequire } from 'node:module'; const __rehearse_require = __rehearse_createRequire(import.meta.url); ";
  writeFileSync(file, header + out);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && !isStale()) {
    process.stdout.write(`dist/ is up to date (${buildHash(REPO_ROOT)})\n`);
  } else {
    build();
    process.stdout.write(`built dist/ (${buildHash(REPO_ROOT)})\n`);
  }
}

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
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonJsMain } from '../harness/runtime/commonjs-package.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(REPO_ROOT, 'dist');
const STAMP = join(DIST, '.source-hash');

/** What the build reads, besides harness/: a change to any of them changes the output. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts'];

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '__pycache__' || entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** package.json `files` other than dist/: shipped as they are. */
function shippedAsIs(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files?: string[] };
  return (pkg.files ?? []).map((f) => f.replace(/\/$/, '')).filter((f) => f !== 'dist');
}

/**
 * A hash of every file the package is made from (the sources, the build's
 * configuration, and what package.json `files` ships as it is): the same
 * hash, the same package.
 */
export function sourceHash(): string {
  const files = [...new Set([...BUILD_INPUTS, 'harness', ...shippedAsIs()])]
    .map((f) => join(REPO_ROOT, f))
    .filter((f) => existsSync(f))
    .flatMap((f) => (statSync(f).isDirectory() ? filesUnder(f) : [f]));
  const h = createHash('sha256');
  for (const f of files) h.update(relative(REPO_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function isStale(): boolean {
  return !existsSync(STAMP) || readFileSync(STAMP, 'utf8').trim() !== sourceHash();
}

export function build(): void {
  const hash = sourceHash();
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
    process.stdout.write(`dist/ is up to date (${sourceHash()})\n`);
  } else {
    build();
    process.stdout.write(`built dist/ (${sourceHash()})\n`);
  }
}

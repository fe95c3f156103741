// The content hashes of the package and of what dist/ is built from (plain JavaScript: bin/rehearse.mjs
// reads it before any TypeScript loader exists). scripts/build.ts writes it
// into dist/.source-hash; a checkout runs dist/ only while the two agree.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What the build reads, besides harness/: a change to any of them changes the output. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts', 'scripts/source-hash.mjs'];

/** Every file under `dir` (no node_modules, no __pycache__), sorted. */
export function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '__pycache__' || entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** package.json `files` other than dist/: shipped as they are. */
function shippedAsIs(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return (pkg.files ?? []).map((f) => f.replace(/\/$/, '')).filter((f) => f !== 'dist');
}

function hashOf(root, entries) {
  const files = [...new Set(entries)]
    .map((f) => join(root, f))
    .filter((f) => existsSync(f))
    .flatMap((f) => (statSync(f).isDirectory() ? filesUnder(f) : [f]));
  const h = createHash('sha256');
  for (const f of files) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * A hash of every file the package is made from (the sources, the build's
 * configuration, and what package.json `files` ships as it is): the same
 * hash, the same package.
 */
export function sourceHash(root) {
  return hashOf(root, [...BUILD_INPUTS, 'harness', ...shippedAsIs(root)]);
}

/** A hash of what dist/ is compiled from (the sources and the build's configuration; not the docs). */
export function buildHash(root) {
  return hashOf(root, [...BUILD_INPUTS, 'harness']);
}

/** The file in dist/ holding the hash it was built from. */
export function stampFile(root) {
  return join(root, 'dist', '.source-hash');
}

/** dist/ was built from exactly the sources in `root`. */
export function distIsFresh(root) {
  const stamp = stampFile(root);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === buildHash(root);
}

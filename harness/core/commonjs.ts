/**
 * Loads a package's CommonJS build instead of its ES module build. On Node 20
 * V8's code cache reaches CommonJS files only (harness/cli/code-cache.ts), and
 * several packages' ES module builds are many files where the CommonJS build
 * is one: fast-xml-parser's is eleven files and three more packages. Measured
 * cold, a fresh process each (2026-12-06): fast-xml-parser 34 → 5.5 ms, sharp
 * 94 → 35 ms, csv-parse 13 → 5 ms, smol-toml 10 → 3.4 ms, jsonpath-plus
 * 7 → 4 ms, before the code cache. The packages resolve from this checkout's
 * node_modules either way, so the caller's location does not matter.
 */
import { createRequire } from 'node:module';

export const requireCommonJs: NodeJS.Require = createRequire(import.meta.url);

/**
 * adm-zip, loaded when a zip is first read or written (≈ 10 ms to load): a
 * run whose functions and layers are local code folders (the embedded
 * backend) never needs it.
 */
export function admZip(): typeof import('adm-zip') {
  return requireCommonJs('adm-zip') as typeof import('adm-zip');
}

/**
 * esbuild, loaded when something is compiled or bundled (≈ 6 ms to load):
 * a run whose compiled handlers and stripped types are all in the cache
 * folder needs only its version, for their keys ({@link esbuildVersion}).
 */
export function esbuild(): typeof import('esbuild') {
  return requireCommonJs('esbuild') as typeof import('esbuild');
}

/** esbuild's version (what its `version` export says), read from its package.json without loading it. */
export function esbuildVersion(): string {
  return (requireCommonJs('esbuild/package.json') as { version: string }).version;
}

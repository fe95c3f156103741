/**
 * When importing a package and requiring it are sure to load the same
 * CommonJS file, so a `require` can stand in for the import (which costs Node
 * two more parses of the file: cjs-module-lexer for its named exports, and
 * module-syntax detection): a bare package name (a subpath would resolve
 * without extension probing under ESM), a package.json without `exports`
 * (both resolutions are then its `main`), and a file Node loads as CommonJS.
 * Used for handler bundles (precompile.ts) and the compiled CLI (scripts/build.ts).
 * https://nodejs.org/api/esm.html#commonjs-namespaces
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A bare package name (`sharp`, `@aws-sdk/client-s3`). */
export const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

/**
 * Whether Node loads `file` as CommonJS: a .cjs file, or a .js file whose
 * nearest package.json (a dist-cjs/package.json of its own counts) is not
 * `"type": "module"`; an unreadable one says no.
 */
export function loadsAsCommonJs(file: string): boolean {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let d = path.dirname(file); path.dirname(d) !== d; d = path.dirname(d)) {
    const manifest = path.join(d, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
    } catch {
      return false;
    }
  }
  return true;
}

/** The file `name` resolves to from `importer` (a file path) when a require of it loads what an import would. */
export function commonJsMain(name: string, importer: string): string | undefined {
  if (!PACKAGE_NAME.test(name)) return undefined;
  let file: string;
  try {
    file = createRequire(importer).resolve(name);
  } catch {
    return undefined;
  }
  if (!path.isAbsolute(file) || !loadsAsCommonJs(file)) return undefined;
  // The named package's manifest decides the exports.
  for (let d = path.dirname(file); path.dirname(d) !== d; d = path.dirname(d)) {
    const manifest = path.join(d, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; exports?: unknown };
      if (pkg.name === undefined) continue;
      return pkg.exports === undefined ? file : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

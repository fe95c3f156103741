/**
 * The rehearse image installs `npm ci --omit=dev` and a user installs the
 * package without our devDependencies: every package that harness/ or
 * lambdas/ imports at run time must be a production dependency, or the
 * container (or `npx rehearse`) dies on start or on the first Lambda
 * invocation. Type-only imports are erased and do not count. An optional peer
 * dependency counts: the code that imports it says what to install when it is
 * missing (testcontainers, harness/backends/launcher.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/backends/images.ts';

const IMPORT = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Bare package names a source file loads at run time. */
export function runtimePackages(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!spec || spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return [...names];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' ? [] : sources(p);
    return /\.(ts|mts|cts|mjs|cjs|js)$/.test(f) ? [p] : [];
  });
}

describe('runtime dependencies of the image', () => {
  it('the scanner sees value imports, dynamic imports and requires, not type-only imports', () => {
    const src = [
      "import type { Foo } from 'only-types';",
      "import { a,\n  b } from '@scope/pkg/sub';",
      "import sharp from 'sharp';",
      "export { x } from 'reexported';",
      "const m = await import('dynamic-pkg');",
      "import 'side-effect';",
      "import { readFile } from 'node:fs';",
      "import { join } from 'path';",
      "import { y } from './local.ts';",
      "const c = require('cjs-pkg');",
    ].join('\n');
    expect(runtimePackages(src).sort()).toEqual(['@scope/pkg', 'cjs-pkg', 'dynamic-pkg', 'reexported', 'sharp', 'side-effect']);
  });

  it('every package harness/ and lambdas/ load is in package.json "dependencies"', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const optionalPeers = Object.keys(pkg.peerDependenciesMeta ?? {}).filter((n) => pkg.peerDependenciesMeta![n]!.optional);
    const missing: string[] = [];
    for (const file of [...sources(join(REPO_ROOT, 'harness')), ...sources(join(REPO_ROOT, 'lambdas'))]) {
      for (const name of runtimePackages(readFileSync(file, 'utf8'))) {
        if (!(name in pkg.dependencies) && !optionalPeers.includes(name)) missing.push(`${name} (imported by ${relative(REPO_ROOT, file)})`);
      }
    }
    expect(missing, 'move these to "dependencies" or the image cannot load them').toEqual([]);
  });
});

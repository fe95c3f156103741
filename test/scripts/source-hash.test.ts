/**
 * When a checkout's `rehearse` runs the compiled dist/ instead of the sources
 * (bin/rehearse.mjs): only while dist/.source-hash names exactly the sources
 * and build configuration beside it. A docs edit changes the package's hash
 * but not what dist/ is compiled from.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHash, distIsFresh, sourceHash, stampFile } from '../../scripts/source-hash.mjs';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function checkout(): string {
  root = mkdtempSync(join(tmpdir(), 'rehearse-source-hash-'));
  mkdirSync(join(root, 'harness/cli'), { recursive: true });
  mkdirSync(join(root, 'docs'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'x', files: ['dist/', 'docs/'] }));
  writeFileSync(join(root, 'harness/cli/entry.ts'), 'export {};\n');
  writeFileSync(join(root, 'docs/a.md'), '# a\n');
  return root;
}

describe('distIsFresh', () => {
  it('holds for the hash the build wrote, and no longer once a source or the build configuration changes', () => {
    const dir = checkout();
    expect(distIsFresh(dir)).toBe(false); // never built
    writeFileSync(stampFile(dir), `${buildHash(dir)}\n`);
    expect(distIsFresh(dir)).toBe(true);
    writeFileSync(join(dir, 'harness/cli/entry.ts'), 'export const edited = 1;\n');
    expect(distIsFresh(dir)).toBe(false);
    writeFileSync(stampFile(dir), `${buildHash(dir)}\n`);
    writeFileSync(join(dir, 'harness/cli/new.ts'), 'export {};\n');
    expect(distIsFresh(dir)).toBe(false);
    writeFileSync(stampFile(dir), `${buildHash(dir)}\n`);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', files: ['dist/', 'docs/'], version: '2.0.0' }));
    expect(distIsFresh(dir)).toBe(false);
  });

  it('ignores the docs, which the package hash counts', () => {
    const dir = checkout();
    writeFileSync(stampFile(dir), `${buildHash(dir)}\n`);
    const packageHash = sourceHash(dir);
    writeFileSync(join(dir, 'docs/a.md'), '# a, edited\n');
    expect(distIsFresh(dir)).toBe(true);
    expect(sourceHash(dir)).not.toBe(packageHash);
  });
});

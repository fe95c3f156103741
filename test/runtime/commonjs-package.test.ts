/**
 * A require stands in for an import only where both load the same CommonJS
 * file (harness/runtime/commonjs-package.ts), and the compiled CLI's imports
 * are rewritten by that rule (scripts/build.ts) into code that gives the
 * values Node's import would.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonJsMain } from '../../harness/runtime/commonjs-package.ts';
import { requireCommonJsPackages } from '../../scripts/build.ts';

let root: string;
const PACKAGES: Record<string, Record<string, string>> = {
  legacy: { 'package.json': JSON.stringify({ name: 'legacy', main: 'lib/index.js' }), 'lib/index.js': 'exports.hello = () => "hi"; exports.n = 1;\n' },
  'nested-type': {
    'package.json': JSON.stringify({ name: 'nested-type', type: 'module', main: 'dist-cjs/index.js' }),
    'dist-cjs/package.json': JSON.stringify({ type: 'commonjs' }),
    'dist-cjs/index.js': 'module.exports = function nested() { return "nested"; };\n',
  },
  dual: { 'package.json': JSON.stringify({ name: 'dual', exports: { import: './e.mjs', require: './c.cjs' } }), 'e.mjs': 'export const which = "esm";\n', 'c.cjs': 'exports.which = "cjs";\n' },
  esm: { 'package.json': JSON.stringify({ name: 'esm', type: 'module', main: 'index.js' }), 'index.js': 'export const which = "esm";\n' },
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rehearse-cjs-'));
  await writeFile(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const [name, files] of Object.entries(PACKAGES)) {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(root, 'node_modules', name, file, '..'), { recursive: true });
      await writeFile(join(root, 'node_modules', name, file), text);
    }
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('commonJsMain', () => {
  it('names the CommonJS main of a package without exports, and nothing else', () => {
    const importer = join(root, 'index.js');
    expect(commonJsMain('legacy', importer)).toBe(join(root, 'node_modules/legacy/lib/index.js'));
    expect(commonJsMain('nested-type', importer)).toBe(join(root, 'node_modules/nested-type/dist-cjs/index.js'));
    expect(commonJsMain('dual', importer)).toBeUndefined();
    expect(commonJsMain('esm', importer)).toBeUndefined();
    expect(commonJsMain('legacy/lib/index.js', importer)).toBeUndefined();
    expect(commonJsMain('fs', importer)).toBeUndefined();
    expect(commonJsMain('missing', importer)).toBeUndefined();
  });
});

describe('the compiled CLI requires CommonJS packages', () => {
  it('rewrites named and default imports of them, keeps the rest and the line numbers, and the module gives what the import gave', async () => {
    const file = join(root, 'compiled.js');
    const source = [
      "import { hello, n as count } from 'legacy';",
      "import nested from 'nested-type';",
      "import { which } from 'dual';",
      "import { which as esmWhich } from 'esm';",
      "import path from 'node:path';",
      'export const values = { hello: hello(), count, nested: nested(), which, esmWhich, sep: path.sep };',
      '',
    ].join('\n');
    await writeFile(file, source);
    requireCommonJsPackages(file);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(source.split('\n').length);
    expect(text).toContain('const { hello, n: count } = __rehearse_require("legacy");');
    expect(text).toContain('const nested = __rehearse_require("nested-type");');
    expect(text).toContain("import { which } from 'dual';");
    expect(text).toContain("import { which as esmWhich } from 'esm';");
    const { values } = (await import(pathToFileURL(file).href)) as { values: unknown };
    expect(values).toEqual({ hello: 'hi', count: 1, nested: 'nested', which: 'esm', esmWhich: 'esm', sep: '/' });
  });
});

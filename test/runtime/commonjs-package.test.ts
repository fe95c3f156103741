/**
 * A require stands in for an import only where both load the same CommonJS
 * file (harness/runtime/commonjs-package.ts, for handler bundles), and the
 * compiled CLI is CommonJS file by file (scripts/build.ts) with each file's
 * own import.meta, and each import() still made when it runs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonJsMain } from '../../harness/runtime/commonjs-package.ts';
import { toCommonJs } from '../../scripts/build.ts';

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
  '@aws-sdk/client-fake': {
    'package.json': JSON.stringify({ name: '@aws-sdk/client-fake', main: 'index.js' }),
    'index.js': 'globalThis.fakeClientLoads = (globalThis.fakeClientLoads ?? 0) + 1;\nclass FakeCommand { constructor(input) { this.input = input; } }\nexports.FakeCommand = FakeCommand;\nexports.region = "us-east-1";\n',
  },
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

describe('the compiled CLI is CommonJS (scripts/build.ts toCommonJs)', () => {
  it("keeps each file's import.meta, requires a package's CommonJS build, and loads an import() when it runs — as a require where a require loads the same file", async () => {
    const dir = join(root, 'cjs');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    await writeFile(join(dir, 'lazy.js'), "globalThis.lazyLoads = (globalThis.lazyLoads ?? 0) + 1;\nexport const lazy = 'loaded when asked';\n");
    const file = join(dir, 'compiled.js');
    await writeFile(
      file,
      [
        "import { hello } from 'legacy';",
        "import { which } from 'dual';",
        'export const values = { hello: hello(), which, url: import.meta.url, dir: import.meta.dirname };',
        "export const later = () => import('./lazy.js');",
        "export const packages = async () => { const [legacy, esm, fs] = await Promise.all([import('legacy'), import('esm'), import('node:fs')]); return { hello: legacy.hello(), defaultHello: legacy.default.hello(), esm: esm.which, fs: typeof fs.readFileSync }; };",
        '',
      ].join('\n'),
    );
    for (const f of [file, join(dir, 'lazy.js')]) toCommonJs(f);
    const text = await readFile(file, 'utf8');
    // Another compiled file, a builtin and a CommonJS package: required (no ES module loader); an ES-module-only package stays an import().
    expect(text).not.toMatch(/\bimport\("(\.\/lazy\.js|legacy|node:fs)"\)/);
    expect(text).toMatch(/\bimport\("esm"\)/);
    const mod = createRequire(file)(file) as { values: unknown; later(): Promise<{ lazy: string }>; packages(): Promise<unknown> };
    expect(mod.values).toEqual({ hello: 'hi', which: 'cjs', url: pathToFileURL(file).href, dir });
    const loads = () => (globalThis as { lazyLoads?: number }).lazyLoads ?? 0;
    expect(loads()).toBe(0);
    const pending = mod.later();
    expect(loads()).toBe(0);
    expect((await pending).lazy).toBe('loaded when asked');
    expect(loads()).toBe(1);
    // The namespace an import() would give: named exports, and default = module.exports.
    expect(await mod.packages()).toEqual({ hello: 'hi', defaultHello: 'hi', esm: 'esm', fs: 'function' });
  });

  it('requires an AWS SDK client package when the file first uses it, not when the file loads', async () => {
    const file = join(root, 'cjs', 'sdk-user.js');
    await writeFile(
      file,
      [
        "import { FakeCommand, region } from '@aws-sdk/client-fake';",
        'export const make = (input) => new FakeCommand(input);',
        'export const isCommand = (x) => x instanceof FakeCommand;',
        'export const where = () => region;',
        '',
      ].join('\n'),
    );
    toCommonJs(file);
    const loads = () => (globalThis as { fakeClientLoads?: number }).fakeClientLoads ?? 0;
    const mod = createRequire(file)(file) as { make(i: unknown): { input: unknown }; isCommand(x: unknown): boolean; where(): string };
    expect(loads()).toBe(0);
    const command = mod.make({ Bucket: 'b' });
    expect(loads()).toBe(1);
    expect(command.input).toEqual({ Bucket: 'b' });
    expect(mod.isCommand(command)).toBe(true);
    expect(mod.isCommand({})).toBe(false);
    expect(mod.where()).toBe('us-east-1');
    expect(loads()).toBe(1);
  });

  it('fails the build on a package that has no CommonJS build, naming it', async () => {
    const file = join(root, 'cjs', 'esm-user.js');
    await writeFile(file, "import { which } from 'esm';\nexport const w = which;\n");
    expect(() => toCommonJs(file)).toThrow(/imports esm, which has no CommonJS build/);
  });
});

/**
 * The Node bootstrap's code cache (harness/runtime/bootstrap/compile-cache.mjs):
 * a package required in a later process runs from V8's cached code with the
 * same results as Node's own loader gives — module scope, require.resolve,
 * errors naming the file — and what is not a package file, imports, or
 * names a source map is left to Node. Each run is a new
 * Node process, as each cold start is.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const COMPILE_CACHE = join(dirname(fileURLToPath(import.meta.url)), '../../harness/runtime/bootstrap/compile-cache.mjs');

let root: string;
let store: string;

const FILES: Record<string, string> = {
  'node_modules/lib/package.json': JSON.stringify({ name: 'lib', main: 'index.js' }),
  'node_modules/lib/index.js': [
    "const helper = require('./helper.js');",
    'let calls = 0;',
    'exports.where = () => ({ file: __filename, dir: __dirname, resolved: require.resolve("./helper.js"), paths: Array.isArray(require.resolve.paths("x")), self: module.exports === exports, cached: require.cache[__filename] === module });',
    'exports.count = () => ++calls;',
    'exports.helper = helper;',
    "exports.later = require('./dynamic.js').later;",
    "exports.fail = () => { throw new Error('from lib'); };",
    '',
  ].join('\n'),
  'node_modules/lib/helper.js': 'module.exports = { name: "helper", twice: (n) => n * 2 };\n',
  'node_modules/lib/dynamic.js': "exports.later = () => import('./later.mjs').then((m) => m.value);\n",
  'node_modules/lib/later.mjs': 'export const value = "imported later";\n',
  'node_modules/lib/mapped.js': 'exports.mapped = true;\n//# sourceMappingURL=mapped.js.map\n',
  'node_modules/esm-in-js/package.json': JSON.stringify({ name: 'esm-in-js', main: 'index.js' }),
  // ES module syntax in a .js file of a package without "type": Node detects it and require() gives its namespace.
  'node_modules/esm-in-js/index.js': 'export const syntax = "module";\n',
  // An ES module by its package's "type" that would also parse as a script: `this` tells which it ran as.
  'node_modules/esm-typed/package.json': JSON.stringify({ name: 'esm-typed', type: 'module', main: 'index.js' }),
  'node_modules/esm-typed/index.js': 'globalThis.ranAsModule = this === undefined;\n',
  'own.cjs': 'module.exports = { own: true };\n',
  // Outside node_modules, under the folder given as `ownCode` (the compiled CLI's dist/ in a checkout).
  'own-code/code.cjs': 'module.exports = { file: __filename };\n',
};

const SCRIPT = (cache: string) => `
import { installCompileCache } from ${JSON.stringify(pathToFileURL(COMPILE_CACHE).href)};
import { createRequire } from 'node:module';
const cc = process.env.NODE_ONLY ? undefined : installCompileCache(process.env.STORE ?? ${JSON.stringify(cache)}, process.env.OWN_CODE);
const require = createRequire(${JSON.stringify(join('ROOT', 'entry.cjs'))}.replace('ROOT', process.argv[2]));
const lib = require('lib');
let error;
try { lib.fail(); } catch (e) { error = e.stack.split('\\n').slice(0, 2).join('\\n'); }
const out = {
  where: lib.where(),
  counts: [lib.count(), lib.count()],
  helper: lib.helper.twice(21),
  later: await lib.later(),
  error,
  mapped: require('lib/mapped.js').mapped,
  esmInJs: require('esm-in-js').syntax,
  own: require('./own.cjs').own,
  ownCode: require('./own-code/code.cjs').file,
  esmTyped: (require('esm-typed'), globalThis.ranAsModule),
};
cc?.flush();
console.log(JSON.stringify({ out, cache: cc?.counts() }));
`;

interface RunResult {
  out: Record<string, unknown>;
  cache: { read: number; compiled: number };
}

async function run(nodeOnly = false, env: Record<string, string> = {}): Promise<RunResult> {
  const script = join(root, 'script.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [script, root], { env: { ...process.env, ...(nodeOnly ? { NODE_ONLY: '1' } : {}), ...env } });
  return JSON.parse(stdout) as RunResult;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rehearse-compile-cache-'));
  store = join(root, 'store');
  for (const [rel, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  await writeFile(join(root, 'script.mjs'), SCRIPT(store));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the Node bootstrap code cache', () => {
  it('runs packages from the cache in the next process with the results Node gives, and leaves the rest to Node', async () => {
    const node = (await run(true)).out;
    const first = await run();
    // lib/index.js and lib/helper.js; not the file with an import(), the mapped one, the ES modules, or own.cjs (outside node_modules).
    expect(first.cache).toEqual({ read: 0, compiled: 2 });
    expect(first.out).toEqual(node);
    expect(node).toEqual({
      where: { file: join(root, 'node_modules/lib/index.js'), dir: join(root, 'node_modules/lib'), resolved: join(root, 'node_modules/lib/helper.js'), paths: true, self: true, cached: true },
      counts: [1, 2],
      helper: 42,
      later: 'imported later',
      error: expect.stringMatching(new RegExp(`^Error: from lib\n    at exports.fail \\(${join(root, 'node_modules/lib/index.js')}:7:\\d+\\)$`)),
      mapped: true,
      esmInJs: 'module',
      own: true,
      ownCode: join(root, 'own-code/code.cjs'),
      esmTyped: true,
    });
    expect((await readdir(store)).length).toBe(2);

    const second = await run();
    expect(second.cache).toEqual({ read: 2, compiled: 0 });
    expect(second.out).toEqual(first.out);
  });

  it('caches the files under the folder named as its own code too, and only those besides packages', async () => {
    const env = { STORE: join(root, 'store-own'), OWN_CODE: join(root, 'own-code') };
    const first = await run(false, env);
    // lib/index.js, lib/helper.js and own-code/code.cjs; own.cjs is outside both.
    expect(first.cache).toEqual({ read: 0, compiled: 3 });
    const second = await run(false, env);
    expect(second.cache).toEqual({ read: 3, compiled: 0 });
    expect(second.out).toEqual(first.out);
    expect(second.out.ownCode).toBe(join(root, 'own-code/code.cjs'));
  });

  it('compiles again and rewrites an entry V8 rejects', async () => {
    await run();
    const [entry] = await readdir(store);
    await writeFile(join(store, entry!), 'not a code cache');
    const again = await run();
    expect(again.cache).toEqual({ read: 1, compiled: 1 });
    expect((await run()).cache).toEqual({ read: 2, compiled: 0 });
  });
});

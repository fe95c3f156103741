/**
 * TypeScript handlers compiled ahead of the cold start (harness/runtime/precompile.ts):
 * the cache, what makes it fall back to tsx, and — in real execution
 * environments — that the handler behaves as it did under tsx (import.meta,
 * stack traces into the .ts source, edits picked up).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerCompiler } from '../../harness/runtime/precompile.ts';
import { startRuntime, type RuntimeFixture } from './support.ts';

let root: string;

/** A code directory with its own node_modules (where the cache goes) and "type": "module". */
async function codeDir(name: string, files: Record<string, string>, pkg: Record<string, unknown> = { type: 'module' }): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rehearse-precompile-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('HandlerCompiler', () => {
  it('builds once into node_modules/.cache, then reuses the bundle until a source file changes', async () => {
    const dir = await codeDir('cache', {
      'index.ts': "import { greet } from './lib/greet.ts';\nexport const handler = async (): Promise<string> => greet('cache');\n",
      'lib/greet.ts': 'export const greet = (who: string): string => `hello ${who}`;\n',
    });
    const compiler = new HandlerCompiler();
    const first = await compiler.compile(join(dir, 'index.ts'));
    expect(first.kind).toBe('built');
    if (first.kind === 'fallback') throw new Error(first.reason);
    expect(first.module.startsWith(join(dir, 'node_modules', '.cache', 'rehearse-lambda'))).toBe(true);
    expect(await (await import(pathToFileURL(first.module).href)).handler()).toBe('hello cache');

    // A new compiler (another harness process) finds it too.
    expect(await new HandlerCompiler().compile(join(dir, 'index.ts'))).toEqual({ kind: 'hit', module: first.module, nativeImports: true });

    await writeFile(join(dir, 'lib/greet.ts'), 'export const greet = (who: string): string => `goodbye ${who}`;\n');
    const edited = await compiler.compile(join(dir, 'index.ts'));
    expect(edited.kind).toBe('built');
    if (edited.kind === 'fallback') throw new Error(edited.reason);
    expect(edited.module).not.toBe(first.module);
    expect(await (await import(pathToFileURL(edited.module).href)).handler()).toBe('goodbye cache');
    // The superseded bundle stays (an environment starting from it right now must still find it).
    expect(existsSync(first.module)).toBe(true);
  });

  it('requires a CommonJS package without exports (cheaper than Node importing it), and imports every other package', async () => {
    const dir = await codeDir('packages', {
      'index.ts': [
        "import legacy, { hello, counter } from 'legacy-cjs';",
        "import * as ns from 'legacy-cjs';",
        "import { dual } from 'dual';",
        "import { esm } from 'pure-esm';",
        'export const handler = async () => ({ hello: hello(), counter: counter(), same: legacy.hello === hello, ns: typeof ns.hello, dual, esm });',
        '',
      ].join('\n'),
      'node_modules/legacy-cjs/package.json': JSON.stringify({ name: 'legacy-cjs', main: './dist/index.js' }),
      'node_modules/legacy-cjs/dist/index.js': 'let n = 0;\nexports.hello = () => "hi";\nexports.counter = () => ++n;\n',
      'node_modules/dual/package.json': JSON.stringify({ name: 'dual', exports: { import: './esm.mjs', require: './cjs.cjs' } }),
      'node_modules/dual/esm.mjs': 'export const dual = "esm build";\n',
      'node_modules/dual/cjs.cjs': 'exports.dual = "cjs build";\n',
      'node_modules/pure-esm/package.json': JSON.stringify({ name: 'pure-esm', type: 'module', main: 'index.js' }),
      'node_modules/pure-esm/index.js': 'export const esm = "esm";\n',
    });
    const built = await new HandlerCompiler().compile(join(dir, 'index.ts'));
    if (built.kind === 'fallback') throw new Error(built.reason);
    const text = await readFile(built.module, 'utf8');
    expect(text).toContain(`__rehearse_require(${JSON.stringify(join(dir, 'node_modules/legacy-cjs/dist/index.js'))})`);
    expect(text).toMatch(/from "dual"/);
    expect(text).toMatch(/from "pure-esm"/);
    // What Node gives when it imports the files one by one: the ESM build of a dual package, module.exports as default.
    const mod = (await import(pathToFileURL(built.module).href)) as { handler(): Promise<unknown> };
    expect(await mod.handler()).toEqual({ hello: 'hi', counter: 1, same: true, ns: 'function', dual: 'esm build', esm: 'esm' });

    // The required file is an input: an upgraded (or removed) package rebuilds the bundle.
    expect(await new HandlerCompiler().compile(join(dir, 'index.ts'))).toEqual({ kind: 'hit', module: built.module, nativeImports: true });
    await writeFile(join(dir, 'node_modules/legacy-cjs/dist/index.js'), 'exports.hello = () => "upgraded";\nexports.counter = () => 0;\n');
    expect((await new HandlerCompiler().compile(join(dir, 'index.ts'))).kind).toBe('built');
  });

  it('says whether every package the bundle imports resolves from its node_modules (the bootstrap then starts without its resolve hook)', async () => {
    const dir = await codeDir('native', {
      'index.ts': "import { esm } from 'pure-esm';\nimport { readFileSync } from 'fs';\nexport const handler = async () => [esm, typeof readFileSync];\n",
      'node_modules/pure-esm/package.json': JSON.stringify({ name: 'pure-esm', type: 'module', main: 'index.js' }),
      'node_modules/pure-esm/index.js': 'export const esm = "esm";\n',
    });
    const built = await new HandlerCompiler().compile(join(dir, 'index.ts'));
    if (built.kind === 'fallback') throw new Error(built.reason);
    // A builtin by its bare name is not a package.
    expect(built.nativeImports).toBe(true);
    // Removed from the code's node_modules (found, say, only in a layer now): the hook is needed again, with the bundle unchanged.
    await rm(join(dir, 'node_modules/pure-esm'), { recursive: true });
    expect(await new HandlerCompiler().compile(join(dir, 'index.ts'))).toEqual({ kind: 'hit', module: built.module, nativeImports: false });
  });

  it('shares one build between concurrent cold starts', async () => {
    const dir = await codeDir('concurrent', { 'index.ts': 'export const handler = async (): Promise<number> => 1;\n' });
    const compiler = new HandlerCompiler();
    const outcomes = await Promise.all([1, 2, 3].map(() => compiler.compile(join(dir, 'index.ts'))));
    expect(outcomes.map((o) => o.kind)).toEqual(['built', 'built', 'built']);
    expect(new Set(outcomes.map((o) => (o.kind === 'fallback' ? '' : o.module))).size).toBe(1);
  });

  it.each([
    ['a CommonJS package (tsx compiles it as CommonJS)', {}, 'export const handler = async (): Promise<number> => 1;\n', /not an ES module/],
    ['an import() of a computed path', { type: 'module' }, 'export const handler = async (e: { name: string }): Promise<unknown> => {\n  const spec = `./parts/${e.name}.ts`;\n  return import(spec);\n};\n', /computed path/],
    ['an import() of a path pattern with no match', { type: 'module' }, 'export const handler = async (e: { name: string }): Promise<unknown> => import(`./parts/${e.name}.ts`);\n', /^esbuild: Could not resolve/],
    ['an import() of a path pattern (esbuild would bundle only the files that match now)', { type: 'module' }, 'export const handler = async (e: { name: string }): Promise<unknown> => import(`./${e.name}.ts`);\n', /path pattern/],
    ['import.meta.resolve', { type: 'module' }, 'export const handler = async (): Promise<string> => import.meta.resolve("./x.ts");\n', /import\.meta beyond/],
    ['a syntax error (tsx reports it, as before)', { type: 'module' }, 'export const handler = async (: Promise<number> => 1;\n', /^esbuild: /],
  ])('falls back to tsx for %s', async (label, pkg, source, reason) => {
    const dir = await codeDir(`fallback-${label.replace(/\W+/g, '-')}`, { 'index.ts': source, 'lib.ts': 'export const x = 1;\n' }, pkg);
    const outcome = await new HandlerCompiler().compile(join(dir, 'index.ts'));
    expect(outcome.kind).toBe('fallback');
    expect(outcome.kind === 'fallback' ? outcome.reason : '').toMatch(reason);
  });
});

describe('precompiled handlers in execution environments', () => {
  let rt: RuntimeFixture;
  let dir: string;
  const HANDLER = [
    "import { where } from './lib/where.ts';",
    'export const handler = async (event: { fail?: boolean }): Promise<unknown> => {',
    "  if (event.fail) throw new TypeError('failed on purpose');",
    '  return {',
    '    url: import.meta.url,',
    '    lib: where(),',
    "    tsx: process.execArgv.some((a) => a.includes('tsx')),",
    "    sees: Object.keys(process.env).filter((k) => k.startsWith('REHEARSE')),",
    '  };',
    '};',
    '',
  ].join('\n');

  beforeAll(async () => {
    rt = await startRuntime();
    dir = await codeDir('runtime', { 'index.ts': HANDLER, 'lib/where.ts': 'export const where = (): string => import.meta.dirname;\n' });
  });

  afterAll(async () => {
    await rt[Symbol.asyncDispose]();
  });

  it('runs without tsx, with import.meta naming each source file and no harness variable in sight', async () => {
    const r = await rt.invoke(rt.spec('precompiled', { handler: 'index.handler', codeDir: dir }), {});
    expect(r.status, r.logs).toBe('success');
    expect(JSON.parse(r.payload)).toEqual({ url: pathToFileURL(join(dir, 'index.ts')).href, lib: join(dir, 'lib'), tsx: false, sees: [] });
  });

  it('reports errors with a stack trace into the .ts source', async () => {
    const r = await rt.invoke(rt.spec('precompiled-error', { handler: 'index.handler', codeDir: dir }), { fail: true });
    const doc = JSON.parse(r.payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(doc.errorType).toBe('TypeError');
    expect(doc.errorMessage).toBe('failed on purpose');
    // Line 3 of index.ts, column of `new TypeError` — as under tsx.
    expect(doc.trace[1]).toMatch(new RegExp(`${join(dir, 'index.ts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+\\)?$`));
  });

  it('picks up an edit at the next cold start', async () => {
    const spec = rt.spec('precompiled-edit', { handler: 'index.handler', codeDir: dir });
    expect(JSON.parse((await rt.invoke(spec, {})).payload).lib).toBe(join(dir, 'lib'));
    await writeFile(join(dir, 'lib/where.ts'), "export const where = (): string => 'edited';\n");
    try {
      rt.runtime.retire(spec.functionName, { ...spec, revisionId: 'r2' });
      const r = await rt.invoke({ ...spec, revisionId: 'r2' }, {});
      expect(r.coldStart).toBe(true);
      expect(JSON.parse(r.payload).lib).toBe('edited');
    } finally {
      await writeFile(join(dir, 'lib/where.ts'), 'export const where = (): string => import.meta.dirname;\n');
    }
  });

  it('still runs a handler it cannot bundle, through tsx', async () => {
    const fallback = await codeDir('runtime-fallback', {
      'index.ts': "export const handler = async (e: { part: string }): Promise<unknown> => ({ part: (await import('./parts/' + e.part + '.ts')).default, tsx: process.execArgv.some((a) => a.includes('tsx')) });\n",
      'parts/a.ts': "export default 'part a';\n",
    });
    const r = await rt.invoke(rt.spec('fallback', { handler: 'index.handler', codeDir: fallback }), { part: 'a' });
    expect(r.status, r.logs).toBe('success');
    expect(JSON.parse(r.payload)).toEqual({ part: 'part a', tsx: true });
  });

  it('leaves the cache manifest naming every bundled file', async () => {
    const names = (await readdir(join(dir, 'node_modules', '.cache', 'rehearse-lambda'))).filter((n) => n.endsWith('.json'));
    expect(names).toHaveLength(1);
    const manifest = JSON.parse(await readFile(join(dir, 'node_modules', '.cache', 'rehearse-lambda', names[0]!), 'utf8')) as { entry: string; inputs: Record<string, string> };
    expect(manifest.entry).toBe(join(dir, 'index.ts'));
    expect(Object.keys(manifest.inputs).sort()).toEqual([join(dir, 'index.ts'), join(dir, 'lib', 'where.ts')]);
  });
});

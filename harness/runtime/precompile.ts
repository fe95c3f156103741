/**
 * TypeScript handlers, compiled ahead of the cold start. Loading a `.ts`
 * handler through tsx's loader costs about a second of CPU per cold start
 * (tsx starts esbuild and hooks every module the handler loads, the whole AWS
 * SDK included); a handler compiled once with esbuild into plain ESM loads
 * like any `.mjs`. On AWS the code is such a bundle too: `sam build` with
 * `BuildMethod: esbuild` bundles each handler
 * (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html).
 *
 * Behaviour kept as under tsx:
 * - module resolution: only the handler's own files are bundled; packages
 *   (`sharp`, `@aws-sdk/*`, …) stay imports, and the bundle is written under the
 *   `node_modules` directory every bundled file resolves packages from
 *   (`node_modules/.cache/rehearse-lambda/`, the usual home of tool caches), so
 *   they resolve to the same files;
 * - `import.meta.url`, `.filename` and `.dirname` name each source file, not the bundle;
 * - stack traces: an inline source map, and the bootstrap enables source maps
 *   as tsx does, so frames name the `.ts` files and lines;
 * - edits: the cache is keyed by the entry file and checked against the
 *   content hash of every file that went into the bundle on each cold start,
 *   so a changed file is recompiled before the next environment starts.
 * Anything that could behave differently falls back to tsx: CommonJS handlers
 * or bundled CommonJS files, `#` subpath imports, files resolving packages
 * from another `node_modules`, any esbuild warning (a dynamic `import()` or
 * `require()` of a computed path, …), an esbuild error (tsx then reports the
 * syntax error as Runtime.UserCodeSyntaxError, as before), an unwritable cache.
 */
import { createHash } from 'node:crypto';
import { isBuiltin } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader, Metafile, Plugin } from 'esbuild';
import { esbuild, esbuildVersion } from '../core/commonjs.ts';
import { REAL_CLOCK } from '../core/index.ts';
import { commonJsMain, PACKAGE_NAME } from './commonjs-package.ts';

/** Bump when the build options change: older cache entries are then ignored. */
const CACHE_FORMAT = 3;
/** Bundles nothing refers to any more are removed after this long (they are small; this only bounds growth). */
const STALE_OUTPUT_MS = 7 * 24 * 60 * 60 * 1000;
const CACHE_DIR_NAME = path.join('.cache', 'rehearse-lambda');

const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};

interface Manifest {
  format: number;
  entry: string;
  /** Absolute path → sha256 of every file in the bundle. */
  inputs: Record<string, string>;
  /** File name of the bundle inside the cache directory. */
  output: string;
  /** The packages the bundle still imports by bare name (required CommonJS packages are paths, builtins are left out). */
  packages: string[];
}

/** What the compiler did for one lookup (tests and diagnostics). */
export type CompileOutcome = { kind: 'hit' | 'built'; module: string; nativeImports: boolean } | { kind: 'fallback'; reason: string };

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every package the bundle imports by name, sorted: what Node resolves from the bundle's node_modules when it loads. */
function importedPackages(metafile: Metafile): string[] {
  const out = new Set<string>();
  for (const [rel, input] of Object.entries(metafile.inputs)) {
    if (requiredFile(rel) !== undefined) continue;
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('.') || path.isAbsolute(imp.path) || isBuiltin(imp.path)) continue;
      out.add(packageOf(imp.path));
    }
  }
  return [...out].sort();
}

/**
 * Whether every package the bundle imports is in the node_modules it is kept
 * under. Then Node resolves each of them there, and the bootstrap's ESM resolve
 * hook (layers, the SDK outside the code's tree), which only acts on an import
 * Node cannot resolve, would never act on the bundle's own imports: the
 * environment starts without it (its loader thread is ~30 ms of a cold start).
 * Checked on every lookup, not only when built: a package removed since (now
 * found only in a layer) brings the hook back.
 */
function resolvesNatively(packages: string[], nodeModules: string): boolean {
  return packages.every((name) => existsSync(path.join(nodeModules, name)));
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The `node_modules` directory Node searches first for a bare import from a file in `dir`. */
function nearestNodeModules(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (path.basename(d) !== 'node_modules') {
      const candidate = path.join(d, 'node_modules');
      if (isDirectory(candidate)) return candidate;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** Whether Node loads `file` as an ES module (`.mts`, or `.ts` under `"type": "module"`). */
function isEsmTypeScript(file: string): boolean {
  if (file.endsWith('.mts')) return true;
  if (!file.endsWith('.ts')) return false;
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(d) === d || path.basename(d) === 'node_modules') return false;
  }
}

/**
 * Gives each bundled file its own `import.meta.url/filename/dirname`: the
 * `define`s below turn them into identifiers, and this declares those
 * identifiers at the top of each file (on its first line, so line numbers and
 * the source map stay right). esbuild renames each file's declarations apart
 * and drops the unused ones. Records the hash of each source as it was read
 * (`hashes`), so the manifest describes exactly what was bundled even if a file
 * changes during the build.
 */
const importMetaPlugin = (hashes: Map<string, string>): Plugin => ({
  name: 'rehearse-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      const loader = LOADERS[path.extname(args.path)];
      if (!loader) return undefined;
      const source = await readFile(args.path, 'utf8');
      hashes.set(args.path, sha256(source));
      const declarations =
        `var __rehearse_import_meta_url = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `__rehearse_import_meta_filename = ${JSON.stringify(args.path)}, ` +
        `__rehearse_import_meta_dirname = ${JSON.stringify(path.dirname(args.path))};`;
      // A shebang must stay first; the declarations then open line 2 (no line is added).
      const shebang = source.startsWith('#!') ? source.slice(0, source.indexOf('\n') + 1 || source.length) : '';
      return { contents: shebang + declarations + source.slice(shebang.length), loader };
    });
  },
});

/** Where the bundle keeps a CommonJS package it requires (commonJsPackagePlugin). */
const REQUIRED_NAMESPACE = 'rehearse-require';

/** The package file a metafile input names when it is a required CommonJS package, else undefined. */
function requiredFile(input: string): string | undefined {
  return input.startsWith(`${REQUIRED_NAMESPACE}:`) ? input.slice(REQUIRED_NAMESPACE.length + 1) : undefined;
}
/**
 * Node imports a CommonJS package into an ES module at a price: it parses the
 * whole file a second time to find its named exports (cjs-module-lexer) and
 * to detect its module syntax — about 45 ms per cold start for the S3 and
 * Secrets Manager clients, twice what `require` costs. The bundle therefore
 * `require`s such a package, by the absolute path an import would load, so
 * the same file runs once, into the same module cache, and named imports read
 * its exports — where the two cannot differ (commonjs-package.ts). Anything
 * else stays an import, and a package the handler's tree lacks (the
 * runtime's SDK) too. The file required is a manifest input, so a
 * reinstalled or removed package rebuilds the bundle instead of leaving it
 * naming a path that no longer holds that package.
 */
const commonJsPackagePlugin: Plugin = {
  name: 'rehearse-require-commonjs',
  setup(b) {
    b.onResolve({ filter: PACKAGE_NAME }, (args) => {
      if (args.kind !== 'import-statement') return undefined;
      const file = commonJsMain(args.path, args.importer);
      return file ? { path: file, namespace: REQUIRED_NAMESPACE } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: REQUIRED_NAMESPACE }, (args) => ({
      contents: `module.exports = __rehearse_require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

export class HandlerCompiler {
  private readonly inFlight = new Map<string, Promise<CompileOutcome>>();
  private writes = 0;

  /** The compiled ES module to run for TypeScript handler `source`, or why it must run through tsx. */
  async compile(source: string): Promise<CompileOutcome> {
    const entry = path.resolve(source);
    if (!isEsmTypeScript(entry)) return { kind: 'fallback', reason: 'not an ES module TypeScript file' };
    const nodeModules = nearestNodeModules(path.dirname(entry));
    if (!nodeModules) return { kind: 'fallback', reason: 'no node_modules above the handler to keep the bundle in' };
    const cacheDir = path.join(nodeModules, CACHE_DIR_NAME);
    const manifestFile = path.join(cacheDir, `${sha256(`${CACHE_FORMAT}\0${esbuildVersion()}\0${process.version}\0${entry}`).slice(0, 24)}.json`);
    const running = this.inFlight.get(manifestFile);
    if (running) return running;
    const p = this.lookupOrBuild(entry, nodeModules, cacheDir, manifestFile).catch(
      (e: unknown): CompileOutcome => ({ kind: 'fallback', reason: e instanceof Error ? e.message : String(e) }),
    );
    this.inFlight.set(manifestFile, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(manifestFile);
    }
  }

  private async lookupOrBuild(entry: string, nodeModules: string, cacheDir: string, manifestFile: string): Promise<CompileOutcome> {
    const previous = await readManifest(manifestFile);
    if (previous && previous.entry === entry && (await unchanged(previous.inputs))) {
      const module = path.join(cacheDir, previous.output);
      if (existsSync(module)) return { kind: 'hit', module, nativeImports: resolvesNatively(previous.packages, nodeModules) };
    }
    return this.build(entry, nodeModules, cacheDir, manifestFile, previous);
  }

  private async build(entry: string, nodeModules: string, cacheDir: string, manifestFile: string, previous: Manifest | undefined): Promise<CompileOutcome> {
    const hashes = new Map<string, string>();
    let result;
    try {
      result = await esbuild().build({
        entryPoints: [entry],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        // What tsx targets: the Node.js that runs the environment (this one).
        target: `node${process.versions.node}`,
        write: false,
        // The bundle's final directory, so the source map's relative paths are right.
        outfile: path.join(cacheDir, 'bundle.mjs'),
        sourcemap: 'inline',
        sourcesContent: false,
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: path.dirname(entry),
        define: {
          'import.meta.url': '__rehearse_import_meta_url',
          'import.meta.filename': '__rehearse_import_meta_filename',
          'import.meta.dirname': '__rehearse_import_meta_dirname',
        },
        plugins: [commonJsPackagePlugin, importMetaPlugin(hashes)],
        banner: { js: `import { createRequire as __rehearse_createRequire } from 'node:module'; const __rehearse_require = __rehearse_createRequire(${JSON.stringify(entry)});` },
      });
    } catch (e) {
      const first = (e as { errors?: Array<{ text: string }> }).errors?.[0]?.text;
      return { kind: 'fallback', reason: `esbuild: ${first ?? (e instanceof Error ? e.message : String(e))}` };
    }
    if (result.warnings.length > 0) return { kind: 'fallback', reason: `esbuild: ${result.warnings[0]!.text}` };
    const problem = unsafeToBundle(result.metafile, path.dirname(entry), nodeModules);
    if (problem) return { kind: 'fallback', reason: problem };
    const out = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    if (!out) return { kind: 'fallback', reason: 'esbuild produced no module' };
    const dynamic = unsafeOutput(out.text);
    if (dynamic) return { kind: 'fallback', reason: dynamic };

    const inputs: Record<string, string> = {};
    for (const rel of Object.keys(result.metafile.inputs)) {
      // A required package's file is an input too: reinstalled elsewhere, upgraded or gone, the bundle is built again.
      const file = requiredFile(rel) ?? path.resolve(path.dirname(entry), rel);
      // Files the plugin did not load (JSON, …) are read for their hash now.
      inputs[file] = hashes.get(file) ?? sha256(await readFile(file));
    }
    const output = `${sha256(out.contents).slice(0, 24)}.mjs`;
    const module = path.join(cacheDir, output);
    await mkdir(cacheDir, { recursive: true });
    if (!existsSync(module)) await this.writeAtomically(module, out.contents);
    const packages = importedPackages(result.metafile);
    const manifest: Manifest = { format: CACHE_FORMAT, entry, inputs, output, packages };
    await this.writeAtomically(manifestFile, JSON.stringify(manifest));
    if (previous && previous.output !== output) await pruneStale(cacheDir);
    return { kind: 'built', module, nativeImports: resolvesNatively(packages, nodeModules) };
  }

  /** Write-then-rename: concurrent harness processes never see half a file. */
  private async writeAtomically(file: string, contents: string | Uint8Array): Promise<void> {
    const tmp = `${file}.${process.pid}.${++this.writes}.tmp`;
    await writeFile(tmp, contents);
    await rename(tmp, file);
  }
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(file, 'utf8')) as Manifest;
    return m.format === CACHE_FORMAT && typeof m.output === 'string' && m.inputs && typeof m.inputs === 'object' && Array.isArray(m.packages) ? m : undefined;
  } catch {
    return undefined;
  }
}

async function unchanged(inputs: Record<string, string>): Promise<boolean> {
  try {
    const hashes = await Promise.all(Object.entries(inputs).map(async ([file, hash]) => sha256(await readFile(file)) === hash));
    return hashes.every(Boolean);
  } catch {
    return false; // a file is gone: rebuild (and let esbuild or tsx say what is wrong)
  }
}

/** Why this bundle could behave differently from the files loaded one by one, if it could. */
function unsafeToBundle(metafile: Metafile, workDir: string, nodeModules: string): string | undefined {
  for (const [rel, input] of Object.entries(metafile.inputs)) {
    if (requiredFile(rel) !== undefined) continue;
    const file = path.resolve(workDir, rel);
    if (input.format === 'cjs') return `${file} is CommonJS (its require() calls would resolve from the bundle)`;
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('node:')) continue;
      if (imp.path.startsWith('#')) return `${file} uses the subpath import ${imp.path} (resolved from its own package.json)`;
      if (!imp.path.startsWith('.') && !path.isAbsolute(imp.path) && nearestNodeModules(path.dirname(file)) !== nodeModules) {
        return `${file} resolves packages from another node_modules than ${nodeModules}`;
      }
    }
  }
  return undefined;
}

/**
 * What in the bundle would resolve relative to the bundle instead of the
 * source file: an `import()` of a computed specifier (esbuild leaves it as it
 * is, or, for a template with a pattern, bundles only the files that match
 * now: its `__glob` helper), and any `import.meta` left (e.g. `import.meta.resolve`).
 */
function unsafeOutput(code: string): string | undefined {
  const mapAt = code.lastIndexOf('//# sourceMappingURL=');
  const body = mapAt >= 0 ? code.slice(0, mapAt) : code;
  if (/\bimport\((?!\s*"[^"]*"\s*\))/.test(body)) return 'the handler imports a computed path (import() of a non-literal)';
  if (/\b__glob\(/.test(body)) return 'the handler imports a path pattern (import()/require() of a template)';
  if (/\bimport\.meta\b/.test(body)) return 'the handler uses import.meta beyond url, filename and dirname';
  return undefined;
}

/** Removes bundles no manifest names that have not been written for a week. */
async function pruneStale(cacheDir: string): Promise<void> {
  try {
    const names = await readdir(cacheDir);
    const referenced = new Set<string>();
    for (const n of names.filter((n) => n.endsWith('.json'))) {
      const m = await readManifest(path.join(cacheDir, n));
      if (m) referenced.add(m.output);
    }
    const now = REAL_CLOCK.now();
    for (const n of names) {
      if (!n.endsWith('.mjs') || referenced.has(n)) continue;
      const file = path.join(cacheDir, n);
      if (now - (await stat(file)).mtimeMs > STALE_OUTPUT_MS) await rm(file, { force: true });
    }
  } catch {
    // Pruning is housekeeping: never a reason to fail a cold start.
  }
}

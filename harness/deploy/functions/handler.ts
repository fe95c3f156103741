/**
 * A function's Handler resolved as Lambda's runtime clients resolve it, and
 * checked without running the code.
 *  - Node.js (aws-lambda-nodejs-runtime-interface-client): `dir/mod.fn.nested`
 *    → `dir/mod` + `.js`, `.mjs`, `.cjs` (and `.ts`/`.mts`/`.cts`, which
 *    rehearse runs through esbuild); ES module or CommonJS by extension, else
 *    by the nearest package.json `type`; `fn` must be a named export
 *    (es-module-lexer / cjs-module-lexer, the lexers Node itself uses for
 *    CommonJS named exports).
 *  - Python (awslambdaric): `pkg/mod.fn` or `pkg.mod.fn` → module `pkg.mod`
 *    imported from the code directory: `pkg/mod.py` or `pkg/mod/__init__.py`;
 *    `fn` must be defined (or imported) at the module's top level.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 * https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { initSync as initCjsLexer, parse as parseCjs } from 'cjs-module-lexer';
import { initSync as initEsmLexer, parse as parseEsm } from 'es-module-lexer';
import { esbuild, esbuildVersion } from '../../core/commonjs.ts';
import { cacheFile, cacheKey, readCacheFile, writeCacheFile } from '../../core/index.ts';

export const NODE_HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

export interface HandlerCheck {
  /** The module file the handler names, when it exists. */
  file?: string;
  problem?: { message: string; severity: 'ERROR' | 'WARNING' };
}

/**
 * The module type `file` declares: by extension, else the nearest
 * package.json's `type`; undefined when nothing says (no `type` field, or no
 * package.json at all).
 */
function declaredModuleType(file: string): 'module' | 'commonjs' | undefined {
  if (/\.m[jt]s$/.test(file)) return 'module';
  if (/\.c[jt]s$/.test(file)) return 'commonjs';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type;
        return type === 'module' || type === 'commonjs' ? type : undefined;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Whether Node loads `file` as an ES module by what it declares (module syntax detection aside: see moduleExports). */
export function isEsModule(file: string): boolean {
  return declaredModuleType(file) === 'module';
}

let lexersReady = false;
function lexers(): void {
  if (lexersReady) return;
  initCjsLexer();
  initEsmLexer();
  lexersReady = true;
}

/** cjs-module-lexer's reading of a CommonJS file; undefined when the text has ES module syntax, which it refuses. */
function cjsExports(source: string): { exports: string[]; reexports: string[] } | undefined {
  lexers();
  try {
    return parseCjs(source);
  } catch {
    return undefined;
  }
}

interface ModuleExports {
  kind: 'esm' | 'cjs';
  names: string[];
  dynamic: boolean;
  /** A file declared CommonJS (`.cjs`, `"type": "commonjs"`) with `import`/`export` statements: Node fails to load it. */
  esmSyntax?: boolean;
}

/** Named exports of a JavaScript/TypeScript module, as Node would see them; undefined when they cannot be known statically. */
export function moduleExports(file: string): ModuleExports {
  lexers();
  let source = readFileSync(file, 'utf8');
  const declared = declaredModuleType(file);
  const esm = declared === 'module';
  if (/\.[mc]?ts$/.test(file)) source = withoutTypes(source, esm);
  if (esm) {
    try {
      const [, exports] = parseEsm(source);
      return { kind: 'esm', names: exports.map((e) => e.n), dynamic: false };
    } catch {
      return { kind: 'esm', names: [], dynamic: true };
    }
  }
  const cjs = cjsExports(source);
  if (!cjs) {
    // ES module syntax where nothing declares a type: Node ≥ 20.19 (Lambda's nodejs20.x and later) detects it and
    // loads the file as an ES module (https://nodejs.org/api/packages.html#syntax-detection). Declared CommonJS, it fails.
    const as = declared === undefined ? { kind: 'esm' as const } : { kind: 'cjs' as const, esmSyntax: true };
    try {
      const [, exports] = parseEsm(source);
      return { ...as, names: exports.map((e) => e.n), dynamic: false };
    } catch {
      return { ...as, names: [], dynamic: true };
    }
  }
  return { kind: 'cjs', names: cjs.exports, dynamic: cjs.reexports.length > 0 || cjs.exports.length === 0 };
}

/**
 * TypeScript with its types stripped — what the lexers can read: an ES
 * module keeps its module syntax; one Node loads as CommonJS is compiled to
 * CommonJS, as tsx and tsc (`module: commonjs`) compile it, so `export const
 * handler` is the `handler` export it becomes (esbuild's platform `node`
 * annotates the names for cjs-module-lexer). esbuild's synchronous API
 * starts a worker and a service (~55 ms, on every `rehearse run` before its
 * first line of deploy), so the stripped text is kept in the cache folder by
 * the source's hash.
 */
function withoutTypes(source: string, esm: boolean): string {
  const file = cacheFile('ts-stripped', `${cacheKey(esbuildVersion(), esm ? 'esm' : 'cjs-node', source)}.js`);
  const cached = readCacheFile(file);
  if (cached !== undefined) return cached;
  const code = esbuild().transformSync(source, esm ? { loader: 'ts', format: 'esm' } : { loader: 'ts', format: 'cjs', platform: 'node' }).code;
  writeCacheFile(file, code);
  return code;
}

export function checkNodeHandler(codeDir: string, handler: string, relativeTo: string): HandlerCheck {
  const slash = handler.lastIndexOf('/');
  const dir = slash >= 0 ? handler.slice(0, slash + 1) : '';
  const base = handler.slice(slash + 1);
  const m = /^([^.]*)\.(.*)$/.exec(base);
  if (!m || !m[1] || !m[2]) return { problem: { severity: 'ERROR', message: `Handler ${JSON.stringify(handler)} must be module.export (e.g. index.handler, src/app.handler)` } };
  const modulePath = path.join(codeDir, dir, m[1]);
  const file = NODE_HANDLER_EXTENSIONS.map((e) => modulePath + e).find((f) => existsSync(f));
  const shown = path.relative(relativeTo, modulePath) || m[1];
  if (!file) return { problem: { severity: 'ERROR', message: `Handler ${handler}: no ${NODE_HANDLER_EXTENSIONS.map((e) => `${shown}${e}`).join(', ')} (Lambda looks for ${dir}${m[1]} + .js, .mjs or .cjs in the code directory)` } };
  const exportName = m[2].split('.')[0]!;
  const rel = path.relative(relativeTo, file);
  const exported = moduleExports(file);
  if (exported.esmSyntax) {
    return { file, problem: { severity: 'ERROR', message: `${rel} has ES module syntax (import/export), but it is declared CommonJS (${rel.endsWith('.cjs') ? 'its .cjs extension' : 'the nearest package.json says "type": "commonjs"'}): Node fails to load it (SyntaxError at init); use require/exports, or make it an ES module (.mjs, "type": "module")` } };
  }
  if (exported.names.includes(exportName)) return { file };
  if (exported.kind === 'esm' && exported.names.length === 0) {
    // `exports.handler = …` in a file Node loads as an ES module fails at import (exports is not defined).
    const cjs = cjsExports(readFileSync(file, 'utf8'));
    if (cjs?.exports.includes(exportName)) {
      return { file, problem: { severity: 'ERROR', message: `${rel} assigns exports.${exportName} (CommonJS), but Node loads it as an ES module (the nearest package.json has "type": "module"); rename it to .cjs or use export` } };
    }
  }
  if (exported.dynamic) {
    return { file, problem: { severity: 'WARNING', message: `${rel}: could not see an export named ${exportName} without running it (Lambda reports Runtime.HandlerNotFound if it is missing)` } };
  }
  const others = exported.names.filter((n) => n !== '__esModule');
  return { file, problem: { severity: 'ERROR', message: `${rel} does not export ${exportName}${others.length ? ` (it exports: ${others.join(', ')})` : ' (it has no named exports)'}` } };
}

export function checkPythonHandler(codeDir: string, handler: string, relativeTo: string): HandlerCheck {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return { problem: { severity: 'ERROR', message: `Handler ${JSON.stringify(handler)} must be module.function (e.g. app.lambda_handler)` } };
  const modulePath = handler.slice(0, dot).replace(/\./g, '/');
  const fn = handler.slice(dot + 1);
  const candidates = [path.join(codeDir, `${modulePath}.py`), path.join(codeDir, modulePath, '__init__.py')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    const shown = candidates.map((c) => path.relative(relativeTo, c)).join(' or ');
    return { problem: { severity: 'ERROR', message: `Handler ${handler}: no ${shown} (Lambda imports module ${handler.slice(0, dot).replace(/\//g, '.')} from the code directory)` } };
  }
  const source = readFileSync(file, 'utf8');
  const name = fn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const defined = [
    new RegExp(`^(?:async\\s+)?def\\s+${name}\\s*\\(`, 'm'),
    new RegExp(`^${name}\\s*(?::[^=\\n]*)?=`, 'm'),
    new RegExp(`^from\\s+\\S+\\s+import\\s+(?:\\(?[^#\\n]*[,\\s(])?${name}(?:\\s*[,)#]|\\s*$)`, 'm'),
    new RegExp(`^from\\s+\\S+\\s+import\\s+[^#\\n]*\\bas\\s+${name}\\b`, 'm'),
    new RegExp(`^import\\s+[^#\\n]*\\bas\\s+${name}\\b`, 'm'),
    new RegExp(`^class\\s+${name}\\b`, 'm'),
  ];
  if (defined.some((re) => re.test(source)) || importedOverLines(source).includes(fn)) return { file };
  return { file, problem: { severity: 'ERROR', message: `${path.relative(relativeTo, file)} defines no ${fn} at its top level (Lambda reports Runtime.HandlerNotFound)` } };
}

/** Names bound by top-level `from m import (a, b as c, …)` spread over several lines (what the one-line patterns miss). */
function importedOverLines(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/^from\s+\S+\s+import\s*\(([^)]*)\)/gm)) {
    for (const entry of m[1]!.replace(/#[^\n]*/g, '').split(',')) {
      const parts = entry.trim().split(/\s+/);
      const bound = parts.length === 3 && parts[1] === 'as' ? parts[2] : parts[0];
      if (bound) names.push(bound);
    }
  }
  return names;
}

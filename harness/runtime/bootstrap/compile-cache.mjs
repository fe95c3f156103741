// V8's compiled code for the CommonJS packages an execution environment
// requires (the AWS SDK clients, sharp…), kept in Rehearse's cache folder by
// a hash of each file's path and text, so the next cold start reads the code
// instead of compiling it again (~30 ms of a cold start that loads the S3 and
// Secrets Manager clients and sharp). Node 20 has no module.enableCompileCache
// (Node 22), so this does what it does for CommonJS: V8's code cache through
// vm.Script's `cachedData` (https://nodejs.org/api/vm.html#scriptcreatecacheddata).
//
// Only files under a node_modules folder: the user's own code is compiled as
// Node compiles it. A package file keeps Node's behaviour: the same wrapper
// and module-scope variables, a `require` made as Node makes it; a file
// where Node's loader does more than compile (an import() it resolves, a
// source map it registers, an ES module it loads through require()) or that
// is not CommonJS syntax is left to it. A cache entry V8 rejects (another V8,
// other flags) is compiled again and rewritten. Nothing in it depends on any
// state: it is the compile of the file's text, which is in its key.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const IN_PACKAGE = `${path.sep}node_modules${path.sep}`;
/** import() in a script needs Node's resolver behind it, which Node 20 gives only the files its loader compiles. */
const LEFT_TO_NODE = /\bimport\s*\(|\/\/# sourceMappingURL=/;

/** Node's require() for a module, as Module.prototype._compile makes it (lib/internal/modules/helpers.js makeRequireFunction). */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/**
 * Installs the cache in `dir`; `ownCode`, a folder whose files are cached
 * like a package's (the compiled CLI's own dist/ in a checkout, which is not
 * under node_modules). Returns `flush()`, which writes the entries
 * this process compiled, with every function compiled so far (call it once
 * the first invocation ran: the code it ran is then in the entry too), and
 * `counts()` (files read from the cache, files compiled).
 */
export function installCompileCache(dir, ownCode) {
  const own = ownCode === undefined ? undefined : path.resolve(ownCode) + path.sep;
  // V8 rejects code compiled under other flags; the heap limit differs between functions.
  const salt = `${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`;
  const compiled = [];
  let read = 0;
  let written = 0;
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename, format, ...rest) {
    // `format` 'module': Node loads an ES module through require() (lib/internal/modules/cjs/loader.js).
    if ((format !== undefined && format !== 'commonjs') || !(filename.includes(IN_PACKAGE) || (own !== undefined && filename.startsWith(own))) || LEFT_TO_NODE.test(content)) return compile.call(this, content, filename, format, ...rest);
    const file = path.join(dir, crypto.createHash('sha256').update(salt).update('\0').update(filename).update('\0').update(content).digest('hex').slice(0, 32));
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      // Not CommonJS syntax (an ES module in a .js file Node detects), or a syntax error Node reports its way.
      return compile.call(this, content, filename, format, ...rest);
    }
    if (cachedData === undefined || script.cachedDataRejected) compiled.push({ script, file });
    else read++;
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };
  const flush = () => {
    if (compiled.length === 0) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const { script, file } of compiled.splice(0)) {
        const partial = `${file}.partial-${process.pid}`;
        fs.writeFileSync(partial, script.createCachedData());
        fs.renameSync(partial, file);
        written++;
      }
    } catch {
      // An unwritable cache folder: the next cold start compiles again.
    }
  };
  return { flush, counts: () => ({ read, compiled: compiled.length + written }) };
}

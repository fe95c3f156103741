/**
 * The CLI's own CommonJS packages (the AWS SDK clients, yaml, dynalite…) and,
 * compiled, its own files run from V8's code cache, as the Lambda environments' packages do
 * (runtime/bootstrap/compile-cache.mjs): imported first by entry.ts, so it is
 * installed before any of them loads; written when the process exits, with
 * everything the run compiled.
 */
import { fileURLToPath } from 'node:url';
import { codeCacheDir } from '../core/cache.ts';
import { installCompileCache } from '../runtime/bootstrap/compile-cache.mjs';

// The compiled CLI (dist/, CommonJS: scripts/build.ts) caches its own files too; from the sources tsx compiles them.
const compiled = import.meta.url.endsWith('.js');
const cache = installCompileCache(codeCacheDir(), compiled ? fileURLToPath(new URL('..', import.meta.url)) : undefined);
process.once('exit', () => cache.flush());

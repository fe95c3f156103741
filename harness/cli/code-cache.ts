/**
 * The CLI's own CommonJS packages (the AWS SDK clients, yaml, dynalite…) run
 * from V8's code cache, as the Lambda environments' do
 * (runtime/bootstrap/compile-cache.mjs): imported first by entry.ts, so it is
 * installed before any of them loads; written when the process exits, with
 * everything the run compiled.
 */
import { codeCacheDir } from '../core/cache.ts';
import { installCompileCache } from '../runtime/bootstrap/compile-cache.mjs';

const cache = installCompileCache(codeCacheDir());
process.once('exit', () => cache.flush());

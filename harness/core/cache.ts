/**
 * Rehearse's cache folder: what is derived from content (extracted zips,
 * compiled validators, type-stripped handlers) is kept here by a hash of
 * that content, so a later process reads it instead of computing it again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Rehearse's cache folder (REHEARSE_CACHE_DIR, else $XDG_CACHE_HOME/rehearse, else ~/.cache/rehearse). */
export function cacheRoot(): string {
  const explicit = process.env.REHEARSE_CACHE_DIR;
  if (explicit) return path.resolve(explicit);
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'rehearse');
}

/** A cache entry's name: a hash of everything it is made from (parts joined so that none can run into the next). */
export function cacheKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/** Where V8's compiled code of package files is kept (runtime/bootstrap/compile-cache.mjs), per Node version. */
export function codeCacheDir(): string {
  return cacheFile('v8-code', process.version);
}

/** `<cache>/<kind>/<name>`. */
export function cacheFile(kind: string, name: string): string {
  return path.join(cacheRoot(), kind, name);
}

/** A cache file's bytes; undefined when it is missing or unreadable. */
export function readCacheBytes(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** A cache file's text; undefined when it is missing or unreadable. */
export function readCacheFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Written beside, then renamed (another process may be reading it). An
 * unwritable cache (read-only home, full disk) is not an error: the next
 * process computes the entry again.
 */
export function writeCacheFile(file: string, text: string | Uint8Array): void {
  const partial = `${file}.partial-${process.pid}`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(partial, text);
    renameSync(partial, file);
  } catch {
    // nothing to keep
  }
}

// Types for compile-cache.mjs (plain JavaScript: the Node bootstrap loads it without tsx).
export interface CompileCache {
  /** Writes the entries this process compiled (with every function compiled so far). */
  flush(): void;
  /** Files read from the cache, files compiled. */
  counts(): { read: number; compiled: number };
}
/** Keeps V8's compiled code of the CommonJS package files this process requires in `dir` (and of the files under `ownCode`). */
export declare function installCompileCache(dir: string, ownCode?: string): CompileCache;

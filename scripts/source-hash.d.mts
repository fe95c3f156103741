// Types for source-hash.mjs (plain JavaScript: bin/rehearse.mjs loads it without tsx).
/** The content hash of everything the package in `root` is made from. */
export declare function sourceHash(root: string): string;
/** The file in dist/ holding the hash it was built from. */
export declare function stampFile(root: string): string;
/** dist/ was built from exactly the sources in `root`. */
export declare function distIsFresh(root: string): boolean;
/** Every file under `dir` (no node_modules, no __pycache__), sorted. */
export declare function filesUnder(dir: string): string[];
/** A hash of what dist/ is compiled from (the sources and the build's configuration; not the docs). */
export declare function buildHash(root: string): string;

/**
 * Where a function's layers put modules on the path, as Lambda lays them out:
 * every layer is extracted into /opt in the function's Layers order, later
 * layers over earlier ones, and each runtime looks in fixed folders of /opt
 * ("Layer paths for each Lambda runtime"). Rehearse runs each layer in its
 * own folder, so the same precedence is kept by listing, for each of those
 * folders, the later layers first.
 * https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths
 * https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html (merge order)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** One folder kind, for each layer, later layers first; only folders that exist. */
function foldersOf(layers: readonly string[], relative: string): string[] {
  return [...layers].reverse().map((l) => join(l, relative)).filter((d) => existsSync(d));
}

/**
 * NODE_PATH entries, as Lambda sets NODE_PATH for `nodejs<N>.x`:
 * /opt/nodejs/node<N>/node_modules, then /opt/nodejs/node_modules.
 */
export function nodeLayerPath(layers: readonly string[], runtime: string): string[] {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  return [...(major ? foldersOf(layers, join('nodejs', `node${major}`, 'node_modules')) : []), ...foldersOf(layers, join('nodejs', 'node_modules'))];
}

/**
 * sys.path entries after the task root, as Lambda's Python runtimes search
 * /opt: python/lib/python3.<x>/site-packages (the Runtime's version), then python.
 */
export function pythonLayerPath(layers: readonly string[], runtime: string): string[] {
  const version = /^python(3\.\d+)$/.exec(runtime)?.[1];
  return [...(version ? foldersOf(layers, join('python', 'lib', `python${version}`, 'site-packages')) : []), ...foldersOf(layers, 'python')];
}

/** Every runtime: /opt/bin at the end of PATH, /opt/lib at the end of LD_LIBRARY_PATH. */
export function binLayerPath(layers: readonly string[]): string[] {
  return foldersOf(layers, 'bin');
}

export function libLayerPath(layers: readonly string[]): string[] {
  return foldersOf(layers, 'lib');
}

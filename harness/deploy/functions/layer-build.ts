/**
 * A layer with `Metadata: BuildMethod` as `sam build` would have built it,
 * without copying the sources (so their edits stay live):
 *  - `python3.x`: the layer's files and its requirements.txt's packages
 *    (installed once with pip, requirements.ts) under `python/`;
 *  - `nodejs<N>.x`: the folder's `node_modules` (npm install is yours to run)
 *    as `nodejs/node_modules`.
 * A layer folder already laid out (`python/`, `nodejs/`) is used as it is.
 * The built folder is a cache folder of symbolic links, named after what it links.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/building-layers.html
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { cachedFolder, sha256 } from './code.ts';
import { installRequirements, pipUnavailable, REQUIREMENTS_FILE, type InstalledRequirements } from './requirements.ts';

export interface BuiltLayer {
  dir: string;
  /** pip's work for the layer's requirements.txt, when it has one and pip is available. */
  installed?: InstalledRequirements;
}

function linkFolder(kind: string, links: Array<[string, string]>): string {
  return cachedFolder('layer-build', sha256(`${kind}\0${links.map(([to, from]) => `${to}\0${from}`).join('\0')}`), (d) => {
    for (const [to, from] of links) {
      mkdirSync(path.dirname(path.join(d, to)), { recursive: true });
      symlinkSync(from, path.join(d, to));
    }
  });
}

export function samBuildMethod(metadata: Record<string, unknown>): string | undefined {
  return typeof metadata.BuildMethod === 'string' ? metadata.BuildMethod : undefined;
}

/** The folder to publish for a layer built by `buildMethod`; undefined when the folder is used as it is. */
export async function builtLayer(layer: { logicalId: string; dir: string; buildMethod: string | undefined }): Promise<BuiltLayer | undefined> {
  const method = layer.buildMethod ?? '';
  if (/^python3\.\d+$/.test(method)) {
    if (existsSync(path.join(layer.dir, 'python'))) return undefined;
    const installed = pipUnavailable() ? undefined : await installRequirements({ logicalId: layer.logicalId, codeDir: layer.dir, runtime: method }, 'python');
    const sources = readdirSync(layer.dir).filter((e) => e !== REQUIREMENTS_FILE && !e.startsWith('.'));
    const packages = installed ? readdirSync(path.join(installed.dir, 'python')).filter((e) => !sources.includes(e)) : [];
    const links: Array<[string, string]> = [
      ...packages.map((e): [string, string] => [path.join('python', e), path.join(installed!.dir, 'python', e)]),
      ...sources.map((e): [string, string] => [path.join('python', e), path.join(layer.dir, e)]),
    ];
    return { dir: linkFolder('python', links), ...(installed ? { installed } : {}) };
  }
  if (/^nodejs\d+\.x$/.test(method)) {
    const modules = path.join(layer.dir, 'node_modules');
    if (existsSync(path.join(layer.dir, 'nodejs')) || !existsSync(modules)) return undefined;
    return { dir: linkFolder('nodejs', [[path.join('nodejs', 'node_modules'), modules]]) };
  }
  return undefined;
}

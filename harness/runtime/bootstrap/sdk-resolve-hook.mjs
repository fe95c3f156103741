// ESM resolve hook for the Node bootstrap. NODE_PATH only reaches require();
// Lambda's Node.js 18+ runtimes also resolve ES module imports from layers.
//  - `@aws-sdk/*`, `@smithy/*` and `@aws-crypto/*` that the handler's own tree
//    does not contain are resolved from the node_modules above the bootstrap
//    (AWS's Node runtimes ship the SDK);
//  - any other bare specifier the handler's tree does not contain is looked up
//    in the NODE_PATH folders (the layers' nodejs/node_modules), in order.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SDK = /^@(aws-sdk|smithy|aws-crypto)\//;
let fallbackParent;
let nodePath = [];

export async function initialize(data) {
  fallbackParent = data?.fallbackParent;
  nodePath = Array.isArray(data?.nodePath) ? data.nodePath : [];
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; undefined for relative, absolute, URL and builtin specifiers. */
function packageName(specifier) {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'MODULE_NOT_FOUND') throw err;
    const name = packageName(specifier);
    if (name) {
      for (const dir of nodePath) {
        // Resolved as if imported from a file beside the folder: Node finds <dir>/<name> first.
        if (path.basename(dir) === 'node_modules' && fs.existsSync(path.join(dir, name))) {
          return nextResolve(specifier, { ...context, parentURL: pathToFileURL(path.join(path.dirname(dir), 'layer.mjs')).href });
        }
      }
    }
    if (fallbackParent && SDK.test(specifier)) return nextResolve(specifier, { ...context, parentURL: fallbackParent });
    throw err;
  }
}

// ESM resolve hook for the Node bootstrap: `@aws-sdk/*`, `@smithy/*` and
// `@aws-crypto/*` that the handler's own tree does not contain are resolved
// from the node_modules above the bootstrap (AWS's Node runtimes ship the SDK).
const SDK = /^@(aws-sdk|smithy|aws-crypto)\//;
let fallbackParent;

export async function initialize(data) {
  fallbackParent = data?.fallbackParent;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (fallbackParent && SDK.test(specifier) && (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND')) {
      return nextResolve(specifier, { ...context, parentURL: fallbackParent });
    }
    throw err;
  }
}

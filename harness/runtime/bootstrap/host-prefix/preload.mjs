// Node preload (`node --import …/host-prefix/preload.mjs`, or the same in
// NODE_OPTIONS): makes `sync-127.0.0.1` / `sync-localhost` resolve like
// `127.0.0.1` / `localhost`, so an unmodified SDK v3 client reaches a local
// endpoint for StartSyncExecution and TestState. Every other name goes to
// Node's own resolver untouched. Rehearse adds it to every Node.js Lambda
// execution environment (harness/runtime/launch.ts).
//
// Why dns.lookup: Node's net.Socket#connect resolves a host name with
// `options.lookup || dns.lookup`, reading the property off the `node:dns`
// module object at connect time (lib/net.js lookupAndConnect); the SDK's
// NodeHttpHandler creates a default http.Agent without a `lookup`, so
// replacing `dns.lookup` reaches it (including autoSelectFamily's
// `{ all: true }` lookups). https://nodejs.org/api/net.html#socketconnectoptions-connectlistener
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { unprefixedLoopbackHost } from './names.mjs';

const INSTALLED = Symbol.for('rehearse.hostPrefixLookup');

/** Copies the original's symbol-keyed properties (Node's customPromisifyArgs) so util.promisify(dns.lookup) keeps its `{ address, family }` result. */
function keepSymbols(wrapper, original) {
  for (const key of Reflect.ownKeys(original)) {
    if (typeof key === 'symbol') Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(original, key));
  }
  return wrapper;
}

if (!dns[INSTALLED]) {
  const originalLookup = dns.lookup;
  const lookup = keepSymbols(function lookup(hostname, ...rest) {
    const target = unprefixedLoopbackHost(hostname);
    return Reflect.apply(originalLookup, this, [target ?? hostname, ...rest]);
  }, originalLookup);

  const promises = dns.promises;
  const originalPromisesLookup = promises.lookup;
  const promisesLookup = function lookup(hostname, ...rest) {
    const target = unprefixedLoopbackHost(hostname);
    return Reflect.apply(originalPromisesLookup, this, [target ?? hostname, ...rest]);
  };

  dns.lookup = lookup;
  promises.lookup = promisesLookup;
  Object.defineProperty(dns, INSTALLED, { value: true });
  // `import { lookup } from 'node:dns'` elsewhere is a live binding Node only
  // refreshes on request: https://nodejs.org/api/module.html#modulesyncbuiltinesmexports
  syncBuiltinESMExports();
}

/**
 * zod's two CommonJS entry files (core/index.cjs, classic/external.cjs)
 * re-export its locales as `z.locales`, and that index requires all 64 of
 * them, each a module of its own: ≈ 30 ms of every CLI start, for messages
 * in languages the CLI never asks for (zod's English messages, the ones it
 * uses, come from classic/schemas.cjs's own require of locales/en.cjs).
 * Those two files get a stand-in for the index that loads the real one the
 * first time anything reads from it, so `z.locales.fr` still answers what
 * zod's would. Any other layout of zod (another major version, its ES build)
 * is not matched and loads as it ships. Imported by entry.ts, before zod.
 */
import Module from 'node:module';

/** The files whose `require('../locales/index.cjs')` gets the stand-in. */
const ZOD_ENTRY = /[\\/]node_modules[\\/]zod[\\/]v4[\\/](?:core[\\/]index|classic[\\/]external)\.cjs$/;
const LOCALES_INDEX = '../locales/index.cjs';

type Load = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;

loader._load = function loadZodLocalesLazily(request, parent, isMain) {
  if (request !== LOCALES_INDEX || !parent?.filename || !ZOD_ENTRY.test(parent.filename)) return load.call(this, request, parent, isMain);
  let index: object | undefined;
  const real = (): object => (index ??= load.call(this, request, parent, isMain) as object);
  // `__esModule` answers without loading: zod's __importStar then keeps this object as the namespace instead of copying its keys.
  return new Proxy(
    {},
    {
      get: (_, key) => (key === '__esModule' ? true : Reflect.get(real(), key)),
      has: (_, key) => key === '__esModule' || Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      // Configurable, whatever the real export says: a proxy may not report a fixed property its own target lacks.
      getOwnPropertyDescriptor: (_, key) => (Reflect.has(real(), key) ? { value: Reflect.get(real(), key), enumerable: true, writable: false, configurable: true } : undefined),
    },
  );
};

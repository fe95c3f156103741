/**
 * How an execution environment's process is started for a runtime identifier:
 * which bootstrap, which interpreter flags, which environment variables.
 * Mirrors the variables AWS defines for every function
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { codeCacheDir } from '../core/cache.ts';
import { binLayerPath, libLayerPath, nodeLayerPath, pythonLayerPath } from './layer-paths.ts';
import type { FunctionSpec, RuntimeFamily } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const NODE_BOOTSTRAP = join(here, 'bootstrap', 'node-bootstrap.mjs');
export const PYTHON_BOOTSTRAP = join(here, 'bootstrap', 'python-bootstrap.py');
/** `--import`ed into every Node environment: `sync-127.0.0.1` resolves like `127.0.0.1` (the module says why). */
export const NODE_HOST_PREFIX_PRELOAD = pathToFileURL(join(here, 'bootstrap', 'host-prefix', 'preload.mjs')).href;
/** Debian's interpreter: it has boto3 and Pillow (the first python3 on PATH may not). */
export const PYTHON_INTERPRETER = '/usr/bin/python3';

/** Runtime identifiers CreateFunction accepts (AWS's current, non-deprecated set plus recent deprecated ones). */
export const SUPPORTED_RUNTIMES = [
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14',
  'provided', 'provided.al2', 'provided.al2023',
] as const;

export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  if (/^nodejs\d+\.x$/.test(runtime)) return 'node';
  if (/^python3\.\d+$/.test(runtime)) return 'python';
  if (/^provided(\.al2|\.al2023)?$/.test(runtime)) return 'custom';
  return undefined;
}

/** Extensions the Node bootstrap tries, in order (AWS: .js, .mjs, .cjs; we add TypeScript via tsx). */
export const NODE_HANDLER_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

/** `dir/index.handler` → the module file it names, if one exists. */
export function resolveNodeHandlerFile(codeDir: string, handler: string): string | undefined {
  const slash = handler.lastIndexOf('/');
  const dir = slash >= 0 ? handler.slice(0, slash + 1) : '';
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0) return undefined;
  const modulePath = posix.join(dir, base.slice(0, dot));
  for (const ext of NODE_HANDLER_EXTENSIONS) {
    const file = join(codeDir, modulePath + ext);
    if (existsSync(file)) return file;
  }
  return undefined;
}

let tsxLoader: string | undefined;
/** tsx's `--import` entry (ESM and CJS TypeScript loading), from the repo's node_modules. */
function tsxLoaderUrl(): string {
  if (!tsxLoader) {
    const require = createRequire(import.meta.url);
    tsxLoader = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
  }
  return tsxLoader;
}

/** Names the precompiled handler module for the Node bootstrap (which deletes it before loading user code). */
const HANDLER_MODULE_VARIABLE = 'REHEARSE_HANDLER_MODULE';
/** Set when that module's imports all resolve without the bootstrap's resolve hook (read and removed like the one above). */
const NATIVE_IMPORTS_VARIABLE = 'REHEARSE_HANDLER_NATIVE_IMPORTS';

/** Credentials every execution environment gets: the access key names the function (RequestContext.caller). */
export const FUNCTION_SECRET_ACCESS_KEY = 'rehearse';
export function functionAccessKeyId(functionName: string): string {
  return `LAMBDA_${functionName}`;
}

export interface LaunchContext {
  /** `host:port/prefix` the bootstrap prefixes every Runtime API path with. */
  runtimeApi: string;
  /** The active backend's endpoint (AWS_ENDPOINT_URL). */
  endpointUrl: string;
  region: string;
  logStreamName: string;
  /**
   * The TypeScript handler compiled ahead of time (precompile.ts); the
   * bootstrap imports it instead of loading the `.ts` file through tsx.
   */
  handlerModule?: string;
  /** Every package that module imports resolves from its node_modules (precompile.ts): the bootstrap needs no resolve hook. */
  handlerResolvesNatively?: boolean;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Node keeps headroom outside the V8 heap (buffers, native modules): the heap gets 90% of MemorySize. */
export function nodeHeapLimitMb(memorySizeMb: number): number {
  return Math.max(32, Math.floor(memorySizeMb * 0.9));
}

export function launchCommand(spec: FunctionSpec, ctx: LaunchContext): LaunchCommand {
  const family = runtimeFamily(spec.runtime);
  if (!family) throw new Error(`runtime ${JSON.stringify(spec.runtime)} of function ${spec.functionName} is not supported`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_REGION: ctx.region,
    AWS_DEFAULT_REGION: ctx.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName ?? `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: ctx.logStreamName,
    AWS_LAMBDA_RUNTIME_API: ctx.runtimeApi,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: join(here, 'bootstrap'),
    // The protocol layer maps this access key id to RequestContext.caller.
    AWS_ACCESS_KEY_ID: functionAccessKeyId(spec.functionName),
    AWS_SECRET_ACCESS_KEY: FUNCTION_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: FUNCTION_SECRET_ACCESS_KEY,
    AWS_ENDPOINT_URL: ctx.endpointUrl,
  };
  // Layers: NODE_PATH as Lambda sets it, PYTHONPATH for the folders Lambda's Python runtime searches in /opt.
  const layers = spec.layers ?? [];
  const bins = binLayerPath(layers);
  if (bins.length > 0) env.PATH = [env.PATH, ...bins].join(':');
  const libs = libLayerPath(layers);
  if (libs.length > 0) env.LD_LIBRARY_PATH = [process.env.LD_LIBRARY_PATH, ...libs].filter(Boolean).join(':');
  if (family === 'node' && layers.length > 0) {
    const entries = nodeLayerPath(layers, spec.runtime);
    if (entries.length > 0) env.NODE_PATH = entries.join(':');
  }
  if (family === 'python' && layers.length > 0) {
    const entries = pythonLayerPath(layers, spec.runtime);
    if (entries.length > 0) env.PYTHONPATH = entries.join(':');
  }
  // The function's own variables win over ours except the Runtime API and
  // identity (AWS rejects reserved keys at CreateFunction; see the service).
  Object.assign(env, spec.environment, {
    AWS_LAMBDA_RUNTIME_API: ctx.runtimeApi,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeDir,
  });
  if (family === 'node') {
    // V8's compiled code of the packages the handler requires (bootstrap/compile-cache.mjs); read and removed by the bootstrap.
    env.REHEARSE_CODE_CACHE_DIR = codeCacheDir();
    // The SDK's "upgrade your Node.js" notice would otherwise open every cold start's log.
    const args = [`--max-old-space-size=${nodeHeapLimitMb(spec.memorySizeMb)}`, '--disable-warning=NodeVersionSupportWarning', '--import', NODE_HOST_PREFIX_PRELOAD];
    const file = resolveNodeHandlerFile(spec.codeDir, spec.handler);
    // Read (and removed from the handler's view) by the bootstrap.
    // TypeScript runs precompiled when the bundle is ready, through tsx otherwise.
    if (file && /\.[mc]?ts$/.test(file)) {
      if (ctx.handlerModule) {
        env[HANDLER_MODULE_VARIABLE] = ctx.handlerModule;
        if (ctx.handlerResolvesNatively) env[NATIVE_IMPORTS_VARIABLE] = '1';
      }
      else args.push('--import', tsxLoaderUrl());
    }
    args.push(NODE_BOOTSTRAP);
    return { command: process.execPath, args, env, cwd: spec.codeDir };
  }
  if (family === 'python') {
    // Unbuffered so print() output reaches the invocation it belongs to;
    // no .pyc files written into a user's local code directory.
    Object.assign(env, { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' });
    return { command: PYTHON_INTERPRETER, args: [PYTHON_BOOTSTRAP], env, cwd: spec.codeDir };
  }
  // provided.*: the code's own `bootstrap` executable speaks the Runtime API.
  return { command: join(spec.codeDir, 'bootstrap'), args: [], env, cwd: spec.codeDir };
}

// Rehearse's Node.js runtime client: one execution environment's main loop.
// Plain JavaScript so it runs outside the harness; it talks to the Lambda
// Runtime API at http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/… exactly as
// AWS's runtime interface client does, and mirrors its behaviour:
// handler resolution (.js/.mjs/.cjs, plus .ts/.mts/.cts via tsx), the
// `{errorType, errorMessage, trace}` error shape, console lines
// `<ISO time>\t<requestId>\t<LEVEL>\t<message>`, async and callback handlers,
// callbackWaitsForEmptyEventLoop, init errors (Runtime.ImportModuleError,
// Runtime.HandlerNotFound, Runtime.UserCodeSyntaxError).
import http from 'node:http';
import { createRequire, register } from 'node:module';
import Module from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import util from 'node:util';
import { pathToFileURL } from 'node:url';
import { installCompileCache } from './compile-cache.mjs';

const RUNTIME_API = process.env.AWS_LAMBDA_RUNTIME_API ?? '';
const slash = RUNTIME_API.indexOf('/');
const HOST_PORT = slash >= 0 ? RUNTIME_API.slice(0, slash) : RUNTIME_API;
const PREFIX = slash >= 0 ? RUNTIME_API.slice(slash) : '';
const [HOST, PORT] = HOST_PORT.split(':');
const BASE = `${PREFIX}/2018-06-01/runtime`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

let currentRequestId;

function call(method, pathname, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      {
        host: HOST,
        port: Number(PORT),
        method,
        path: pathname,
        agent,
        headers: data ? { 'content-type': 'application/json', 'content-length': data.length, ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

// ---------------------------------------------------------------- logging
const LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [name, level] of Object.entries(LEVELS)) {
  const stream = level === 'ERROR' || level === 'WARN' ? process.stderr : process.stdout;
  console[name] = (...args) => {
    let text = util.format(...args);
    if (name === 'trace') text = `Trace: ${text}\n${new Error().stack.split('\n').slice(2).join('\n')}`;
    stream.write(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${text}\n`);
  };
}

// ------------------------------------------------------------ error shape
function toErrorDocument(error) {
  if (error instanceof Error || (error && typeof error === 'object' && typeof error.message === 'string' && typeof error.stack === 'string')) {
    return {
      errorType: error.name ?? 'Error',
      errorMessage: error.message ?? '',
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

class RuntimeError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (cause?.stack) this.stack = `${type}: ${message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  }
}

// ------------------------------------------- @aws-sdk/* without bundling
// AWS's Node runtimes ship the SDK v3: a zip-deployed handler imports it
// unbundled. Resolve `@aws-sdk/*` and `@smithy/*` (and nothing else) from
// the node_modules above this bootstrap when the code's own tree lacks them.
const SDK = /^@(aws-sdk|smithy|aws-crypto)\//;
// Code inside the tree that holds the SDK (a hot-reload directory in the repo)
// resolves it natively; only code elsewhere (an extracted zip) needs the ESM
// hook, whose loader thread costs cold-start time.
function sdkHome() {
  for (let d = path.dirname(fileURLToPathSafe(import.meta.url)); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules', '@aws-sdk'))) return d;
    if (d === path.dirname(d)) return undefined;
  }
}
const home = sdkHome();
const taskRootForSdk = path.resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd());
const sdkOutsideTree = !home || !(taskRootForSdk === home || taskRootForSdk.startsWith(home + path.sep));
// Layers' nodejs/node_modules (NODE_PATH, as Lambda sets it): require() reads NODE_PATH itself, import needs the hook.
const layerNodePath = (process.env.NODE_PATH ?? '').split(path.delimiter).filter((d) => d !== '');
// A precompiled handler whose imports all resolve from its own node_modules (harness/runtime/precompile.ts)
// never reaches the hook's fallbacks: no loader thread for it.
const nativeImports = process.env.REHEARSE_HANDLER_NATIVE_IMPORTS === '1';
delete process.env.REHEARSE_HANDLER_NATIVE_IMPORTS;
if ((sdkOutsideTree || layerNodePath.length > 0) && !nativeImports) {
  try {
    register(new URL('./sdk-resolve-hook.mjs', import.meta.url), { data: { fallbackParent: sdkOutsideTree ? import.meta.url : undefined, nodePath: layerNodePath } });
  } catch {
    // module.register unavailable (Node < 20.6): ESM handlers must bundle the SDK.
  }
}
const originalResolve = Module._resolveFilename;
const bootstrapRequire = createRequire(import.meta.url);
Module._resolveFilename = function resolveWithSdk(request, parent, isMain, options) {
  try {
    return originalResolve.call(this, request, parent, isMain, options);
  } catch (err) {
    if (err?.code === 'MODULE_NOT_FOUND' && SDK.test(request)) return bootstrapRequire.resolve(request);
    throw err;
  }
};

// Compiled code of the packages the handler requires, kept across cold starts (compile-cache.mjs).
const CODE_CACHE = process.env.REHEARSE_CODE_CACHE_DIR;
delete process.env.REHEARSE_CODE_CACHE_DIR;
const codeCache = CODE_CACHE ? installCompileCache(CODE_CACHE) : undefined;

// --------------------------------------------------------- handler loading
// A TypeScript handler the runtime compiled ahead of time (harness/runtime/precompile.ts):
// imported instead of the .ts file, which then needs no tsx loader. Removed
// from the environment so the handler sees only AWS's variables and its own.
const PRECOMPILED = process.env.REHEARSE_HANDLER_MODULE;
delete process.env.REHEARSE_HANDLER_MODULE;
const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

function isEsm(file) {
  if (/\.m[jt]s$/.test(file)) return true;
  if (/\.c[jt]s$/.test(file)) return false;
  // .js/.ts: the nearest package.json's "type" decides.
  let dir = path.dirname(file);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

async function loadHandler(taskRoot, handlerString) {
  const slashAt = handlerString.lastIndexOf('/');
  const dir = slashAt >= 0 ? handlerString.slice(0, slashAt + 1) : '';
  const base = handlerString.slice(slashAt + 1);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerPath] = match;
  const modulePath = path.resolve(taskRoot, dir, moduleName);
  const file = EXTENSIONS.map((e) => modulePath + e).find((f) => fs.existsSync(f));
  if (!file) {
    throw new RuntimeError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${path.join(dir, moduleName)}'\nRequire stack:\n- ${fileURLToPathSafe(import.meta.url)}`,
    );
  }
  const precompiled = PRECOMPILED && /\.m?ts$/.test(file) ? PRECOMPILED : undefined;
  // tsx enables source maps for the files it compiles; the precompiled bundle
  // carries an inline map, so stack traces name the .ts files and lines either way.
  if (precompiled) process.setSourceMapsEnabled(true);
  let mod;
  try {
    if (precompiled) mod = await import(pathToFileURL(precompiled).href);
    else if (isEsm(file) || /\.ts$/.test(file)) mod = await import(pathToFileURL(file).href);
    else mod = createRequire(file)(file);
  } catch (err) {
    // A missing package is reported from the file the user wrote, not from the bundle.
    if (precompiled && typeof err?.message === 'string') err.message = err.message.split(precompiled).join(file);
    if (err instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
    if (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${err.message}`, err);
    }
    throw err;
  }
  let fn = mod;
  for (const key of handlerPath.split('.')) {
    fn = fn?.[key];
    // A CommonJS module imported as ESM exposes module.exports as `default`.
    if (fn === undefined && mod?.default && typeof mod.default === 'object' && key === handlerPath.split('.')[0]) fn = mod.default[key];
  }
  if (fn === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is not a function`);
  return fn;
}

function fileURLToPathSafe(u) {
  try {
    return decodeURIComponent(new URL(u).pathname);
  } catch {
    return u;
  }
}

// --------------------------------------------------------------- context
function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const clientContext = headers['lambda-runtime-client-context'];
  if (clientContext) {
    try {
      context.clientContext = JSON.parse(clientContext);
    } catch {
      context.clientContext = undefined;
    }
  }
  const identity = headers['lambda-runtime-cognito-identity'];
  if (identity) {
    try {
      context.identity = JSON.parse(identity);
    } catch {
      context.identity = undefined;
    }
  }
  return context;
}

// ----------------------------------------------------------- invocation
let pendingResult; // { error, value } waiting for an empty event loop (callback style)
let finishCurrent;

process.on('beforeExit', () => {
  // The event loop is empty: a callback-style result waiting for it is sent now;
  // a handler that never answered returns null (as AWS's runtime does).
  if (!finishCurrent) return;
  const done = finishCurrent;
  const result = pendingResult ?? { error: null, value: null };
  pendingResult = undefined;
  finishCurrent = undefined;
  done(result.error, result.value);
});

function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let answered = false;
    const finish = (error, value) => {
      if (answered) return;
      answered = true;
      finishCurrent = undefined;
      pendingResult = undefined;
      resolve({ error, value });
    };
    finishCurrent = finish;
    const callback = (error, value) => {
      if (answered || pendingResult) return;
      const err = error === undefined || error === null ? null : error;
      if (context.callbackWaitsForEmptyEventLoop) pendingResult = { error: err, value };
      else finish(err, value);
    };
    context.done = callback;
    context.succeed = (value) => callback(null, value);
    context.fail = (error) => callback(error ?? 'handled');
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      return finish(err ?? new Error('null'));
    }
    if (returned && typeof returned.then === 'function') {
      returned.then(
        (value) => finish(null, value),
        (err) => finish(err ?? new Error('null')),
      );
    }
  });
}

async function postError(requestId, error, exiting = false) {
  const doc = toErrorDocument(error);
  console.error('Invoke Error', `\t${JSON.stringify(doc)}`);
  await call('POST', `${BASE}/invocation/${encodeURIComponent(requestId)}/error`, JSON.stringify(doc), {
    'lambda-runtime-function-error-type': doc.errorType,
    // Rehearse extension: this process exits next, so it must not get another event.
    ...(exiting ? { 'lambda-runtime-rehearse-exiting': '1' } : {}),
  });
}

let activeRequestId;
async function onFatal(kind, error) {
  // An exception nobody caught while an invocation ran fails that invocation
  // and ends the environment, as in AWS.
  const requestId = activeRequestId;
  const err = kind === 'unhandledRejection'
    ? Object.assign(new RuntimeError('Runtime.UnhandledPromiseRejection', `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, error instanceof Error ? error : undefined))
    : error;
  try {
    if (requestId) await postError(requestId, err, true);
    else console.error(`${kind}`, err);
  } finally {
    process.exit(129);
  }
}
process.on('uncaughtException', (e) => void onFatal('uncaughtException', e));
process.on('unhandledRejection', (e) => void onFatal('unhandledRejection', e));

async function main() {
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? '');
  } catch (err) {
    const doc = toErrorDocument(err);
    console.error(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(doc)}`);
    await call('POST', `${BASE}/init/error`, JSON.stringify(doc), { 'lambda-runtime-function-error-type': doc.errorType });
    process.exit(129);
  }
  for (;;) {
    let next;
    try {
      next = await call('GET', `${BASE}/invocation/next`);
    } catch {
      process.exit(0); // the endpoint is gone
    }
    if (next.status !== 200) process.exit(0);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    activeRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] ?? '';
    let event;
    try {
      event = next.body === '' ? {} : JSON.parse(next.body);
    } catch (err) {
      await postError(requestId, new RuntimeError('Runtime.UnmarshalError', `Unable to parse event: ${err.message}`));
      continue;
    }
    const context = makeContext(next.headers);
    const { error, value } = await runHandler(handler, event, context);
    if (error !== null && error !== undefined) {
      await postError(requestId, error);
    } else {
      let body;
      try {
        body = JSON.stringify(value === undefined ? null : value);
      } catch (err) {
        await postError(requestId, new RuntimeError('Runtime.SerializationError', err.message, err));
        continue;
      }
      await call('POST', `${BASE}/invocation/${encodeURIComponent(requestId)}/response`, body ?? 'null');
    }
    activeRequestId = undefined;
    // Once an invocation's answer is out: what it ran is compiled by now, and goes in the entries
    // (nothing to write after the first, unless it required a package the first did not).
    codeCache?.flush();
  }
}

await main();

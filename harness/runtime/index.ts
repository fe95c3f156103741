/** Runs Lambda handlers (see lambda-runtime.ts). */
export { LambdaRuntime, DEFAULT_MAX_ENVIRONMENTS } from './lambda-runtime.ts';
export type { EnvironmentLease, LambdaRuntimeOptions, RuntimeApiRequest } from './lambda-runtime.ts';
export type { RuntimeApiResponse } from './environment.ts';
export { startRuntimeApiServer } from './runtime-api-server.ts';
export type { RuntimeApiServer } from './runtime-api-server.ts';
export { SUPPORTED_RUNTIMES, runtimeFamily, resolveNodeHandlerFile, PYTHON_INTERPRETER, FUNCTION_SECRET_ACCESS_KEY, functionAccessKeyId } from './launch.ts';
export { logTail, LOG_TAIL_BYTES } from './log-lines.ts';
export { isRuntimeApiPath, RUNTIME_API_PREFIX } from './runtime-api.ts';
export type { FunctionSpec, InvocationRequest, InvocationResult, InvocationStatus, RuntimeFamily } from './types.ts';

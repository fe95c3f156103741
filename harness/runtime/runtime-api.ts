/**
 * Routing of Lambda Runtime API requests (version 2018-06-01) to the
 * execution environment that made them. Each environment's
 * AWS_LAMBDA_RUNTIME_API is `host:port/lambda-runtime/<envId>`, so every
 * runtime client that builds `http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/…`
 * (as AWS documents) names its environment in the path.
 */

export const RUNTIME_API_PREFIX = '/lambda-runtime/';

export type RuntimeApiCall =
  | { envId: string; kind: 'next' }
  | { envId: string; kind: 'response' | 'error'; requestId: string }
  | { envId: string; kind: 'init-error' };

const PATTERN = /^\/lambda-runtime\/([A-Za-z0-9_-]+)\/2018-06-01\/runtime\/(?:(invocation\/next)|invocation\/([^/]+)\/(response|error)|(init\/error))\/?$/;

export function isRuntimeApiPath(path: string): boolean {
  return path.startsWith(RUNTIME_API_PREFIX);
}

/** Parses a Runtime API path; undefined when the path or method is not one of the four calls. */
export function parseRuntimeApiCall(method: string, path: string): RuntimeApiCall | undefined {
  const m = PATTERN.exec(path);
  if (!m) return undefined;
  const envId = m[1]!;
  if (m[2]) return method === 'GET' ? { envId, kind: 'next' } : undefined;
  if (method !== 'POST') return undefined;
  if (m[5]) return { envId, kind: 'init-error' };
  return { envId, kind: m[4] as 'response' | 'error', requestId: decodeURIComponent(m[3]!) };
}

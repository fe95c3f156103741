/**
 * A standalone HTTP listener for the Runtime API, for using the runtime
 * without the emulator (runtime tests, benchmarks, a harness that serves
 * functions to another backend). Inside the emulator the Lambda service
 * serves the same paths on the emulator's one port instead.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaRuntime } from './lambda-runtime.ts';

export interface RuntimeApiServer extends AsyncDisposable {
  /** `127.0.0.1:<port>` (what AWS_LAMBDA_RUNTIME_API is built from). */
  readonly hostPort: string;
  close(): Promise<void>;
}

export async function startRuntimeApiServer(runtime: () => LambdaRuntime, options: { host?: string; port?: number } = {}): Promise<RuntimeApiServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      runtime()
        .handleRuntimeApi({ method: req.method ?? 'GET', path, headers: req.headers, body: Buffer.concat(chunks) })
        .then(
          (r) => {
            res.writeHead(r.status, r.headers ?? {});
            res.end(r.body ?? '');
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ errorType: 'Runtime.ServiceError', errorMessage: String(err) }));
          },
        );
    });
  });
  // Long polls must not be cut by the default request/keep-alive timeouts.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { hostPort: `${host}:${port}`, close, [Symbol.asyncDispose]: close };
}

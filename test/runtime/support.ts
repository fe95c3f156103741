/** Runtime tests run the runtime on its own Runtime API listener (no emulator needed). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIdSource } from '../../harness/core/index.ts';
import { LambdaRuntime, startRuntimeApiServer, type FunctionSpec } from '../../harness/runtime/index.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface RuntimeFixture extends AsyncDisposable {
  runtime: LambdaRuntime;
  spec(name: string, overrides: Partial<FunctionSpec> & { handler: string }): FunctionSpec;
  invoke(spec: FunctionSpec, event: unknown, extra?: { crash?: boolean }): ReturnType<LambdaRuntime['invoke']>;
}

let requestCounter = 0;

export async function startRuntime(options: { idleTimeoutMs?: number; maxEnvironments?: number; initTimeoutMs?: number } = {}): Promise<RuntimeFixture> {
  const holder: { runtime?: LambdaRuntime } = {};
  const server = await startRuntimeApiServer(() => holder.runtime!);
  const runtime = new LambdaRuntime({
    region: 'eu-west-1',
    runtimeApiHost: () => server.hostPort,
    endpointUrl: () => 'http://127.0.0.1:9',
    ids: createIdSource('runtime-test'),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.maxEnvironments !== undefined ? { maxEnvironments: options.maxEnvironments } : {}),
    ...(options.initTimeoutMs !== undefined ? { initTimeoutMs: options.initTimeoutMs } : {}),
  });
  holder.runtime = runtime;
  const rt = runtime;
  return {
    runtime: rt,
    spec: (name, overrides) => ({
      functionName: name,
      functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
      version: '$LATEST',
      runtime: 'nodejs20.x',
      codeDir: join(FIXTURES, 'node'),
      timeoutSeconds: 5,
      memorySizeMb: 256,
      environment: {},
      revisionId: 'r1',
      ...overrides,
    }),
    invoke: (spec, event, extra = {}) =>
      rt.invoke(spec, { requestId: `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`, payload: JSON.stringify(event), ...extra }),
    async [Symbol.asyncDispose]() {
      await rt.dispose();
      await server.close();
    },
  };
}

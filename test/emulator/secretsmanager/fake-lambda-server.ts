/**
 * A Secrets Manager endpoint whose `deps.lambda()` is a test invoker: used for
 * rotation while the real Lambda service (harness/emulator/lambda) is not
 * available. The invoker runs `handler(event)` in-process; the handler talks
 * to the endpoint over HTTP with SDK v3, exactly as a deployed rotation
 * function would (credentials `LAMBDA_<name>`, so reads are attributed to it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, createIdSource, type Clock } from '../../../harness/core/index.ts';
import { FaultRegistry } from '../../../harness/emulator/faults.ts';
import { Observations } from '../../../harness/emulator/observations.ts';
import type { LambdaInvokeOutcome, LambdaInvoker, ServiceDeps } from '../../../harness/emulator/service-deps.ts';
import { createProtocolHandler } from '../../../harness/protocol/http-handler.ts';
import { createSecretsManagerService } from '../../../harness/emulator/secretsmanager/index.ts';
import { createSnsService } from '../../../harness/emulator/sns/index.ts';

export interface FakeFunction {
  /** Resolves with the result, or throws: a throw becomes a function error (`Unhandled`). */
  handler(event: unknown, context: { functionName: string; endpoint: string }): Promise<unknown>;
}

export interface InvocationLog {
  functionName: string;
  invocationType: string;
  event: unknown;
  caller?: string;
  error?: string;
}

export interface FakeLambdaServer extends AsyncDisposable {
  endpoint: string;
  observations: Observations;
  invocations: InvocationLog[];
  functions: Map<string, FakeFunction>;
  /** Waits until at least `n` invocations are in `invocations` and none is still running (async SNS deliveries). */
  settled(n: number): Promise<void>;
  dispose(): Promise<void>;
}

function functionNameOf(nameOrArn: string): string {
  const m = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

export async function startFakeLambdaServer(clock: Clock): Promise<FakeLambdaServer> {
  const observations = new Observations();
  const faults = new FaultRegistry();
  const ids = createIdSource('fake-lambda-server');
  const functions = new Map<string, FakeFunction>();
  const invocations: InvocationLog[] = [];
  let running = 0;
  let endpoint = '';
  const log = { info: () => {}, warn: () => {}, error: () => {} };

  const invoker: LambdaInvoker = {
    async invoke(request): Promise<LambdaInvokeOutcome> {
      const functionName = functionNameOf(request.functionName);
      const fn = functions.get(functionName);
      if (!fn) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${request.functionName}`, 404);
      const entry: InvocationLog = { functionName, invocationType: request.invocationType ?? 'RequestResponse', event: JSON.parse(request.payload), caller: request.caller };
      invocations.push(entry);
      running++;
      const run = async (): Promise<LambdaInvokeOutcome> => {
        try {
          const result = await fn.handler(entry.event, { functionName, endpoint });
          return { statusCode: 200, payload: JSON.stringify(result ?? null), executedVersion: '$LATEST', requestId: ids.uuid() };
        } catch (e) {
          entry.error = e instanceof Error ? e.name : String(e);
          return {
            statusCode: 200,
            payload: JSON.stringify({ errorType: entry.error, errorMessage: e instanceof Error ? e.message : String(e) }),
            functionError: 'Unhandled',
            executedVersion: '$LATEST',
            requestId: ids.uuid(),
          };
        } finally {
          running--;
        }
      };
      if (request.invocationType === 'Event') {
        void run();
        return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId: ids.uuid() };
      }
      return run();
    },
  };

  const deps = (name: string): ServiceDeps => ({
    clock,
    ids: ids.fork(name),
    region: 'us-east-1',
    accountId: '000000000000',
    observations,
    faults,
    log,
    endpoint: () => endpoint,
    lambda: () => invoker,
  });
  const services = [createSecretsManagerService(deps('secretsmanager')), createSnsService(deps('sns'))];
  const handle = createProtocolHandler({
    services: services.flatMap((s) => s.protocols),
    region: 'us-east-1',
    accountId: '000000000000',
    ids: ids.fork('protocol'),
    clock,
    faults,
    log,
    endpoint: () => endpoint,
  });
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dispose = async (): Promise<void> => {
    for (const s of services) await s.dispose?.();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    endpoint,
    observations,
    invocations,
    functions,
    async settled(n: number) {
      for (let i = 0; i < 500 && (invocations.length < n || running > 0); i++) await new Promise((r) => setTimeout(r, 10));
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

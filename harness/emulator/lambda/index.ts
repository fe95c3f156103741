/**
 * The Lambda service: the restJson1 API (functions, Invoke, concurrency,
 * permissions, tags) and the Runtime API its execution environments call,
 * both on the emulator's one port. `invoker` is what deps.lambda() returns
 * to the other services (S3 notifications, Secrets Manager rotation, Step
 * Functions).
 */
import { rmSync } from 'node:fs';
import { AwsServiceError } from '../../core/index.ts';
import type { RestProtocolService, RestRequest, RestResponse } from '../../protocol/service.ts';
import { LambdaRuntime } from '../../runtime/index.ts';
import { ownSnapshot, type EmulatedService, type LambdaInvoker, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { createCodeRoot, discardCode } from './code.ts';
import { DEFAULT_ACCOUNT_CONCURRENCY, Invocations } from './invoke.ts';
import { LayerStore, type LayerVersionRecord } from './layers.ts';
import { copyFunction, FunctionStore, type FunctionRecord } from './models.ts';
import { LambdaOperations } from './operations.ts';
import { findRoute, LAMBDA_PATH } from './routes.ts';
import { EventSourceMappings } from './event-source-mappings.ts';
import type { EventSourceMapping } from './sqs-poller.ts';

export interface LambdaService extends EmulatedService {
  invoker: LambdaInvoker;
  /** The runtime (environment statistics, tests). */
  runtime: LambdaRuntime;
  /** Resolves when every queued asynchronous invocation (and its retries) has finished. */
  drainAsync(): Promise<void>;
}

interface LambdaSnapshot extends ServiceSnapshot {
  functions: FunctionRecord[];
  mappings: EventSourceMapping[];
  layers: LayerVersionRecord[];
}

export function createLambdaService(deps: ServiceDeps): LambdaService {
  const accountConcurrency = deps.lambdaAccountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
  if (!Number.isInteger(accountConcurrency) || accountConcurrency < 1) {
    throw new Error(`lambdaAccountConcurrency must be an integer >= 1, got ${JSON.stringify(accountConcurrency)}`);
  }
  const store = new FunctionStore();
  const runtime = new LambdaRuntime({
    ...(deps.lambdaMaxEnvironments !== undefined ? { maxEnvironments: deps.lambdaMaxEnvironments } : {}),
    region: deps.region,
    runtimeApiHost: () => deps.endpoint().replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    endpointUrl: () => deps.endpoint(),
    ids: deps.ids.fork('runtime'),
  });
  let codeRoot: string | undefined;
  const ensureCodeRoot = (): string => (codeRoot ??= createCodeRoot(deps.dataDir));
  const invocations = new Invocations({
    clock: deps.clock,
    ids: deps.ids.fork('invocations'),
    region: deps.region,
    accountId: deps.accountId,
    store,
    runtime,
    faults: deps.faults,
    observations: deps.observations,
    log: deps.log,
    accountConcurrency,
  });
  const mappings = new EventSourceMappings({
    clock: deps.clock,
    ids: deps.ids.fork('event-source-mappings'),
    region: deps.region,
    accountId: deps.accountId,
    store,
    invocations,
    log: deps.log,
    sqs: () => deps.sqs?.(),
  });
  const layers = new LayerStore({
    region: deps.region,
    accountId: deps.accountId,
    now: () => deps.clock.now(),
    endpoint: deps.endpoint,
    codeContext: (name) => ({ functionName: name, codeRoot: ensureCodeRoot, endpoint: deps.endpoint, region: deps.region }),
  });
  const ops = new LambdaOperations({
    mappings,
    layers,
    clock: deps.clock,
    ids: deps.ids.fork('operations'),
    region: deps.region,
    accountId: deps.accountId,
    store,
    runtime,
    invocations,
    accountConcurrency,
    codeRoot: ensureCodeRoot,
    endpoint: deps.endpoint,
  });

  const api: RestProtocolService = {
    kind: 'rest',
    signingName: 'lambda',
    protocol: 'restJson1',
    matches(req) {
      if (runtime.isRuntimeApiPath(req.path)) return true;
      if (req.signingService !== undefined && req.signingService !== 'lambda') return false;
      return LAMBDA_PATH.test(req.path);
    },
    operationName(req: RestRequest) {
      return findRoute(req.method, req.path)?.route.operation;
    },
    async handle(req: RestRequest): Promise<RestResponse> {
      if (runtime.isRuntimeApiPath(req.path)) return runtime.handleRuntimeApi(req);
      const found = findRoute(req.method, req.path);
      if (!found) {
        throw new AwsServiceError('UnknownOperationException', `Lambda has no operation for ${req.method} ${req.path}`, 404, { fields: { Type: 'User' } });
      }
      return found.route.run(ops, req, found.params);
    },
  };

  const invoker: LambdaInvoker = {
    invoke: (request) =>
      invocations.invoke({
        functionName: request.functionName,
        payload: request.payload,
        ...(request.invocationType ? { invocationType: request.invocationType } : {}),
        ...(request.qualifier ? { qualifier: request.qualifier } : {}),
        ...(request.caller ? { caller: request.caller } : {}),
        ...((request as { logType?: 'Tail' | 'None' }).logType ? { logType: (request as { logType?: 'Tail' | 'None' }).logType } : {}),
      }),
  };

  async function reset(): Promise<void> {
    mappings.replace([]);
    invocations.cancelAsync();
    for (const fn of store.clear()) discardCode(fn.code);
    layers.clear();
    await runtime.reset();
  }

  function snapshot(): LambdaSnapshot {
    for (const fn of store.list()) {
      // Code extracted from a zip stays on disk while a snapshot names it: a
      // later update or delete of the function no longer removes it (the
      // service's own code root goes at dispose).
      fn.code.owned = false;
    }
    return { service: 'lambda', functions: store.list().map(copyFunction), mappings: mappings.snapshot(), layers: layers.snapshot() };
  }

  async function restore(s: ServiceSnapshot): Promise<void> {
    const { functions, mappings: savedMappings, layers: savedLayers } = ownSnapshot<LambdaSnapshot>('lambda', s);
    mappings.replace([]);
    invocations.cancelAsync();
    // Every execution environment stops: a restored function cold-starts, with
    // fresh module state; an invocation begun before is refused, not run in the restored world.
    await runtime.restart();
    for (const fn of store.clear()) discardCode(fn.code);
    for (const fn of functions) store.put(copyFunction(fn));
    layers.replace(savedLayers ?? []);
    mappings.replace(savedMappings);
  }

  return {
    name: 'lambda',
    protocols: [api],
    invoker,
    runtime,
    drainAsync: () => invocations.drain(),
    reset,
    snapshot,
    restore,
    async dispose() {
      mappings.replace([]);
      invocations.cancelAsync();
      await runtime.dispose();
      for (const fn of store.clear()) discardCode(fn.code);
      layers.clear();
      // A temp code root is ours alone; a data dir's stays (it only holds extracted zips).
      if (codeRoot && !deps.dataDir) rmSync(codeRoot, { recursive: true, force: true });
    },
  };
}

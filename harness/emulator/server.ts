/**
 * The composition root (DESIGN.md style 6): one HTTP port, one Clock, every
 * service built once. `startEmulator()` is what tests, scenarios and
 * `rehearse serve` start.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, REAL_CLOCK, RehearseError, ReseedableIdSource, SystemClock, VirtualClock, type AutoAdvance, type Clock } from '../core/index.ts';
import { createProtocolHandler } from '../protocol/http-handler.ts';
import type { ProtocolService } from '../protocol/service.ts';
import { createControlHandler, isControlRequest } from './control.ts';
import { FaultRegistry } from './faults.ts';
import { MockConfigs } from './mock-configs.ts';
import { Observations } from './observations.ts';
import type { EmulatedService, EventPublisher, LambdaInvoker, Logger, ServiceDeps, ServiceSnapshot, SqsEventSource } from './service-deps.ts';

export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind (default 127.0.0.1: never exposed beyond this machine unless asked). */
  host?: string;
  /** Persist S3 objects, secrets and DynamoDB tables here; a restart on the same directory loses nothing. */
  dataDir?: string;
  /** Seed for every id and jitter (same seed → same ids). */
  seed?: number | string;
  /** A Clock to share with the caller, or `'real'` (default) / `'virtual'` (auto-advancing when idle). */
  clock?: Clock | 'real' | 'virtual';
  region?: string;
  accountId?: string;
  /** Reject requests whose SigV4 signature is wrong (default: any credentials are accepted). */
  verifySignatures?: boolean;
  /** Secret per access key id used when verifying; keys not listed use `defaultSecretAccessKey`. */
  credentials?: Record<string, string>;
  /** Secret assumed for unlisted access keys when verifying (default `test`). */
  defaultSecretAccessKey?: string;
  /** Where log lines go (default: warnings and errors to stderr); `false` silences everything. */
  log?: Logger | false;
  /** Only build these services (signing names: s3, secretsmanager, sns, sqs, events, dynamodb, lambda, states). Default: all available. */
  services?: string[];
  /** Most Lambda execution environments (child processes) alive at once; more invocations wait FIFO (default 32). */
  maxEnvironments?: number;
  /** Lambda account concurrency quota (ConcurrentExecutions); beyond it Invoke → 429 TooManyRequestsException (default 1000). */
  lambdaAccountConcurrency?: number;
  /**
   * A Step Functions Local MockConfigFile (what `SFN_MOCK_CONFIG` names for
   * Step Functions Local): StartExecution on `<stateMachineArn>#<TestCase>`
   * runs that test case. Read again whenever the file changes.
   */
  mockConfigFile?: string;
}

export interface Emulator extends AsyncDisposable {
  /** Base URL every SDK client uses, e.g. `http://127.0.0.1:4566`. */
  readonly endpoint: string;
  readonly port: number;
  readonly host: string;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Names of the services that were built. */
  readonly services: string[];
  readonly observations: Observations;
  readonly faults: FaultRegistry;
  /** The MockConfigFile the endpoint reads, and the one a scenario installed. */
  readonly mockConfigs: MockConfigs;
  /** Every service forgets everything; clock and seed stay (same as `POST /_rehearse/reset`). */
  reset(): Promise<void>;
  /**
   * Copies the state of every service, the clock (virtual: its time), the
   * fault plan and its counters, and the observations; kept under the id
   * returned (`POST /_rehearse/snapshots`). Throws when a service cannot be
   * snapshotted (it lacks snapshot(), or holds state that cannot be copied,
   * such as a running execution).
   */
  snapshot(): Promise<string>;
  /**
   * Puts everything back as it was at `snapshot()` (any number of times):
   * work started since is stopped, Lambda environments are stopped (a
   * restored function cold-starts), and every id source starts over from
   * `seed` (default: one derived from the seed at snapshot time), so the same
   * seed gives the same ids whatever ran before.
   */
  restore(snapshotId: string, options?: { seed?: string }): Promise<void>;
  /** Forgets a snapshot; false when there was none with that id. */
  discardSnapshot(snapshotId: string): boolean;
  /** Stops accepting requests, lets running ones finish (up to 2 s), stops services, releases the port. */
  dispose(): Promise<void>;
}

interface ServiceModuleSpec {
  name: string;
  dir: string;
  /** The folder's index module, imported only when the service is built (a literal import, so a bundler sees it). */
  load: () => Promise<Record<string, unknown>>;
  factory: string;
}

/** Every service folder's index module and the factory it exports. */
const SERVICE_MODULES: ServiceModuleSpec[] = [
  { name: 's3', dir: 's3', load: () => import('./s3/index.ts'), factory: 'createS3Service' },
  { name: 'secretsmanager', dir: 'secretsmanager', load: () => import('./secretsmanager/index.ts'), factory: 'createSecretsManagerService' },
  { name: 'sns', dir: 'sns', load: () => import('./sns/index.ts'), factory: 'createSnsService' },
  { name: 'dynamodb', dir: 'dynamodb', load: () => import('./dynamodb/index.ts'), factory: 'createDynamoDbService' },
  { name: 'sqs', dir: 'sqs', load: () => import('./sqs/index.ts'), factory: 'createSqsService' },
  { name: 'events', dir: 'events', load: () => import('./events/index.ts'), factory: 'createEventsService' },
  { name: 'scheduler', dir: 'scheduler', load: () => import('./scheduler/index.ts'), factory: 'createSchedulerService' },
  { name: 'lambda', dir: 'lambda', load: () => import('./lambda/index.ts'), factory: 'createLambdaService' },
  { name: 'states', dir: 'stepfunctions', load: () => import('./stepfunctions/index.ts'), factory: 'createStepFunctionsService' },
];

const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

const STDERR_LOGGER: Logger = {
  info: () => {},
  warn: (m) => process.stderr.write(`rehearse: warning: ${m}\n`),
  error: (m) => process.stderr.write(`rehearse: error: ${m}\n`),
};
const SILENT_LOGGER: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function resolveClock(option: EmulatorOptions['clock']): Clock {
  if (option === undefined || option === 'real') return new SystemClock();
  if (option === 'virtual') return new VirtualClock({ autoAdvance: 'idle' });
  return option;
}

/** A Lambda invoker that exists before (or without) the Lambda service. */
function missingLambda(): LambdaInvoker {
  return {
    invoke: async (request) => {
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${request.functionName} (the Lambda service is not available on this endpoint)`, 404);
    },
  };
}

function isLambdaInvoker(v: unknown): v is LambdaInvoker {
  return v !== null && typeof v === 'object' && typeof (v as LambdaInvoker).invoke === 'function';
}

function isEventPublisher(v: unknown): v is EventPublisher {
  return v !== null && typeof v === 'object' && typeof (v as EventPublisher).publish === 'function';
}

function isSqsEventSource(v: unknown): v is SqsEventSource {
  return v !== null && typeof v === 'object' && typeof (v as SqsEventSource).receive === 'function' && typeof (v as SqsEventSource).watch === 'function';
}

async function loadServices(deps: (name: string) => ServiceDeps, log: Logger, only: string[] | undefined): Promise<EmulatedService[]> {
  const out: EmulatedService[] = [];
  for (const spec of SERVICE_MODULES) {
    if (only && !only.includes(spec.name)) continue;
    let factory: unknown;
    try {
      factory = (await spec.load())[spec.factory];
    } catch (e) {
      log.error(`service ${spec.name}: cannot load ${spec.dir}/index, skipped: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (typeof factory !== 'function') {
      log.error(`service ${spec.name}: ${spec.dir}/index does not export ${spec.factory}(deps), skipped`);
      continue;
    }
    out.push(await (factory as (d: ServiceDeps) => EmulatedService | Promise<EmulatedService>)(deps(spec.name)));
  }
  return out;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const log = options.log === false ? SILENT_LOGGER : (options.log ?? STDERR_LOGGER);
  const clock = resolveClock(options.clock);
  const ids = new ReseedableIdSource(options.seed);
  const observations = new Observations();
  const faults = new FaultRegistry();
  const mockConfigs = new MockConfigs(options.mockConfigFile);
  let endpoint = '';
  let lambdaInvoker: LambdaInvoker | undefined;
  let sqsEventSource: SqsEventSource | undefined;
  let eventPublisher: EventPublisher | undefined;
  let protocols: ProtocolService[] = [];
  const internalIds = ids.fork('internal-calls');

  const services = await loadServices(
    (name) => ({
      clock,
      ids: ids.fork(`service:${name}`),
      region,
      accountId,
      dataDir: options.dataDir,
      observations,
      faults,
      mockConfigs,
      log,
      endpoint: () => endpoint,
      lambda: () => lambdaInvoker ?? missingLambda(),
      sqs: () => sqsEventSource,
      events: () => eventPublisher,
      callService: (signingName, operation, input, principal) => callService(signingName, operation, input, principal),
      ...(options.maxEnvironments !== undefined ? { lambdaMaxEnvironments: options.maxEnvironments } : {}),
      ...(options.lambdaAccountConcurrency !== undefined ? { lambdaAccountConcurrency: options.lambdaAccountConcurrency } : {}),
    }),
    log,
    options.services,
  );
  for (const s of services) {
    const candidate = (s as unknown as { invoker?: unknown }).invoker;
    if (s.name === 'lambda' && isLambdaInvoker(candidate)) lambdaInvoker = candidate;
    const source = (s as unknown as { eventSource?: unknown }).eventSource;
    if (s.name === 'sqs' && isSqsEventSource(source)) sqsEventSource = source;
    const publisher = (s as unknown as { publisher?: unknown }).publisher;
    if (s.name === 'events' && isEventPublisher(publisher)) eventPublisher = publisher;
  }

  protocols = services.flatMap((s) => s.protocols);

  /**
   * One service calling another in-process (ServiceDeps.callService): the
   * operation runs as it would for a request signed by `principal`, after the
   * fault plan's operation faults for it (a throttled SendMessage fails for
   * EventBridge as for anyone).
   */
  async function callService(signingName: string, operation: string, input: Record<string, unknown>, principal: string): Promise<unknown> {
    const json = protocols.find((p): p is Extract<ProtocolService, { kind: 'json' }> => p.kind === 'json' && p.signingName === signingName);
    const query = json ? undefined : protocols.find((p): p is Extract<ProtocolService, { kind: 'query' }> => p.kind === 'query' && p.signingName === signingName);
    const run = json?.operations[operation] ?? query?.operations[operation];
    if (!run) throw new AwsServiceError('ResourceNotFoundException', `The ${signingName} service (${operation}) is not available on this endpoint`, 400);
    const base = endpoint;
    const ctx = {
      requestId: internalIds.uuid(),
      region,
      accountId,
      signingService: signingName,
      accessKeyId: principal,
      caller: undefined,
      host: base.replace(/^https?:\/\//, ''),
      path: '/',
      headers: {},
      endpoint: base,
      idle: <T>(wait: (signal: AbortSignal) => Promise<T>) => wait(new AbortController().signal),
    };
    const params = json ? input : Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    const resources = json ? json.resourcesOf?.(operation, input) : query?.resourcesOf?.(operation, params as Record<string, string>, '/');
    const { faults: matched } = faults.nextOperationCall(signingName, operation, resources ?? []);
    for (const f of matched) if (f.latencyMs !== undefined && f.latencyMs > 0) await clock.sleep(f.latencyMs);
    const withError = matched.find((f) => f.error)?.error;
    if (withError) throw new AwsServiceError(withError.code, withError.message ?? `Injected fault: ${withError.code}`, withError.statusCode ?? 400);
    return run(params as Record<string, string> & Record<string, unknown>, ctx);
  }
  const handleAws = createProtocolHandler({
    services: protocols,
    region,
    accountId,
    ids: ids.fork('protocol'),
    clock,
    faults,
    log,
    endpoint: () => endpoint,
    verifySignatures: options.verifySignatures,
    credentials: options.credentials,
    defaultSecretAccessKey: options.defaultSecretAccessKey,
  });

  async function reset(): Promise<void> {
    for (const s of services) await s.reset();
    observations.reset();
    faults.clear();
    mockConfigs.clear();
  }

  /** Requests being served (Runtime API long-polls left out), and those of them that are not control API calls. */
  const active = new Set<ServerResponse>();
  const awsActive = new Set<ServerResponse>();
  const snapshots = new Map<string, EmulatorState>();
  let snapshotCount = 0;

  async function snapshot(): Promise<string> {
    const lacking = services.filter((s) => typeof s.snapshot !== 'function' || typeof s.restore !== 'function').map((s) => s.name);
    if (lacking.length > 0) {
      throw new RehearseError(
        'ERR_BAD_INPUT',
        `cannot snapshot this endpoint: service ${lacking.join(', ')} does not implement snapshot()/restore() (harness/emulator/service-deps.ts), so its state would leak from one scenario into the next`,
      );
    }
    const state: EmulatorState = {
      ...(clock instanceof VirtualClock ? { clock: { now: clock.now(), autoAdvance: clock.autoAdvance } } : {}),
      seed: ids.seed,
      faults: faults.snapshot(),
      observations: observations.snapshot(),
      services: new Map(),
    };
    for (const s of services) state.services.set(s.name, await s.snapshot());
    const id = `snapshot-${++snapshotCount}`;
    snapshots.set(id, state);
    return id;
  }

  async function restore(snapshotId: string, restoreOptions: { seed?: string } = {}): Promise<void> {
    const state = snapshots.get(snapshotId);
    if (!state) throw new RehearseError('ERR_BAD_INPUT', `no snapshot ${snapshotId} (have: ${[...snapshots.keys()].join(', ') || 'none'})`);
    // AWS requests already being served (a handler's PutObject sent just before
    // its environment was stopped) would land in the restored stores: let them
    // finish (wall clock, up to 2 s), then put everything back once more.
    const straggling = [...awsActive];
    await restoreOnce(state, restoreOptions);
    if (straggling.length === 0) return;
    const deadline = REAL_CLOCK.now() + 2000;
    while (straggling.some((res) => awsActive.has(res)) && REAL_CLOCK.now() < deadline) await REAL_CLOCK.sleep(5);
    await restoreOnce(state, restoreOptions);
  }

  async function restoreOnce(state: EmulatorState, restoreOptions: { seed?: string }): Promise<void> {
    // Nothing of the work before may fire or hold the clock any more; then every service starts over.
    if (state.clock && clock instanceof VirtualClock) clock.reset(state.clock);
    ids.reseed(restoreOptions.seed ?? `${state.seed}/restored`);
    faults.restore(state.faults);
    // A scenario's mock config is its own, as its fault plan is.
    mockConfigs.clear();
    observations.restore(state.observations);
    // Consumers first (Step Functions stops its executions before Lambda stops their environments).
    for (const s of [...services].reverse()) await s.restore(state.services.get(s.name)!);
  }

  const handleControl = createControlHandler({
    version: VERSION,
    clock,
    faults,
    mockConfigs,
    observations,
    services: () => services.map((s) => s.name),
    reset,
    snapshot,
    restore,
    hasSnapshot: (id) => snapshots.has(id),
    discardSnapshot: (id) => snapshots.delete(id),
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    // Runtime API long-polls are idle by design; shutdown does not wait for them.
    const longPoll = (req.url ?? '').includes('/runtime/invocation/next');
    const control = isControlRequest(req.url);
    if (!longPoll) {
      active.add(res);
      if (!control) awsActive.add(res);
      // A response emits 'close' once: `on` spares `once`'s wrapper and unhooking.
      res.on('close', () => {
        active.delete(res);
        awsActive.delete(res);
      });
    }
    const handler = control ? handleControl : handleAws;
    handler(req, res).catch((e: unknown) => {
      // Last line of defence: the endpoint never dies on a request.
      log.error(`unhandled error for ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"__type":"InternalFailure","message":"internal error"}');
      } else res.destroy();
    });
  };
  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000 }, onRequest);
  // An Expect other than 100-continue (an empty one included) is ignored, as AWS does, instead of Node's automatic 417.
  server.on('checkExpectation', onRequest);
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (err, socket) => {
    // Malformed HTTP: answer 400 when the socket still can, never crash.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
    log.info(`client error: ${err.message}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const advertised = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  endpoint = `http://${advertised}:${address.port}`;
  log.info(`listening on ${endpoint} (services: ${services.map((s) => s.name).join(', ') || 'none'}; clock: ${clock.kind})`);

  let disposing: Promise<void> | undefined;
  async function dispose(): Promise<void> {
    disposing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Let running requests finish (wall-clock: shutdown is real even on virtual time).
      const deadline = REAL_CLOCK.now() + 2000;
      while (active.size > 0 && REAL_CLOCK.now() < deadline) await REAL_CLOCK.sleep(10);
      for (const s of services) {
        try {
          await s.dispose?.();
        } catch (e) {
          log.error(`service ${s.name}: dispose failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      server.closeAllConnections();
      await closed;
    })();
    return disposing;
  }

  return {
    endpoint,
    port: address.port,
    host,
    clock,
    region,
    accountId,
    services: services.map((s) => s.name),
    observations,
    faults,
    mockConfigs,
    reset,
    snapshot,
    restore,
    discardSnapshot: (id) => snapshots.delete(id),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/** What a snapshot holds besides the services' own snapshots. */
interface EmulatorState {
  clock?: { now: number; autoAdvance: AutoAdvance };
  /** The root seed when it was taken. */
  seed: string;
  faults: ReturnType<FaultRegistry['snapshot']>;
  observations: ReturnType<Observations['snapshot']>;
  services: Map<string, ServiceSnapshot>;
}

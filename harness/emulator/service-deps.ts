/**
 * How services are built and wired by the composition root (server.ts): each
 * service folder exports `create<Name>Service(deps)` returning an
 * EmulatedService. Cross-service calls go through the small interfaces below.
 */
import type { Clock, IdSource } from '../core/index.ts';
import type { ProtocolService } from '../protocol/service.ts';
import type { FaultRegistry } from './faults.ts';
import type { MockConfigs } from './mock-configs.ts';
import type { Observations } from './observations.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Result of invoking a function in-process (same fields the Invoke API returns). */
export interface LambdaInvokeOutcome {
  statusCode: number;
  /** The response payload as text (a function error's `{errorType,errorMessage,…}` JSON included). */
  payload: string;
  /** `Unhandled` when the function failed. */
  functionError?: string;
  executedVersion: string;
  requestId: string;
  /** Base64 of the last 4 KB of logs, when `logType: 'Tail'`. */
  logResult?: string;
}

/**
 * In-process Lambda invocation for S3 notifications and Secrets Manager
 * rotation. Service errors (no such function, throttled) are thrown as
 * AwsServiceError with Lambda's codes.
 */
export interface LambdaInvoker {
  invoke(request: {
    functionName: string;
    payload: string;
    invocationType?: 'RequestResponse' | 'Event';
    qualifier?: string;
    caller?: string;
  }): Promise<LambdaInvokeOutcome>;
}

/** One message an event source mapping took from a queue: its SQS event record and what the poller needs. */
export interface PolledMessage {
  messageId: string;
  receiptHandle: string;
  groupId?: string;
  /** The record as Lambda hands it to the function (`{messageId, receiptHandle, body, attributes, …, eventSource: 'aws:sqs'}`). */
  record: Record<string, unknown>;
}

/**
 * What Lambda's SQS event source mappings need from SQS (harness/emulator/sqs
 * implements it): the queue's facts, receiving messages as event records,
 * deleting them, and hearing when messages may be receivable.
 */
export interface SqsEventSource {
  /** Undefined when no queue has that ARN. */
  queue(arn: string): { fifo: boolean; visibilityTimeoutSeconds: number; visibleMessages: number } | undefined;
  /** Up to `max` messages, now in flight for the queue's visibility timeout (a redrive or expiry on the way as for any receive). */
  receive(arn: string, max: number): PolledMessage[];
  deleteMessages(arn: string, receiptHandles: string[]): void;
  /**
   * Calls `listener` whenever messages may have become receivable on the
   * queue with that ARN — also after the queue is deleted and created again,
   * or restored from a snapshot. Returns the unsubscribe function.
   */
  watch(arn: string, listener: () => void): () => void;
}

/**
 * What AWS services hand EventBridge (harness/emulator/events implements it):
 * their own events, onto the account's default bus — S3's `Object Created`
 * when a bucket sends to EventBridge, Step Functions' status changes.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html
 */
export interface EventPublisher {
  publish(event: { source: string; detailType: string; detail: Record<string, unknown>; resources: string[] }): void;
}

export interface ServiceDeps {
  clock: Clock;
  /** Each service gets its own fork so ids do not depend on other services' call order. */
  ids: IdSource;
  region: string;
  accountId: string;
  /** Persist here when set (S3 objects and metadata, secrets). */
  dataDir?: string;
  observations: Observations;
  faults: FaultRegistry;
  /** Step Functions Local's MockConfigFile(s): StartExecution on `<arn>#<TestCase>` (mock-configs.ts). */
  mockConfigs?: MockConfigs;
  log: Logger;
  /** The endpoint's base URL, known once the server listens. */
  endpoint(): string;
  /** Late-bound: the Lambda service exists by the time anyone invokes. */
  lambda(): LambdaInvoker;
  /** Late-bound: SQS as Lambda's event source mappings poll it; undefined without the SQS service. */
  sqs?(): SqsEventSource | undefined;
  /** Late-bound: EventBridge's default bus for AWS services' own events; undefined without the EventBridge service. */
  events?(): EventPublisher | undefined;
  /**
   * Late-bound: runs another service's operation in-process, as an AWS
   * service's principal calls it (EventBridge delivering to a queue, a topic,
   * a state machine): the input in the operation's JSON shape (a query-only
   * service such as SNS takes string members). Throws that service's
   * AwsServiceError; faults in the plan for that operation apply.
   */
  callService?(signingName: string, operation: string, input: Record<string, unknown>, principal: string): Promise<unknown>;
  /** Lambda: most execution environments (processes) alive at once; more invocations queue (default 32). */
  lambdaMaxEnvironments?: number;
  /** Lambda: the account's ConcurrentExecutions quota; beyond it Invoke is throttled (default 1000, AWS's). */
  lambdaAccountConcurrency?: number;
}

/**
 * What a service's `snapshot()` returns: opaque to everyone but that service
 * (it checks `service` and casts back to its own shape).
 */
export interface ServiceSnapshot {
  /** The signing name of the service that took it. */
  readonly service: string;
}

export interface EmulatedService {
  /** Signing name: `s3`, `secretsmanager`, `sns`, `states`, `lambda`. */
  name: string;
  protocols: ProtocolService[];
  /** Forget everything (control API `POST /_rehearse/reset`). */
  reset(): Promise<void> | void;
  /**
   * Snapshot and restore: how a run deploys once and still starts every
   * scenario from a clean state (control API `POST /_rehearse/snapshots`,
   * `POST /_rehearse/snapshots/<id>/restore`). Every service implements
   * both; the types make a service without them fail to compile, and the
   * composition root refuses to snapshot an endpoint with a service that
   * lacks them (a JavaScript module) instead of leaving its state behind.
   *
   * `snapshot()` returns a copy of everything the service stores — resources,
   * their data, and every counter that shapes later answers or ids (sequence
   * numbers, FIFO counters…) — that nothing done afterwards can change: deep
   * copies, or shared values that are never mutated in place (an S3 object's
   * body Buffer, replaced on write). It may be restored any number of times.
   * State that cannot be copied (a running execution) makes it throw an Error
   * that says what, never a partial copy.
   *
   * `restore(snapshot)` makes the service answer exactly as it did when the
   * snapshot was taken:
   *  1. stop every piece of work started since — asynchronous invocations and
   *     their retries, running executions, pending deliveries, rotations,
   *     execution environments (a Lambda's module state is never carried
   *     over) — so that none of it touches a store, an observation or the
   *     clock any more;
   *  2. replace the stores with fresh copies of the snapshot (the snapshot
   *     itself stays intact for the next restore);
   *  3. re-arm the timers the restored state implies (rotation schedules…).
   * Before calling it the composition root has already reset the clock
   * (dropping every pending timer and hold), the observations and the fault
   * plan, and re-seeded `deps.ids` — the forks a service made from it
   * re-derive from the new seed by themselves, so same seed, same ids.
   */
  snapshot(): ServiceSnapshot | Promise<ServiceSnapshot>;
  restore(snapshot: ServiceSnapshot): Promise<void> | void;
  /** Flush and stop background work (server shutdown). */
  dispose?(): Promise<void> | void;
}

/** Narrows a snapshot back to the service's own shape, refusing one another service took. */
export function ownSnapshot<T extends ServiceSnapshot>(service: string, snapshot: ServiceSnapshot): T {
  if (snapshot.service !== service) throw new Error(`a ${snapshot.service} snapshot cannot be restored into ${service}`);
  return snapshot as T;
}

/** The URL a queue ARN names on this endpoint (`<endpoint>/<account>/<name>`): how services send to a queue in-process. */
export function queueUrlOf(endpoint: string, queueArn: string): string {
  const [, , , , account, name] = queueArn.split(':');
  return `${endpoint}/${account}/${name}`;
}

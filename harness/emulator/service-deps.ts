/**
 * How services are built and wired by the composition root (server.ts): each
 * service folder exports `create<Name>Service(deps)` returning an
 * EmulatedService. Cross-service calls go through the small interfaces below.
 */
import type { Clock, IdSource } from '../core/index.ts';
import type { ProtocolService } from '../protocol/service.ts';
import type { FaultRegistry } from './faults.ts';
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
  log: Logger;
  /** The endpoint's base URL, known once the server listens. */
  endpoint(): string;
  /** Late-bound: the Lambda service exists by the time anyone invokes. */
  lambda(): LambdaInvoker;
  /** Lambda: most execution environments (processes) alive at once; more invocations queue (default 32). */
  lambdaMaxEnvironments?: number;
  /** Lambda: the account's ConcurrentExecutions quota; beyond it Invoke is throttled (default 1000, AWS's). */
  lambdaAccountConcurrency?: number;
}

export interface EmulatedService {
  /** Signing name: `s3`, `secretsmanager`, `sns`, `states`, `lambda`. */
  name: string;
  protocols: ProtocolService[];
  /** Forget everything (control API `POST /_rehearse/reset`). */
  reset(): Promise<void> | void;
  /** Flush and stop background work (server shutdown). */
  dispose?(): Promise<void> | void;
}

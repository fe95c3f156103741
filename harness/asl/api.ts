/**
 * The engine's public contract. harness/asl is a pure library: no HTTP, no
 * filesystem; it reaches the world only through the interfaces declared here.
 * The Step Functions service (harness/emulator/stepfunctions) and the
 * conformance runner (test/asl/conformance) are its two users.
 */
import type { Clock, IdSource } from '../core/index.ts';
import type { TestStateRequest, TestStateResult } from './test-state.ts';

/** A history event exactly as GetExecutionHistory returns it, but with `timestamp` in epoch ms. */
export interface HistoryEvent {
  timestamp: number;
  /** An AWS HistoryEventType, e.g. `TaskStateEntered`, `LambdaFunctionScheduled`. */
  type: string;
  id: number;
  previousEventId: number;
  /** Exactly one `<camelCaseType>EventDetails` key as AWS names it, e.g. `stateEnteredEventDetails`. */
  [details: string]: unknown;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  /** AWS ValidateStateMachineDefinition codes, e.g. `SCHEMA_VALIDATION_FAILED`, `INVALID_JSON_DESCRIPTION`. */
  code: string;
  /** Where: `States.ResizeImage.Retry[0].BackoffRate` (or `/States/…` JSON-pointer style for ValidateStateMachineDefinition's `location`). */
  location: string;
  /** What is wrong, e.g. `must be ≥ 1.0`. */
  message: string;
}

export interface TaskContext {
  executionArn: string;
  stateName: string;
  /** Aborted when the state times out, the execution stops, or a sibling branch fails. */
  signal: AbortSignal;
  /** Set for `.waitForTaskToken` tasks. */
  taskToken?: string;
  /**
   * Set for `.sync` / `.sync:2` tasks: call it once the job has been started, with the
   * start call's response (e.g. StartExecution's `{ExecutionArn, StartDate}`); the engine
   * records it as `TaskSubmitted`, as AWS does, before the task's final event.
   */
  onSubmitted?: (response: unknown) => void;
}

export interface LambdaInvocation {
  /** Name, full ARN or partial ARN, possibly with a qualifier. */
  functionName: string;
  payload: string;
  qualifier?: string;
  invocationType?: 'RequestResponse' | 'Event' | 'DryRun';
  clientContext?: string;
}

export interface LambdaResult {
  statusCode: number;
  payload: string;
  /** `Unhandled` (or `Handled`) when the function failed; the payload then holds `{errorType, errorMessage, …}`. */
  functionError?: string;
  executedVersion: string;
  requestId: string;
}

export type IntegrationPattern = 'requestResponse' | 'sync' | 'sync:2' | 'waitForTaskToken';

export interface ServiceCall {
  /** As in the resource ARN: `s3`, `sns`, `secretsmanager`, `states`, `events`, `lambda`… */
  service: string;
  /** As in the resource ARN, e.g. `getObject`, `publish`, `startExecution`. */
  action: string;
  parameters: Record<string, unknown>;
  /** `arn:aws:states:::aws-sdk:…` (SDK integration) or an optimised integration. */
  kind: 'aws-sdk' | 'optimized';
  pattern: IntegrationPattern;
}

/**
 * How tasks reach the outside world. Service errors are thrown as
 * AwsServiceError (harness/core); the engine turns them into the error names
 * Step Functions uses (`Lambda.ResourceNotFoundException`, `SecretsManager.…`).
 */
export interface TaskInvoker {
  invokeLambda(request: LambdaInvocation, ctx: TaskContext): Promise<LambdaResult>;
  /** Everything that is not Lambda. For `states:startExecution.sync(:2)` resolves with the finished execution's DescribeExecution shape. */
  callService(call: ServiceCall, ctx: TaskContext): Promise<unknown>;
}

/** What distributed Map needs from S3 (`ItemReader`, `ResultWriter`). */
export interface S3Access {
  getObject(bucket: string, key: string, signal?: AbortSignal): Promise<Buffer>;
  listObjects(bucket: string, prefix: string, signal?: AbortSignal): Promise<Array<{ Key: string; Size: number; ETag: string; LastModified: string; StorageClass: string }>>;
  putObject(bucket: string, key: string, body: string, signal?: AbortSignal): Promise<void>;
}

export interface EngineObserver {
  /** A Map iteration started running; call the returned function when it ends (peak-concurrency checks). */
  mapIterationStarted?(executionArn: string, mapStateName: string): () => void;
  /** Every history event as it is recorded. */
  eventRecorded?(executionArn: string, event: HistoryEvent): void;
  /** An event of this type was recorded (cheaper than eventRecorded: the event is not materialised). */
  historyChanged?(executionArn: string, type: string): void;
  executionFinished?(execution: ExecutionSnapshot): void;
}

export interface EngineOptions {
  clock: Clock;
  ids: IdSource;
  invoker: TaskInvoker;
  region: string;
  accountId: string;
  s3?: S3Access;
  observer?: EngineObserver;
  /** Maximum history events per execution (AWS: 25,000). */
  maxHistoryEvents?: number;
}

export interface StartExecutionRequest {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  /** Definition text (already validated by the caller, or validated here). */
  definition: string;
  /** Input JSON text. */
  input: string;
  type: 'STANDARD' | 'EXPRESS';
  roleArn: string;
  /**
   * Mocked Task states (Step Functions Local's MockConfigFile test case):
   * asked once per invocation of every Task state, retries and Map
   * iterations included.
   */
  mocks?: ExecutionMocks;
}

/**
 * A mocked Task invocation's answer: the integration's result (`Return`),
 * the error it fails with (`Throw`), or `missing` — the state is mocked but
 * this invocation has no response, which fails the execution
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html:
 * "If you do not specify a mocked response, the state machine execution will fail").
 */
export type MockedTaskAnswer = { kind: 'return'; value: unknown } | { kind: 'throw'; error: string; cause: string } | { kind: 'missing'; message: string };

export interface ExecutionMocks {
  /** The answer for the next invocation of the Task state `stateName`; undefined when that state is not mocked (it calls its integration). */
  next(stateName: string): MockedTaskAnswer | undefined;
}

export interface ExecutionSnapshot {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** epoch ms */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionHandle {
  readonly executionArn: string;
  snapshot(): ExecutionSnapshot;
  /** Events so far, oldest first. */
  history(): readonly HistoryEvent[];
  /** Resolves when the execution reaches a terminal status. */
  readonly done: Promise<ExecutionSnapshot>;
}

/**
 * The engine. Token operations throw AwsServiceError with Step Functions codes:
 * `InvalidToken`, `TaskDoesNotExist`, `TaskTimedOut`, `InvalidOutput`.
 */
export interface Engine {
  validate(definition: string): Diagnostic[];
  start(request: StartExecutionRequest): ExecutionHandle;
  get(executionArn: string): ExecutionHandle | undefined;
  stop(executionArn: string, error?: string, cause?: string): void;
  sendTaskSuccess(taskToken: string, output: string): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(taskToken: string): void;
  /** The TestState API's run of one state (harness/asl/test-state.ts); the request is already checked. */
  testState(request: TestStateRequest): Promise<TestStateResult>;
}

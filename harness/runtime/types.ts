/**
 * What the runtime needs to know about a function, and what one invocation
 * produced. The Lambda service (harness/emulator/lambda) owns the function
 * store; the runtime only runs code.
 */

/** Which bootstrap runs the handler. */
export type RuntimeFamily = 'node' | 'python' | 'custom';

export interface FunctionSpec {
  functionName: string;
  /** Unqualified function ARN. */
  functionArn: string;
  /** `$LATEST` (published versions are not modelled). */
  version: string;
  /** AWS runtime identifier, e.g. `nodejs20.x`, `python3.12`, `provided.al2023`. */
  runtime: string;
  /** e.g. `index.handler`, `src/app.lambda_handler`. */
  handler: string;
  /** Absolute directory holding the code (LAMBDA_TASK_ROOT). */
  codeDir: string;
  /** Function timeout in seconds (1–900). */
  timeoutSeconds: number;
  /** MemorySize in MB (128–10240). */
  memorySizeMb: number;
  /** The function's Environment.Variables. */
  environment: Record<string, string>;
  /** Layer version folders, in the function's Layers order (later layers win, as when Lambda extracts them into /opt). */
  layers?: string[];
  /** Changes whenever code or configuration changes: environments of an older revision are not reused. */
  revisionId: string;
  /** CloudWatch names the runtime reports (`/aws/lambda/<name>`). */
  logGroupName?: string;
}

export interface InvocationRequest {
  requestId: string;
  /** The event as JSON text. */
  payload: string;
  /** ARN the caller used (with qualifier, if any). */
  invokedFunctionArn?: string;
  /** Base64 ClientContext as passed in `X-Amz-Client-Context`. */
  clientContext?: string;
  /** Fault injection: the environment's process is killed as soon as it receives the event. */
  crash?: boolean;
}

/** How an invocation ended. */
export type InvocationStatus = 'success' | 'error' | 'timeout' | 'exit' | 'init-error';

export interface InvocationResult {
  requestId: string;
  status: InvocationStatus;
  /** Response payload text (on failure: the `{errorType, errorMessage, …}` document). */
  payload: string;
  /** `Unhandled` when the function failed (Invoke's X-Amz-Function-Error). */
  functionError?: 'Unhandled';
  errorType?: string;
  errorMessage?: string;
  /** A new execution environment was started for this invocation. */
  coldStart: boolean;
  /** Real milliseconds from handing the event to the environment until its answer (REPORT Duration). */
  durationMs: number;
  billedDurationMs: number;
  /** Real milliseconds the environment took to become ready (REPORT Init Duration), cold starts only. */
  initDurationMs?: number;
  /** Peak resident memory of the environment, MB (REPORT Max Memory Used). */
  maxMemoryUsedMb: number;
  /** Captured output with the START/END/REPORT lines AWS writes. */
  logs: string;
}

/**
 * The harness's own errors and the one AWS service error (DESIGN.md principle 4).
 */

/**
 * An AWS API error: the protocol layer serialises it per protocol (`__type` for
 * awsJson, `<Error><Code>` for restXml, `x-amzn-errortype` for restJson) so SDK
 * clients raise the matching typed exception.
 */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly senderFault: boolean;
  /** Extra fields some protocols carry (restXml `<BucketName>`, `<Key>`; Lambda `Type`…). */
  readonly fields: Record<string, string>;
  /** Extra response headers (e.g. `x-amz-delete-marker`, `Retry-After`). */
  readonly headers: Record<string, string>;
  /**
   * Structured error members JSON protocols carry as they are (DynamoDB's
   * `CancellationReasons` list, the `Item` of a failed condition check).
   */
  readonly members: Record<string, unknown>;
  /**
   * The code the query protocol uses where it differs from `code` (Smithy's
   * `@awsQueryError`): SQS answers `QueueDoesNotExist` over awsJson but
   * `AWS.SimpleQueueService.NonExistentQueue` over the query protocol, and
   * sends the latter in awsJson's `x-amzn-query-error` header too.
   */
  readonly queryCode: string | undefined;

  constructor(
    code: string,
    message: string,
    statusCode = 400,
    options: { senderFault?: boolean; fields?: Record<string, string>; headers?: Record<string, string>; members?: Record<string, unknown>; queryCode?: string } = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
    this.senderFault = options.senderFault ?? statusCode < 500;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    this.members = options.members ?? {};
    this.queryCode = options.queryCode;
  }
}

export function isAwsServiceError(e: unknown): e is AwsServiceError {
  return e instanceof AwsServiceError;
}

/** Codes the CLI maps to exit codes (DESIGN.md style 7). */
export const EXIT_CODES = {
  ERR_SCENARIO_FAILED: 1,
  ERR_BAD_INPUT: 2,
  ERR_BACKEND_UNAVAILABLE: 3,
  ERR_INTERNAL: 4,
} as const;

export type RehearseErrorCode = keyof typeof EXIT_CODES;

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** A path into the document, e.g. `then.state.ResizeImage.attempts` or `States.Resize.Retry[0]`. */
  path?: string;
}

/** A harness error: a code (for the exit code), a one-line message, and where it happened. */
export class RehearseError extends Error {
  readonly code: RehearseErrorCode;
  readonly location: ErrorLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: RehearseErrorCode, message: string, options: { location?: ErrorLocation; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RehearseError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }
}

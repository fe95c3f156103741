/**
 * Lambda results as Step Functions sees them.
 * - A function error (`X-Amz-Function-Error`) fails the task with the payload's
 *   `errorType` as the error name and the payload text as the cause.
 * - `arn:aws:states:::lambda:invoke` wraps the payload in the Invoke API
 *   response: `{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 */
import type { LambdaResult } from '../api.ts';
import { EngineError } from '../frame.ts';

export function parsePayload(payload: string): unknown {
  if (payload === '') return null;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/**
 * A function error. The direct-ARN integration passes Lambda's payload text on
 * as the cause; `lambda:invoke` re-serialises it compactly (both as recorded by AWS).
 */
export function functionError(result: LambdaResult, compact: boolean): EngineError {
  const parsed = parsePayload(result.payload);
  const isObject = typeof parsed === 'object' && parsed !== null;
  const type = isObject ? (parsed as Record<string, unknown>).errorType : undefined;
  const cause = compact && isObject ? JSON.stringify(parsed) : result.payload;
  return new EngineError(typeof type === 'string' ? type : 'Lambda.Unknown', cause);
}

/** The `lambda:invoke` result object, with the HTTP metadata the Java SDK reports. */
export function invokeResult(result: LambdaResult, requestId: string, now: number, tail = false): Record<string, unknown> {
  const length = String(Buffer.byteLength(result.payload));
  const date = new Date(now).toUTCString();
  const traceId = `Root=1-${requestId.replace(/-/g, '').slice(0, 8)}-${requestId.replace(/-/g, '').slice(8, 32)};Sampled=0`;
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': length,
    'Content-Type': 'application/json',
    Date: date,
    'X-Amz-Executed-Version': result.executedVersion,
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
    'X-Amzn-Trace-Id': traceId,
  };
  // LogType Tail: the last 4 KB of the log, base64 (the invoker gives no log; an empty tail).
  const logResult = tail ? Buffer.from('').toString('base64') : undefined;
  if (logResult !== undefined) headers['X-Amz-Log-Result'] = logResult;
  const all: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) all[k] = [v];
  return {
    ExecutedVersion: result.executedVersion,
    ...(logResult !== undefined ? { LogResult: logResult } : {}),
    Payload: parsePayload(result.payload),
    SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: headers, HttpStatusCode: result.statusCode },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: result.statusCode,
  };
}

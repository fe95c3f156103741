/**
 * Pending `.waitForTaskToken` callbacks. SendTaskSuccess/Failure/Heartbeat
 * reach a task only through here, and fail with Step Functions' codes:
 * InvalidToken (malformed), TaskDoesNotExist (never issued), TaskTimedOut
 * (already answered, timed out, or its execution ended), InvalidOutput.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
 */
import { AwsServiceError } from '../../core/index.ts';

export interface PendingCallback {
  succeed(output: unknown, text: string): void;
  fail(error: string | undefined, cause: string | undefined): void;
  heartbeat(): void;
}

/**
 * Tokens are opaque to callers but not to AWS, which rejects any text it could
 * not have issued with InvalidToken. Ours are base64url of 96 bytes
 * (IdSource.token()), so anything else is malformed; a well-formed token that
 * names no task is TaskDoesNotExist.
 */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{128}$/;

export class TokenRegistry {
  private readonly pending = new Map<string, PendingCallback>();
  private readonly closed = new Set<string>();

  register(token: string, callback: PendingCallback): void {
    this.pending.set(token, callback);
  }

  /** The task ended (answered, timed out, aborted): later calls get TaskTimedOut. */
  close(token: string): void {
    this.pending.delete(token);
    this.closed.add(token);
  }

  private find(token: string): PendingCallback {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw new AwsServiceError('InvalidToken', 'Invalid Token: Provided task token is malformed');
    const p = this.pending.get(token);
    if (p) return p;
    if (this.closed.has(token)) throw new AwsServiceError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore');
    throw new AwsServiceError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  sendTaskSuccess(token: string, output: string): void {
    const p = this.find(token);
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      throw new AwsServiceError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    }
    p.succeed(value, output);
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    this.find(token).fail(error, cause);
  }

  sendTaskHeartbeat(token: string): void {
    this.find(token).heartbeat();
  }
}

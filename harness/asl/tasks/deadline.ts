/**
 * A task's TimeoutSeconds / HeartbeatSeconds on the execution's Clock. When one
 * fires, the task's AbortSignal (passed to the invoker) is aborted and the
 * waiting engine side rejects with States.Timeout / States.HeartbeatTimeout.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html#task-state-fields
 */
import type { Clock, Timer } from '../../core/index.ts';
import type { Cancel } from '../cancel.ts';
import { AbortedError, EngineError } from '../frame.ts';

export class Deadline {
  private readonly controller = new AbortController();
  private reason: string | undefined;
  private timeoutTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private rejectAborted: ((e: unknown) => void) | undefined;
  private readonly aborted: Promise<never>;
  private readonly unlink: () => void;

  constructor(
    private readonly clock: Clock,
    parent: Cancel,
    timeoutSeconds: number | undefined,
    private readonly heartbeatSeconds: number | undefined,
  ) {
    this.aborted = new Promise<never>((_resolve, reject) => {
      this.rejectAborted = reject;
    });
    this.aborted.catch(() => {});
    this.controller.signal.addEventListener('abort', () => this.rejectAborted!(this.error()), { once: true });
    this.unlink = parent.onAbort(() => this.controller.abort());
    if (timeoutSeconds !== undefined) this.timeoutTimer = clock.setTimer(timeoutSeconds * 1000, () => this.fire('States.Timeout'));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 'States.Timeout' / 'States.HeartbeatTimeout' once fired. */
  get timedOut(): string | undefined {
    return this.reason;
  }

  error(): Error {
    return this.reason !== undefined ? new EngineError(this.reason, undefined) : new AbortedError();
  }

  private fire(reason: string): void {
    if (this.controller.signal.aborted) return;
    this.reason = reason;
    this.controller.abort();
  }

  /** Starts (or restarts, on SendTaskHeartbeat) the heartbeat timer. */
  heartbeat(): void {
    if (this.heartbeatSeconds === undefined || this.controller.signal.aborted) return;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.clock.setTimer(this.heartbeatSeconds * 1000, () => this.fire('States.HeartbeatTimeout'));
  }

  /** Settles with `p`, or rejects as soon as the deadline fires or the branch is aborted. */
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.aborted]);
  }

  /**
   * Ends the task: stops the timers and aborts its signal, so whatever still
   * waits on it (a pending callback registered before a failed invocation)
   * lets go of its clock hold.
   */
  dispose(): void {
    if (!this.controller.signal.aborted) this.controller.abort();
    this.timeoutTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.unlink();
  }
}

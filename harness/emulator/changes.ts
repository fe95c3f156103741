/**
 * A change counter a client can wait on (`GET /_rehearse/changes`): the
 * scenario runner waits for "something it may be waiting for happened"
 * instead of polling DescribeExecution, ListExecutions and the observations
 * on a timer. Each change names what changed (topics): an execution's
 * history grew (`execution:<arn>`), an execution started (`executions`),
 * something was observed (`observations`: messages, events, invocations
 * ending). A wait names the topics it cares about and returns as soon as one
 * of them changed after the sequence number it gives, or after its wait
 * limit — so a change nobody signals costs a waiter latency, never a result.
 */
import { REAL_CLOCK, settle } from '../core/index.ts';

/** The topic of one execution's changes (its history grew, it ended). */
export const executionTopic = (executionArn: string): string => `execution:${executionArn}`;

/** Longest a single wait may last (a client wanting longer waits again). */
export const MAX_CHANGE_WAIT_MS = 5_000;

interface Waiter {
  after: number;
  topics: readonly string[];
  resolve(seq: number): void;
}

export class ChangeFeed {
  private seq = 0;
  /** The sequence number of each topic's last change. */
  private readonly last = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private flushing = false;

  get current(): number {
    return this.seq;
  }

  /** Something changed under these topics. Waiters are woken after the event loop's current turns (settle), so a burst is one wake. */
  changed(...topics: string[]): void {
    const seq = ++this.seq;
    for (const t of topics) this.last.set(t, seq);
    if (this.waiters.size === 0 || this.flushing) return;
    this.flushing = true;
    void settle().then(() => {
      this.flushing = false;
      for (const w of this.waiters) if (this.changedSince(w.after, w.topics)) this.wake(w);
    });
  }

  /**
   * Resolves with the current sequence number once a topic changed after
   * `after`, or after `waitMs` (at most MAX_CHANGE_WAIT_MS), or when `signal`
   * aborts. With no `after`, resolves at once: the number to wait from.
   */
  wait(after: number | undefined, topics: readonly string[], waitMs: number, signal?: AbortSignal): Promise<number> {
    if (after === undefined || this.changedSince(after, topics) || signal?.aborted) return Promise.resolve(this.seq);
    return new Promise((resolve) => {
      const done = () => this.wake(w);
      const w: Waiter = {
        after,
        topics,
        resolve: (seq) => {
          timer.cancel();
          signal?.removeEventListener('abort', done);
          resolve(seq);
        },
      };
      // Wall-clock: a wait is a client's, and must end even while virtual time stands still.
      const timer = REAL_CLOCK.setTimer(Math.max(0, Math.min(waitMs, MAX_CHANGE_WAIT_MS)), done);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(w);
    });
  }

  /** Forgets the topics (reset, restore): their executions are gone. Sequence numbers keep growing. */
  clear(): void {
    this.last.clear();
    this.changed('executions', 'observations');
  }

  private changedSince(after: number, topics: readonly string[]): boolean {
    for (const t of topics) if ((this.last.get(t) ?? 0) > after) return true;
    return false;
  }

  private wake(w: Waiter): void {
    if (!this.waiters.delete(w)) return;
    w.resolve(this.seq);
  }
}

/**
 * How virtual time treats a worker outside the endpoint that received
 * messages: while it works on them (real time the endpoint cannot see), the
 * clock must not jump past their visibility timeout — or the message would
 * reappear, and be received twice, under a worker about to delete it.
 *
 * The rule: messages received over HTTP by a client (not by a Lambda
 * function, not by Step Functions — the endpoint sees their work start and
 * end) hold the clock from the receive until the first of
 * - every one of them deleted, or its visibility changed;
 * - the same receiver (access key) calling ReceiveMessage on that queue again:
 *   a worker that asks again is done with what it had;
 * - RECEIPT_GRACE_MS of real time: a worker that walked away cannot stop
 *   virtual time for longer.
 * Only a virtual clock is held; on the wall clock time runs anyway.
 */
import { REAL_CLOCK, type Clock, type Timer } from '../../core/index.ts';

/** Real time a receipt holds virtual time at most. */
export const RECEIPT_GRACE_MS = 2000;

interface Hold {
  release: () => void;
  timer: Timer;
  handles: Set<string>;
}

export class ReceiptHolds {
  private readonly holds = new Map<string, Hold>();
  private readonly owner = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  /** A receive by `receiver`: ends what it held on this queue, then holds for what it got. */
  received(receiver: string, queueArn: string, handles: string[]): void {
    const key = `${receiver} ${queueArn}`;
    this.end(key);
    if (this.clock.kind !== 'virtual' || handles.length === 0) return;
    const release = this.clock.hold('work', `sqs: ${handles.length} message(s) of ${queueArn.split(':').pop()} received by ${receiver}, not yet deleted`);
    const timer = REAL_CLOCK.setTimer(RECEIPT_GRACE_MS, () => this.end(key));
    this.holds.set(key, { release, timer, handles: new Set(handles) });
    for (const h of handles) this.owner.set(h, key);
  }

  /** A receiver asks again (before it waits): whatever it held on this queue is done. */
  asksAgain(receiver: string, queueArn: string): void {
    this.end(`${receiver} ${queueArn}`);
  }

  /** A message was deleted or had its visibility changed. */
  settled(handle: string): void {
    const key = this.owner.get(handle);
    if (key === undefined) return;
    this.owner.delete(handle);
    const hold = this.holds.get(key);
    if (!hold) return;
    hold.handles.delete(handle);
    if (hold.handles.size === 0) this.end(key);
  }

  /** The queue is gone: nobody works on its messages any more. */
  endQueue(queueArn: string): void {
    for (const key of [...this.holds.keys()]) if (key.endsWith(` ${queueArn}`)) this.end(key);
  }

  clear(): void {
    for (const key of [...this.holds.keys()]) this.end(key);
  }

  private end(key: string): void {
    const hold = this.holds.get(key);
    if (!hold) return;
    this.holds.delete(key);
    hold.timer.cancel();
    hold.release();
    for (const h of hold.handles) this.owner.delete(h);
  }
}

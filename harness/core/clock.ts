/**
 * The one Clock (DESIGN.md principle 3). Waits, retry back-off, task timeouts,
 * heartbeats and rotation schedules all read it. Only harness/core may touch
 * the real timers; everything else receives a Clock.
 */

export interface Timer {
  cancel(): void;
}

/**
 * What keeps virtual time from jumping:
 * - `work`: something is running right now (an HTTP request, a Lambda invocation).
 * - `callback`: an outside party may still answer (a pending task token). Virtual
 *   time does not jump over a pending callback unless auto-advance is
 *   `'idle-ignoring-callbacks'` or someone advances the clock explicitly.
 */
export type HoldKind = 'work' | 'callback';

export interface TimerOptions {
  /**
   * Whether an idle virtual clock may jump to this timer (default true). A
   * recurring schedule (an EventBridge rule's `rate(5 minutes)`) passes
   * false: if it could wake the clock, idle time would race from firing to
   * firing forever. Such a timer fires when time reaches it for any other
   * reason — a Wait state, a retry, a timeout, an explicit advance — in due
   * order and at its own instant. On a system clock every timer is real.
   */
  wakesClock?: boolean;
}

export interface Clock {
  readonly kind: 'system' | 'virtual';
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(delayMs: number, fn: () => void, options?: TimerOptions): Timer;
  /** Resolves after delayMs of this clock's time; rejects with the signal's reason when aborted. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
  /** Marks running work; returns its release function (idempotent). */
  hold(kind: HoldKind, label?: string): () => void;
  /**
   * What this clock read when the wall clock read `realMs` — for a timestamp a
   * client took from its own (real) clock, such as a presigned URL's
   * `X-Amz-Date` signed by a Lambda handler after virtual time had jumped.
   * Undefined when `realMs` is still in the wall clock's future, so it cannot
   * be a reading of it.
   */
  readingAt(realMs: number): number | undefined;
}

type Release = () => void;

function onceRelease(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

function sleepWith(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wall-clock time. Used by `--real-time` and for things that must be real (a Lambda's own timeout). */
export class SystemClock implements Clock {
  readonly kind = 'system' as const;
  now(): number {
    return Date.now();
  }
  setTimer(delayMs: number, fn: () => void, _options?: TimerOptions): Timer {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  }
  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, delayMs, signal);
  }
  hold(_kind: HoldKind, _label?: string): Release {
    return () => {};
  }
  readingAt(realMs: number): number | undefined {
    return realMs <= Date.now() ? realMs : undefined;
  }
}

export type AutoAdvance = 'off' | 'idle' | 'idle-ignoring-callbacks';

export interface VirtualClockOptions {
  /** Start time in epoch ms (default: the real time at creation). */
  start?: number;
  /** When to jump to the next timer by itself (default `'idle'`). */
  autoAdvance?: AutoAdvance;
}

/** How many moves of virtual time `readingAt` remembers (a presigned URL is used soon after it is signed). */
const REMEMBERED_MOVES = 4096;

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  /** TimerOptions.wakesClock. */
  wakes: boolean;
}

/**
 * Virtual time: when nothing holds the clock, time jumps to the next timer, so a
 * retry schedule of hours finishes in milliseconds while every timestamp shows
 * the (virtual) time it would have had. Timers due at the same instant fire in
 * the order they were set, which keeps histories deterministic.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private t: number;
  private seq = 0;
  private readonly timers: PendingTimer[] = [];
  private readonly holds: Record<HoldKind, number> = { work: 0, callback: 0 };
  private readonly labels = new Map<number, { kind: HoldKind; label: string }>();
  private nextHoldId = 0;
  /** Bumped by reset(): holds of an older epoch no longer count. */
  private epoch = 0;
  private scheduled = false;
  private mode: AutoAdvance;
  /** The reading before the oldest remembered move. */
  private before: number;
  /** [wall-clock ms, virtual ms] each time virtual time moved, oldest first. */
  private readonly moves: Array<[number, number]> = [];

  constructor(options: VirtualClockOptions = {}) {
    this.t = options.start ?? Date.now();
    this.before = this.t;
    this.mode = options.autoAdvance ?? 'idle';
  }

  /** Virtual time stands still between moves, so its reading at a wall-clock instant is the last move before it. */
  readingAt(realMs: number): number | undefined {
    if (realMs > Date.now()) return undefined;
    let lo = 0;
    let hi = this.moves.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.moves[mid]![0] <= realMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? this.before : this.moves[lo - 1]![1];
  }

  private moveTo(t: number): void {
    if (t <= this.t) return;
    this.t = t;
    this.moves.push([Date.now(), t]);
    if (this.moves.length > REMEMBERED_MOVES) this.before = this.moves.shift()![1];
  }

  now(): number {
    return this.t;
  }

  get autoAdvance(): AutoAdvance {
    return this.mode;
  }

  set autoAdvance(mode: AutoAdvance) {
    this.mode = mode;
    this.schedule();
  }

  setTimer(delayMs: number, fn: () => void, options: TimerOptions = {}): Timer {
    const timer: PendingTimer = { due: this.t + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false, wakes: options.wakesClock ?? true };
    this.insert(timer);
    this.schedule();
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, delayMs, signal);
  }

  hold(kind: HoldKind, label: string = kind): Release {
    const id = this.nextHoldId++;
    const epoch = this.epoch;
    this.holds[kind]++;
    this.labels.set(id, { kind, label });
    return onceRelease(() => {
      // A hold taken before a reset() was dropped by it: releasing it changes nothing.
      if (epoch !== this.epoch) return;
      this.holds[kind]--;
      this.labels.delete(id);
      this.schedule();
    });
  }

  /**
   * Starts over at `now` (an emulator restoring a snapshot): every pending
   * timer is dropped — it belonged to work that no longer exists and never
   * fires — and so is every hold, whose later release is then ignored. The
   * moves remembered for `readingAt` are forgotten too: a wall-clock instant
   * before the reset reads `now`, never a time the previous scenario moved to.
   */
  reset(state: { now: number; autoAdvance: AutoAdvance }): void {
    for (const t of this.timers) t.cancelled = true;
    this.timers.length = 0;
    this.holds.work = 0;
    this.holds.callback = 0;
    this.labels.clear();
    this.epoch++;
    // Possibly backwards (to the snapshot's time), which moveTo() never does.
    this.t = state.now;
    this.moves.length = 0;
    this.before = state.now;
    this.mode = state.autoAdvance;
  }

  /** What currently keeps the clock from jumping (for the control API and error messages). */
  describeHolds(): Array<{ kind: HoldKind; label: string }> {
    return [...this.labels.values()];
  }

  /** Due times (epoch ms) of the pending timers that can wake the clock (schedules that cannot are left out). */
  pendingTimers(): number[] {
    return this.timers.filter((t) => !t.cancelled && t.wakes).map((t) => t.due);
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order, and
   * lets the work each one starts settle before firing the next.
   */
  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    for (;;) {
      const next = this.peek();
      if (!next || next.due > target) break;
      this.fireNext();
      await settle();
    }
    this.moveTo(target);
    this.schedule();
  }

  private peek(): PendingTimer | undefined {
    while (this.timers.length > 0 && this.timers[0]!.cancelled) this.timers.shift();
    return this.timers[0];
  }

  /** The first pending timer that may wake the clock. */
  private peekWaking(): PendingTimer | undefined {
    this.peek();
    return this.timers.find((t) => !t.cancelled && t.wakes);
  }

  private fireNext(): void {
    const timer = this.timers.shift();
    if (!timer || timer.cancelled) return;
    this.moveTo(timer.due);
    timer.fn();
  }

  private insert(timer: PendingTimer): void {
    // Binary search keeps timers sorted by (due, seq).
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.timers[mid]!;
      if (m.due < timer.due || (m.due === timer.due && m.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }

  private canJump(): boolean {
    if (this.mode === 'off' || this.holds.work > 0) return false;
    return this.mode === 'idle-ignoring-callbacks' || this.holds.callback === 0;
  }

  private schedule(): void {
    if (this.scheduled || !this.canJump() || !this.peekWaking()) return;
    this.scheduled = true;
    // Two macrotask turns let promise chains and I/O callbacks started by the
    // last timer settle (and take their holds) before we decide we are idle.
    setImmediate(() =>
      setImmediate(() => {
        this.scheduled = false;
        if (!this.canJump() || !this.peekWaking()) return;
        // Jumping towards the next waking timer passes the non-waking ones due
        // before it: they fire first, at their own instant, and the work they
        // start is let settle before time moves on.
        const due = this.peek()!.due;
        // Fire everything due at that instant, then look again.
        while (this.peek() && this.peek()!.due === due) this.fireNext();
        this.schedule();
      }),
    );
  }
}

/** Resolves after pending promise callbacks and one I/O turn have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Real-time timers for what must not follow virtual time (a Lambda's own timeout, a poll). */
export const REAL_CLOCK: Clock = new SystemClock();

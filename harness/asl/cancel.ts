/**
 * A light cancellation token for branches, iterations and executions. Node's
 * AbortController costs ~100 µs per abort() (event dispatch + DOMException),
 * which dominated short executions; a real AbortSignal is made only when a
 * consumer needs one (TaskInvoker, Clock.sleep, S3Access).
 */
export class Cancel {
  private done = false;
  private listeners: Set<() => void> | undefined;
  private controller: AbortController | undefined;
  private readonly unlink: (() => void) | undefined;

  constructor(parent?: Cancel) {
    if (parent === undefined) return;
    if (parent.aborted) this.done = true;
    else this.unlink = parent.onAbort(() => this.abort());
  }

  get aborted(): boolean {
    return this.done;
  }

  /** Calls `fn` once on abort; returns the unsubscribe function. */
  onAbort(fn: () => void): () => void {
    if (this.done) {
      fn();
      return () => {};
    }
    (this.listeners ??= new Set()).add(fn);
    return () => this.listeners?.delete(fn);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    const ls = this.listeners;
    this.listeners = undefined;
    this.unlink?.();
    if (ls) for (const fn of ls) fn();
    this.controller?.abort();
  }

  /** Stops following the parent (call when a child scope ends normally, so the parent does not keep it). */
  detach(): void {
    this.unlink?.();
  }

  /** A standard AbortSignal that aborts with this token (created on first use). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort();
    }
    return this.controller.signal;
  }
}

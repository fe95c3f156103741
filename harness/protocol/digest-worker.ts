/**
 * Hashes large request bodies on a second thread while the main thread keeps
 * receiving (and serving other requests). S3 needs the MD5 of every PUT body
 * for its ETag (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html,
 * "ETag"), and MD5 is the most expensive thing an upload costs us: ~1.6 ms per
 * MiB, strictly sequential, so it cannot be split — only moved.
 *
 * How bytes reach the worker (each choice measured on the 2-core box this was
 * written on): the body's bytes are copied into 64 KiB blocks from a small
 * pool and *transferred* (not cloned) to the worker, which hashes them and
 * transfers the blocks back for reuse. That costs the main thread one warm
 * 64 KiB copy per block (~0.15 ms per MiB in all). Structured-cloning the
 * chunks cost ~12 ms per MiB; a SharedArrayBuffer per body ~5 ms per MiB (a
 * fresh shared mapping faults in every page) plus ~0.3 ms to send it.
 *
 * Robustness: the worker is an optimisation, never a dependency. A job the
 * worker cannot finish (it crashed, exited, could not start, answered with an
 * error) rejects, and the caller hashes the complete body in-thread — it keeps
 * every byte itself, so nothing is lost. A worker that keeps dying is given up
 * after a few attempts. A worker falling behind (more than MAX_IN_FLIGHT bytes
 * not yet hashed) makes `update()` return false so the caller pauses the
 * upload: TCP back-pressure, not unbounded memory.
 */
import { Worker } from 'node:worker_threads';

/** Node crypto hash names the worker computes; results are base64 like `x-amz-checksum-*` and Content-MD5. */
export type OffloadAlgorithm = 'md5' | 'sha1' | 'sha256';

export type OffloadDigests = Partial<Record<OffloadAlgorithm, string>>;

/** One body being hashed by the worker as it arrives. */
export interface OffloadJob {
  /**
   * Hands the worker the next bytes of the body (copied: the caller keeps
   * `bytes`). Returns false when too much is waiting to be hashed: pause the
   * source until `onDrain` calls back.
   */
  update(bytes: Buffer): boolean;
  /** Calls `resume` once (when the worker has caught up, or is gone). */
  onDrain(resume: () => void): void;
  /** The body is complete: resolves with base64 digests, rejects when the worker could not finish. */
  finish(): Promise<OffloadDigests>;
  /** The body will not be completed (client went away, bad framing): the worker forgets the job. */
  abort(): void;
}

/** What the protocol layer needs from a hashing helper (tests substitute their own). */
export interface DigestOffload {
  /** A job for a body of `length` bytes, or undefined when it is not worth one or the worker cannot take it now (hash in-thread). */
  begin(length: number, algorithms: readonly OffloadAlgorithm[]): OffloadJob | undefined;
}

/** Messages to the worker. */
type ToWorker =
  | { op: 'begin'; id: number; algorithms: readonly OffloadAlgorithm[] }
  | { op: 'data'; id: number; block: Uint8Array }
  | { op: 'end'; id: number }
  | { op: 'abort'; id: number }
  | { op: 'flush' };

/** Messages from the worker: a job's result (with its spare blocks), or spare blocks alone. */
interface FromWorker {
  id?: number;
  digests?: OffloadDigests;
  error?: string;
  returned?: ArrayBuffer[];
}

/**
 * The worker's program. Plain CommonJS evaluated with `eval: true` so it runs
 * the same under tsx, vitest and plain node, with no loader in the worker.
 * It never blocks: each message hashes one block. Blocks go back to the main
 * thread in batches, with each result, and when asked (`flush`: the sender is
 * pausing), so the pool is reused.
 */
export const DIGEST_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const RETURN_BATCH = 8;
const jobs = new Map();
let spare = [];
function giveBack(extra) {
  const returned = spare;
  spare = [];
  parentPort.postMessage(Object.assign({ returned }, extra), returned);
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'begin') {
      jobs.set(m.id, m.algorithms.map((a) => [a, createHash(a)]));
    } else if (m.op === 'data') {
      spare.push(m.block.buffer);
      const hashes = jobs.get(m.id);
      if (hashes) for (const [, h] of hashes) h.update(m.block);
      if (spare.length >= RETURN_BATCH) giveBack({});
    } else if (m.op === 'end') {
      const hashes = jobs.get(m.id);
      if (!hashes) throw new Error('unknown job ' + m.id);
      jobs.delete(m.id);
      const digests = {};
      for (const [a, h] of hashes) digests[a] = h.digest('base64');
      giveBack({ id: m.id, digests });
    } else if (m.op === 'abort') {
      jobs.delete(m.id);
    } else if (m.op === 'flush') {
      giveBack({});
    }
  } catch (e) {
    jobs.delete(m.id);
    giveBack({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

/** Bodies smaller than this are hashed in-thread: below it, messaging costs more than the overlap saves. */
const OFFLOAD_MIN_BYTES = 256 * 1024;

/** Size of the blocks bytes travel to the worker in (a socket read is at most 64 KiB). */
const BLOCK_BYTES = 64 * 1024;

/** Bytes handed to the worker and not yet hashed before `update()` asks the caller to pause. */
const MAX_IN_FLIGHT = 16 * 1024 * 1024;

/** Blocks kept for reuse (the rest are left to the GC). */
const MAX_POOL = 128;

/** A worker that died this many times is not started again; every body is hashed in-thread from then on. */
const MAX_FAILURES = 3;

interface Pending {
  resolve(digests: OffloadDigests): void;
  reject(error: Error): void;
}

class WorkerUnavailableError extends Error {}

interface DigestWorkerOptions {
  /** The worker's program (tests pass one that misbehaves). */
  source?: string;
  /** Smallest body worth a job (default OFFLOAD_MIN_BYTES). */
  minBytes?: number;
  /** Bytes in flight before back-pressure (default 16 MiB; tests lower it). */
  maxInFlight?: number;
}

/**
 * One hashing worker, started lazily on the first large body. It is unref'd
 * while idle so it never keeps a process alive, and ref'd while a result is
 * awaited. Jobs begun before it is online are refused (the caller hashes
 * in-thread) rather than queued behind its start-up.
 */
export class DigestWorker implements DigestOffload {
  private worker: Worker | undefined;
  private online = false;
  private failures = 0;
  private nextId = 1;
  private inFlight = 0;
  private readonly pool: ArrayBuffer[] = [];
  private readonly pending = new Map<number, Pending>();
  private drainWaiters: Array<() => void> = [];
  private readonly source: string;
  private readonly minBytes: number;
  private readonly maxInFlight: number;

  constructor(options: DigestWorkerOptions = {}) {
    this.source = options.source ?? DIGEST_WORKER_SOURCE;
    this.minBytes = options.minBytes ?? OFFLOAD_MIN_BYTES;
    this.maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  }

  /** True once the worker has been given up on (for tests and diagnostics). */
  get disabled(): boolean {
    return this.failures >= MAX_FAILURES;
  }

  /** How many jobs this worker has begun (for tests and diagnostics). */
  get jobsBegun(): number {
    return this.nextId - 1;
  }

  /** Resolves when the worker is online (true) or cannot be (false). Start-up is otherwise lazy. */
  async ready(): Promise<boolean> {
    if (this.online) return true;
    const w = this.spawn();
    if (!w) return false;
    // Whoever awaits this keeps the process alive meanwhile.
    w.ref();
    return new Promise<boolean>((resolve) => {
      const onOnline = () => {
        w.off('exit', onExit);
        if (this.pending.size === 0) w.unref();
        resolve(true);
      };
      const onExit = () => {
        w.off('online', onOnline);
        resolve(false);
      };
      w.once('online', onOnline);
      w.once('exit', onExit);
    });
  }

  begin(length: number, algorithms: readonly OffloadAlgorithm[]): OffloadJob | undefined {
    if (length < this.minBytes || algorithms.length === 0) return undefined;
    if (!this.online) {
      this.spawn();
      return undefined;
    }
    const worker = this.worker!;
    const id = this.nextId++;
    if (!this.send(worker, { op: 'begin', id, algorithms })) return undefined;
    let block: Buffer | undefined;
    let fill = 0;
    let done = false;
    const flush = () => {
      const b = block!;
      block = undefined;
      if (this.worker !== worker) return;
      this.inFlight += b.buffer.byteLength;
      const view = new Uint8Array(b.buffer, 0, fill);
      try {
        worker.postMessage({ op: 'data', id, block: view } satisfies ToWorker, [b.buffer as ArrayBuffer]);
      } catch {
        this.inFlight -= b.buffer.byteLength;
      }
    };
    return {
      update: (bytes: Buffer): boolean => {
        if (done || this.worker !== worker) return true;
        let at = 0;
        while (at < bytes.length) {
          if (!block) {
            block = Buffer.from(this.pool.pop() ?? new ArrayBuffer(BLOCK_BYTES));
            fill = 0;
          }
          const n = Math.min(BLOCK_BYTES - fill, bytes.length - at);
          bytes.copy(block, fill, at, at + n);
          fill += n;
          at += n;
          if (fill === BLOCK_BYTES) flush();
        }
        if (this.inFlight <= this.maxInFlight) return true;
        // The caller will pause: have the worker hand back every block it has hashed by the time it reads this,
        // instead of waiting for a full batch that may never come.
        this.send(worker, { op: 'flush' });
        return false;
      },
      onDrain: (resume: () => void) => {
        if (this.inFlight <= this.maxInFlight || this.worker !== worker) resume();
        else this.drainWaiters.push(resume);
      },
      finish: () => {
        done = true;
        if (block && fill > 0) flush();
        return new Promise<OffloadDigests>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          if (this.worker !== worker || !this.send(worker, { op: 'end', id })) {
            this.pending.delete(id);
            reject(new WorkerUnavailableError('the digest worker is gone'));
            return;
          }
          // A result being awaited keeps the process alive, like any pending I/O.
          if (this.pending.size === 1) worker.ref();
        });
      },
      abort: () => {
        if (done) return;
        done = true;
        if (block) this.recycle(block.buffer as ArrayBuffer);
        block = undefined;
        if (this.worker === worker) this.send(worker, { op: 'abort', id });
      },
    };
  }

  /** Stops the worker (pending jobs reject and their callers hash in-thread). */
  async close(): Promise<void> {
    const w = this.worker;
    this.gone();
    this.failAll(new WorkerUnavailableError('the digest worker was closed'));
    if (w) await w.terminate();
  }

  private send(worker: Worker, m: ToWorker): boolean {
    try {
      worker.postMessage(m);
      return true;
    } catch {
      return false;
    }
  }

  private recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === BLOCK_BYTES && this.pool.length < MAX_POOL) this.pool.push(buffer);
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if (m.returned && this.worker === w) {
      for (const b of m.returned) {
        this.inFlight -= b.byteLength;
        this.recycle(b);
      }
      if (this.inFlight <= this.maxInFlight / 2) this.drain();
    }
    if (m.id === undefined) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) w.unref();
    if (m.digests) p.resolve(m.digests);
    else p.reject(new WorkerUnavailableError(`the digest worker failed: ${m.error ?? 'no result'}`));
  }

  private drain(): void {
    if (this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resume of waiters) resume();
  }

  private spawn(): Worker | undefined {
    if (this.worker) return this.worker;
    if (this.disabled) return undefined;
    let w: Worker;
    try {
      // No execArgv: the worker is plain JS and must not load tsx or any other loader of the parent.
      w = new Worker(this.source, { eval: true, execArgv: [], stdout: false, stderr: false });
    } catch {
      this.failures++;
      return undefined;
    }
    this.worker = w;
    w.once('online', () => {
      if (this.worker === w) this.online = true;
    });
    w.on('message', (m: FromWorker) => this.onMessage(w, m));
    // 'error' (an uncaught exception in the worker) is followed by 'exit'; handling it keeps it from being thrown here.
    w.on('error', () => {});
    w.once('exit', () => {
      if (this.worker !== w) return;
      this.failures++;
      this.gone();
      this.failAll(new WorkerUnavailableError('the digest worker exited'));
    });
    // After the listeners: adding a 'message' listener refs the worker again.
    w.unref();
    return w;
  }

  /** Forget the current worker: nothing is in flight any more, and paused uploads resume (their jobs will fail over). */
  private gone(): void {
    this.worker = undefined;
    this.online = false;
    this.inFlight = 0;
    this.drain();
  }

  private failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}

let shared: DigestWorker | undefined;

/** The process-wide worker every endpoint in this process shares (one spare core is all there is to use). */
export function sharedDigestWorker(): DigestWorker {
  shared ??= new DigestWorker();
  return shared;
}

/**
 * The poller behind one SQS event source mapping: it takes batches from the
 * queue, invokes the function synchronously with the SQS event, and deletes
 * what the function processed. A failed invocation (function error, timeout,
 * throttle) deletes nothing: the messages reappear when their visibility
 * timeout runs out, and after the queue's maxReceiveCount SQS moves them to
 * the dead-letter queue. With ReportBatchItemFailures only the items the
 * function names come back.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 *
 * Clock: the poller is event-driven — it runs when the queue says messages
 * may be receivable (a send, a delay or visibility timeout running out), never
 * on a polling timer, so it takes no virtual time and works while a pending
 * callback holds the clock. Only MaximumBatchingWindowInSeconds waits on the
 * clock.
 */
import type { Clock, Timer } from '../../core/index.ts';
import { compilePatternText, matchesPattern, type CompiledPattern } from '../event-pattern/index.ts';
import type { Logger, PolledMessage, SqsEventSource } from '../service-deps.ts';
import type { Invocations } from './invoke.ts';
import type { FunctionStore } from './models.ts';

export interface EventSourceMapping {
  uuid: string;
  functionName: string;
  functionArn: string;
  eventSourceArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  enabled: boolean;
  functionResponseTypes: string[];
  maximumConcurrency?: number;
  /** FilterCriteria.Filters[].Pattern, as given. */
  filters: string[];
  /** Epoch ms. */
  lastModified: number;
}

export interface PollerDeps {
  clock: Clock;
  source: SqsEventSource;
  invocations: Invocations;
  store: FunctionStore;
  log: Logger;
}

/** Lambda starts with five concurrent batches and adds up to 300 a minute while messages wait (with-sqs.html, scaling). */
const INITIAL_CONCURRENCY = 5;
const SCALE_UP_PER_MINUTE = 300;
/** The most concurrent invocations an SQS event source scales to (with-sqs.html). */
const MAX_CONCURRENCY = 1250;

export class SqsPoller {
  private stopped = false;
  private active = 0;
  private scheduled = false;
  private unwatch: (() => void) | undefined;
  private windowTimer: Timer | undefined;
  /** The batching window ran out: take what there is. */
  private windowOver = false;
  /** Since when batches have been waiting (scaling up counts from here). */
  private busySince: number | undefined;
  private readonly filters: CompiledPattern[];
  /** Batches in flight, for tests and shutdown. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    readonly mapping: EventSourceMapping,
    private readonly d: PollerDeps,
  ) {
    this.filters = mapping.filters.map((p) => compilePatternText(p));
  }

  start(): void {
    this.unwatch = this.d.source.watch(this.mapping.eventSourceArn, () => this.kick());
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.unwatch?.();
    this.windowTimer?.cancel();
    this.windowTimer = undefined;
  }

  /** Resolves when the batches running now have finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.fill();
    });
  }

  private limit(now: number): number {
    const fn = this.d.store.get(this.mapping.functionName);
    const ramp = INITIAL_CONCURRENCY + SCALE_UP_PER_MINUTE * Math.floor((now - (this.busySince ?? now)) / 60_000);
    const caps = [MAX_CONCURRENCY, ramp, this.mapping.maximumConcurrency ?? MAX_CONCURRENCY, fn?.reservedConcurrency ?? MAX_CONCURRENCY];
    return Math.max(1, Math.min(...caps));
  }

  /** Starts batches while there are messages and room. */
  private fill(): void {
    if (this.stopped) return;
    const m = this.mapping;
    // Nothing is received for a function that no longer exists: the messages wait in the queue.
    if (!this.d.store.get(m.functionName)) return;
    const queue = this.d.source.queue(m.eventSourceArn);
    if (!queue) return;
    if (m.maximumBatchingWindowInSeconds > 0 && !this.windowOver) {
      if (queue.visibleMessages === 0) return;
      if (queue.visibleMessages < m.batchSize) {
        this.windowTimer ??= this.d.clock.setTimer(m.maximumBatchingWindowInSeconds * 1000, () => {
          this.windowTimer = undefined;
          this.windowOver = true;
          this.kick();
        });
        return;
      }
    }
    this.windowTimer?.cancel();
    this.windowTimer = undefined;
    this.windowOver = false;
    const now = this.d.clock.now();
    while (!this.stopped && this.active < this.limit(now)) {
      const batch = this.d.source.receive(m.eventSourceArn, m.batchSize);
      if (batch.length === 0) {
        this.busySince = undefined;
        return;
      }
      this.busySince ??= now;
      const wanted = this.filter(batch);
      if (wanted.length === 0) continue;
      this.active++;
      const run = this.process(wanted).finally(() => {
        this.active--;
        this.running.delete(run);
        this.kick();
      });
      this.running.add(run);
    }
  }

  /**
   * FilterCriteria: a message no filter matches is deleted without invoking
   * (with-sqs-filtering.html); a body that is JSON is matched as JSON.
   */
  private filter(batch: PolledMessage[]): PolledMessage[] {
    if (this.filters.length === 0) return batch;
    const keep: PolledMessage[] = [];
    const drop: string[] = [];
    for (const b of batch) {
      const body = b.record.body as string;
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        /* a plain-text body is matched as text */
      }
      const event = { ...b.record, body: parsed };
      if (this.filters.some((f) => matchesPattern(f, event))) keep.push(b);
      else drop.push(b.receiptHandle);
    }
    if (drop.length > 0) this.d.source.deleteMessages(this.mapping.eventSourceArn, drop);
    return keep;
  }

  private async process(batch: PolledMessage[]): Promise<void> {
    const m = this.mapping;
    let outcome: { payload: string; functionError?: string };
    try {
      outcome = await this.d.invocations.invoke({ functionName: m.functionName, payload: JSON.stringify({ Records: batch.map((b) => b.record) }), invocationType: 'RequestResponse', caller: 'sqs' });
    } catch (e) {
      // Throttled, or the function went away: the batch returns to the queue after its visibility timeout.
      this.d.log.info(`lambda: event source mapping ${m.uuid} could not invoke ${m.functionName}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (outcome.functionError) return;
    const failed = m.functionResponseTypes.includes('ReportBatchItemFailures') ? reportedFailures(outcome.payload, batch) : new Set<string>();
    if (failed === 'all') return;
    const done = batch.filter((b) => !failed.has(b.messageId)).map((b) => b.receiptHandle);
    if (done.length > 0) this.d.source.deleteMessages(m.eventSourceArn, done);
  }
}

/**
 * The items a ReportBatchItemFailures response names. An empty or null
 * response, or an empty list, is complete success; a response Lambda cannot
 * read, or an itemIdentifier that is empty or names no message of the batch,
 * fails the whole batch (services-sqs-errorhandling.html).
 */
export function reportedFailures(payload: string, batch: PolledMessage[]): Set<string> | 'all' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return 'all';
  }
  if (parsed === null || parsed === undefined) return new Set();
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return 'all';
  const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return 'all';
  const ids = new Set(batch.map((b) => b.messageId));
  const failed = new Set<string>();
  for (const item of list) {
    const id = item !== null && typeof item === 'object' ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

/**
 * One queue: its messages through their life (sent, maybe delayed, received
 * and in flight, visible again, deleted, expired, dead-lettered), FIFO
 * ordering and deduplication, and the waiters (long polls, event source
 * mappings) it wakes when a message may be receivable.
 *
 * Time: every state is computed from the Clock at each call. Timers are set
 * only while someone waits — a waiter needs to hear when a delay or a
 * visibility timeout ends, and on a virtual clock that timer is what lets time
 * jump there. A queue nobody waits on sets none, so it never moves virtual time.
 */
import { createHash } from 'node:crypto';
import type { Clock, IdSource, Timer } from '../../core/index.ts';
import { md5Hex } from './md5.ts';
import { FifoMessages, StandardMessages, type MessageSet, type Verdict } from './message-sets.ts';
import { isDelayed, isInFlight, type SqsMessage } from './models.ts';
import { INTEGER_ATTRIBUTES, parseRedrivePolicy, type RedrivePolicy } from './queue-attributes.ts';

/** The FIFO deduplication interval (API_SendMessage, MessageDeduplicationId). */
export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
/** ReceiveRequestAttemptId can be reused for 5 minutes (API_ReceiveMessage). */
const ATTEMPT_WINDOW_MS = 5 * 60 * 1000;

/** What persistence hears about (persistence.ts); every method is optional work for a store without a data dir. */
export interface QueueJournal {
  queueChanged(q: Queue): void;
  messageAdded(q: Queue, m: SqsMessage): void;
  messageChanged(q: Queue, m: SqsMessage): void;
  messageRemoved(q: Queue, m: SqsMessage): void;
  purged(q: Queue): void;
  deduplicated(q: Queue, key: string, entry: DedupEntry): void;
}

export interface QueueDeps {
  clock: Clock;
  ids: IdSource;
  region: string;
  accountId: string;
  /** The queue a redrive policy names, if it exists. */
  deadLetterQueue(arn: string): Queue | undefined;
  journal?: QueueJournal;
  /** A message moved from `source` to `target` after maxReceiveCount receives. */
  onDeadLetter?(source: Queue, target: Queue, m: SqsMessage): void;
}

export interface SendInput {
  body: string;
  messageAttributes: SqsMessage['messageAttributes'];
  md5OfMessageAttributes?: string;
  systemAttributes: SqsMessage['systemAttributes'];
  md5OfMessageSystemAttributes?: string;
  delaySeconds?: number;
  groupId?: string;
  dedupId?: string;
  senderId: string;
}

/** A queue as plain data: what snapshots copy and the data directory stores. */
export interface QueueState {
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  lastPurgeAt?: number;
  /** The last FIFO sequence number given (as decimal text). */
  sequence: string;
  /** In the order they were sent (FIFO: per group, in sequence order). */
  messages: SqsMessage[];
  dedup: Array<[string, DedupEntry]>;
}

export interface DedupEntry {
  expiresAt: number;
  messageId: string;
  sequenceNumber?: string;
}

interface Attempt {
  expiresAt: number;
  messages: SqsMessage[];
  handles: string[];
}

export type HandleLookup =
  | { kind: 'invalid' }
  /** Well-formed, but its message was deleted (or moved, or expired). */
  | { kind: 'gone'; messageId: string }
  | { kind: 'found'; message: SqsMessage; current: boolean };

export class Queue {
  readonly arn: string;
  readonly fifo: boolean;
  /** Attributes set by CreateQueue / SetQueueAttributes (normalised strings). */
  readonly attributes = new Map<string, string>();
  readonly tags = new Map<string, string>();
  /** Epoch seconds. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  /** Epoch ms of the last PurgeQueue. */
  lastPurgeAt?: number;
  private readonly messages: MessageSet;
  readonly dedup = new Map<string, DedupEntry>();
  private sequence: bigint;
  private readonly attempts = new Map<string, Attempt>();
  private readonly waiters = new Set<() => void>();
  private wakeTimer: { due: number; timer: Timer } | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly deps: QueueDeps,
    attributes: Record<string, string>,
  ) {
    this.arn = `arn:aws:sqs:${deps.region}:${deps.accountId}:${name}`;
    this.fifo = attributes.FifoQueue === 'true';
    this.messages = this.fifo ? new FifoMessages() : new StandardMessages();
    for (const [k, v] of Object.entries(attributes)) if (k !== 'FifoQueue' || this.fifo) this.attributes.set(k, v);
    const now = deps.clock.now();
    this.createdTimestamp = Math.floor(now / 1000);
    this.lastModifiedTimestamp = this.createdTimestamp;
    // Sequence numbers are large and increasing (API_SendMessage: "a large, non-consecutive number").
    this.sequence = 10n ** 19n + BigInt(now) * 1000n;
  }

  /** An integer attribute, or its default. */
  num(name: keyof typeof INTEGER_ATTRIBUTES): number {
    const v = this.attributes.get(name);
    return v === undefined ? INTEGER_ATTRIBUTES[name]![2] : Number(v);
  }

  redrivePolicy(): RedrivePolicy | undefined {
    const text = this.attributes.get('RedrivePolicy');
    if (!text) return undefined;
    try {
      return parseRedrivePolicy(text);
    } catch {
      return undefined;
    }
  }

  get size(): number {
    return this.messages.size;
  }

  messageList(): SqsMessage[] {
    return [...this.messages.values()];
  }

  changed(): void {
    this.lastModifiedTimestamp = Math.floor(this.deps.clock.now() / 1000);
    this.deps.journal?.queueChanged(this);
  }

  // ── send ─────────────────────────────────────────────────────────────────

  /** Enqueues a message; a FIFO duplicate within the deduplication window is accepted but not enqueued again. */
  send(input: SendInput): { message: Pick<SqsMessage, 'messageId' | 'sequenceNumber' | 'md5OfBody'>; duplicate: boolean } {
    const now = this.deps.clock.now();
    let dedupKey: string | undefined;
    if (this.fifo) {
      this.pruneDedup(now);
      const dedupId = input.dedupId ?? contentDeduplicationId(input.body);
      dedupKey = this.attributes.get('DeduplicationScope') === 'messageGroup' ? `${input.groupId}\n${dedupId}` : dedupId;
      const seen = this.dedup.get(dedupKey);
      if (seen) return { message: { messageId: seen.messageId, md5OfBody: md5Hex(input.body), ...(seen.sequenceNumber ? { sequenceNumber: seen.sequenceNumber } : {}) }, duplicate: true };
      input = { ...input, dedupId };
    }
    const delay = input.delaySeconds ?? this.num('DelaySeconds');
    const m: SqsMessage = {
      messageId: this.deps.ids.uuid(),
      body: input.body,
      md5OfBody: md5Hex(input.body),
      messageAttributes: input.messageAttributes,
      ...(input.md5OfMessageAttributes ? { md5OfMessageAttributes: input.md5OfMessageAttributes } : {}),
      systemAttributes: input.systemAttributes,
      ...(input.md5OfMessageSystemAttributes ? { md5OfMessageSystemAttributes: input.md5OfMessageSystemAttributes } : {}),
      senderId: input.senderId,
      sentTimestamp: now,
      enqueuedAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
      ...(input.dedupId !== undefined ? { dedupId: input.dedupId } : {}),
    };
    if (this.fifo) {
      m.sequenceNumber = this.nextSequence();
      const entry: DedupEntry = { expiresAt: now + DEDUPLICATION_WINDOW_MS, messageId: m.messageId, sequenceNumber: m.sequenceNumber };
      this.dedup.set(dedupKey!, entry);
      this.deps.journal?.deduplicated(this, dedupKey!, entry);
    }
    this.messages.add(m, now);
    this.deps.journal?.messageAdded(this, m);
    this.notify();
    return { message: m, duplicate: false };
  }

  private nextSequence(): string {
    this.sequence += 1n;
    return this.sequence.toString();
  }

  private pruneDedup(now: number): void {
    // Entries are added in expiry order (a fixed window), so the expired ones are at the front.
    for (const [k, e] of this.dedup) {
      if (e.expiresAt > now) break;
      this.dedup.delete(k);
    }
  }

  /** A message a redrive moved here: same id, body and attributes; FIFO queues restart its retention clock. */
  acceptDeadLetter(m: SqsMessage, source: Queue): void {
    const now = this.deps.clock.now();
    const moved: SqsMessage = { ...m, visibleAt: now, deadLetterQueueSourceArn: source.arn };
    delete moved.receiptHandle;
    if (this.fifo) {
      moved.enqueuedAt = now;
      moved.sequenceNumber = this.nextSequence();
    }
    this.messages.add(moved, now);
    this.deps.journal?.messageAdded(this, moved);
    this.notify();
  }

  // ── receive ──────────────────────────────────────────────────────────────

  /**
   * Up to `max` receivable messages, now in flight for `visibilityMs`. On the
   * way, expired messages are dropped and those received maxReceiveCount times
   * already move to the dead-letter queue ("When the ReceiveCount for a message
   * exceeds the maxReceiveCount for a queue, Amazon SQS moves the message to
   * the dead-letter-queue", API_SetQueueAttributes).
   */
  receive(max: number, visibilityMs: number, attemptId?: string): SqsMessage[] {
    const now = this.deps.clock.now();
    if (attemptId !== undefined && this.fifo) {
      const again = this.retryAttempt(attemptId, visibilityMs, now);
      if (again) return again;
    }
    const retentionMs = this.num('MessageRetentionPeriod') * 1000;
    const policy = this.redrivePolicy();
    const vet = (m: SqsMessage): Verdict => {
      if (now >= m.enqueuedAt + retentionMs) {
        this.remove(m);
        return 'gone';
      }
      if (policy && m.receiveCount >= policy.maxReceiveCount) {
        const target = this.deps.deadLetterQueue(policy.deadLetterTargetArn);
        if (target && target !== this) {
          this.remove(m);
          target.acceptDeadLetter(m, this);
          this.deps.onDeadLetter?.(this, target, m);
          return 'gone';
        }
      }
      return 'deliver';
    };
    const picked = this.messages.pick(now, max, vet);
    for (const m of picked) {
      m.receiveCount++;
      m.firstReceiveTimestamp ??= now;
      m.receiptHandle = this.newReceiptHandle(m);
      this.messages.setVisibleAt(m, now + visibilityMs, now);
      this.deps.journal?.messageChanged(this, m);
    }
    if (attemptId !== undefined && this.fifo) {
      for (const [k, a] of this.attempts) if (a.expiresAt <= now) this.attempts.delete(k);
      this.attempts.set(attemptId, { expiresAt: now + ATTEMPT_WINDOW_MS, messages: picked, handles: picked.map((m) => m.receiptHandle!) });
    }
    if (picked.length > 0 || this.waiters.size > 0) this.rearm();
    return picked;
  }

  /** The same messages and handles again if none was deleted or had its visibility changed since (API_ReceiveMessage). */
  private retryAttempt(attemptId: string, visibilityMs: number, now: number): SqsMessage[] | undefined {
    const a = this.attempts.get(attemptId);
    if (!a || a.expiresAt <= now) return undefined;
    const intact = a.messages.every((m, i) => this.messages.get(m.messageId) === m && m.receiptHandle === a.handles[i]);
    if (!intact) return undefined;
    for (const m of a.messages) {
      this.messages.setVisibleAt(m, now + visibilityMs, now);
      this.deps.journal?.messageChanged(this, m);
    }
    return a.messages;
  }

  private newReceiptHandle(m: SqsMessage): string {
    return Buffer.from(`${this.arn} ${m.messageId} ${m.receiveCount} ${this.deps.ids.hex(16)}`, 'utf8').toString('base64');
  }

  /** What a receipt handle refers to. Handles are opaque to callers; ours name the queue, the message and the receive. */
  lookup(handle: string): HandleLookup {
    if (typeof handle !== 'string' || handle.length === 0 || handle.length > 2048 || !/^[A-Za-z0-9+/]+={0,2}$/.test(handle)) return { kind: 'invalid' };
    const parts = Buffer.from(handle, 'base64').toString('utf8').split(' ');
    if (parts.length !== 4 || parts[0] !== this.arn) return { kind: 'invalid' };
    const m = this.messages.get(parts[1]!);
    if (!m) return { kind: 'gone', messageId: parts[1]! };
    return { kind: 'found', message: m, current: m.receiptHandle === handle };
  }

  // ── delete, visibility, purge ────────────────────────────────────────────

  /**
   * DeleteMessage. An older handle than the latest receive's is accepted and
   * deletes nothing; on a FIFO queue a handle whose visibility timeout ran out
   * has expired (API_DeleteMessage).
   */
  deleteByHandle(handle: string): 'deleted' | 'ignored' | 'invalid' | 'expired' {
    const found = this.lookup(handle);
    if (found.kind === 'invalid') return 'invalid';
    if (found.kind === 'gone' || !found.current) return 'ignored';
    if (this.fifo && !isInFlight(found.message, this.deps.clock.now())) return 'expired';
    this.remove(found.message);
    return 'deleted';
  }

  /** ChangeMessageVisibility: 0 makes the message receivable at once. */
  changeVisibility(handle: string, seconds: number): 'changed' | 'invalid' | 'gone' | 'not-in-flight' | 'too-long' {
    const found = this.lookup(handle);
    if (found.kind === 'invalid') return 'invalid';
    if (found.kind === 'gone' || !found.current) return 'gone';
    const m = found.message;
    const now = this.deps.clock.now();
    if (!isInFlight(m, now)) return 'not-in-flight';
    // A message stays in flight at most 12 hours from its first receive (API_ChangeMessageVisibility).
    if (now + seconds * 1000 > (m.firstReceiveTimestamp ?? now) + 43_200_000) return 'too-long';
    this.messages.setVisibleAt(m, now + seconds * 1000, now);
    this.deps.journal?.messageChanged(this, m);
    if (seconds === 0) this.notify();
    else this.rearm();
    return 'changed';
  }

  private remove(m: SqsMessage): void {
    this.messages.remove(m);
    this.deps.journal?.messageRemoved(this, m);
  }

  purge(): void {
    this.messages.clear();
    this.attempts.clear();
    this.lastPurgeAt = this.deps.clock.now();
    this.deps.journal?.purged(this);
    this.rearm();
  }

  /** ApproximateNumberOfMessages / …NotVisible / …Delayed, after dropping expired messages. */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.deps.clock.now();
    const retentionMs = this.num('MessageRetentionPeriod') * 1000;
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of [...this.messages.values()]) {
      if (now >= m.enqueuedAt + retentionMs) this.remove(m);
      else if (isInFlight(m, now)) inFlight++;
      else if (isDelayed(m, now)) delayed++;
      else visible++;
    }
    return { visible, inFlight, delayed };
  }

  // ── snapshot, restore, persistence ───────────────────────────────────────

  /** A copy of everything this queue holds, that nothing done to the queue afterwards changes. */
  state(): QueueState {
    return { ...this.meta(), messages: structuredClone([...this.messages.values()]), dedup: [...this.dedup].map(([k, e]) => [k, { ...e }]) };
  }

  /** The queue's own settings and counters, without its messages. */
  meta(): Omit<QueueState, 'messages' | 'dedup'> {
    return {
      name: this.name,
      attributes: Object.fromEntries(this.attributes),
      tags: Object.fromEntries(this.tags),
      createdTimestamp: this.createdTimestamp,
      lastModifiedTimestamp: this.lastModifiedTimestamp,
      ...(this.lastPurgeAt !== undefined ? { lastPurgeAt: this.lastPurgeAt } : {}),
      sequence: this.sequence.toString(),
    };
  }

  /** Takes over a state() (a snapshot's, or one read from the data directory); the queue must be new. */
  load(state: QueueState): void {
    for (const [k, v] of Object.entries(state.tags)) this.tags.set(k, v);
    this.createdTimestamp = state.createdTimestamp;
    this.lastModifiedTimestamp = state.lastModifiedTimestamp;
    if (state.lastPurgeAt !== undefined) this.lastPurgeAt = state.lastPurgeAt;
    this.sequence = BigInt(state.sequence);
    const now = this.deps.clock.now();
    for (const m of structuredClone(state.messages)) this.messages.add(m, now);
    for (const [k, e] of state.dedup) this.dedup.set(k, { ...e });
  }

  // ── waiters ──────────────────────────────────────────────────────────────

  /**
   * Calls `listener` whenever a message may have become receivable (a send, a
   * visibility change to 0, a delay or visibility timeout running out) and
   * when the queue is deleted. Returns the unsubscribe function.
   */
  onAvailable(listener: () => void): () => void {
    if (this.closed) {
      listener();
      return () => {};
    }
    this.waiters.add(listener);
    this.rearm();
    return () => {
      this.waiters.delete(listener);
      this.rearm();
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The queue is deleted (or the store reset): waiters hear it once, timers stop. */
  close(): void {
    this.closed = true;
    this.wakeTimer?.timer.cancel();
    this.wakeTimer = undefined;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  private notify(): void {
    if (this.waiters.size === 0) return;
    for (const w of [...this.waiters]) w();
    this.rearm();
  }

  /** One timer at the next moment a message becomes receivable, only while someone waits. */
  private rearm(): void {
    if (this.closed || this.waiters.size === 0) {
      this.wakeTimer?.timer.cancel();
      this.wakeTimer = undefined;
      return;
    }
    const now = this.deps.clock.now();
    const due = this.messages.nextDue(now);
    if (due === this.wakeTimer?.due) return;
    this.wakeTimer?.timer.cancel();
    this.wakeTimer = undefined;
    if (due === undefined) return;
    const timer = this.deps.clock.setTimer(due - now, () => {
      if (this.wakeTimer?.timer !== timer) return;
      this.wakeTimer = undefined;
      this.notify();
      this.rearm();
    });
    this.wakeTimer = { due, timer };
  }
}

/** Content-based deduplication: the SHA-256 of the body, not its attributes (API_CreateQueue, ContentBasedDeduplication). */
function contentDeduplicationId(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * The SQS store: queues by name (one account and Region per endpoint), each
 * with its attributes, tags and messages (queue.ts). Queue URLs are not
 * stored: each reply builds them from the host the client called, so a
 * restart on another port or a container calling by another name gets URLs
 * it can reach.
 */
import type { Queue } from './queue.ts';

/** A message attribute as SQS stores it; binary values as base64 text. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface SqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  /** `AWSTraceHeader`, the one system attribute a sender may set. */
  systemAttributes: Record<string, MessageAttributeValue>;
  md5OfMessageSystemAttributes?: string;
  senderId: string;
  /** Epoch ms: SentTimestamp. */
  sentTimestamp: number;
  /** Epoch ms the retention period counts from (SentTimestamp; reset by a move to a FIFO dead-letter queue). */
  enqueuedAt: number;
  /** Epoch ms from which the message can be received: the end of its delay, or of its visibility timeout while in flight. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** The latest receive's handle: deleting with an older one succeeds but deletes nothing (API_DeleteMessage). */
  receiptHandle?: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  /** Set on a message a redrive moved here. */
  deadLetterQueueSourceArn?: string;
}

/** In flight: received and not yet visible again. */
export function isInFlight(m: SqsMessage, now: number): boolean {
  return m.receiptHandle !== undefined && m.visibleAt > now;
}

/** Delayed: never received and its delay has not run out. */
export function isDelayed(m: SqsMessage, now: number): boolean {
  return m.receiptHandle === undefined && m.visibleAt > now;
}

export class SqsStore {
  readonly queues = new Map<string, Queue>();

  byArn(arn: string): Queue | undefined {
    const name = arn.split(':')[5];
    const q = name === undefined ? undefined : this.queues.get(name);
    return q?.arn === arn ? q : undefined;
  }

  /** Queues sorted by name (ListQueues pages them in this order). */
  list(): Queue[] {
    return [...this.queues.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  clear(): void {
    for (const q of this.queues.values()) q.close();
    this.queues.clear();
  }
}

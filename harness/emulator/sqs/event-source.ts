/**
 * SQS as Lambda's event source mappings poll it (the SqsEventSource of
 * service-deps.ts): receives in the shape of the SQS event Lambda hands a
 * function, deletes, and availability watchers that follow a queue ARN across
 * the queue being deleted and created again, or restored from a snapshot.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (example event)
 */
import type { PolledMessage, SqsEventSource } from '../service-deps.ts';
import type { SqsMessage } from './models.ts';
import type { SqsOperations } from './operations.ts';
import type { Queue } from './queue.ts';

/** One record of the event: message attributes in Lambda's camel case, with the (unused) list values AWS always includes. */
export function eventRecord(q: Queue, m: SqsMessage, region: string): Record<string, unknown> {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentTimestamp),
    SenderId: m.senderId,
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
  };
  if (m.sequenceNumber !== undefined) attributes.SequenceNumber = m.sequenceNumber;
  if (m.groupId !== undefined) attributes.MessageGroupId = m.groupId;
  if (m.dedupId !== undefined) attributes.MessageDeduplicationId = m.dedupId;
  const trace = m.systemAttributes.AWSTraceHeader?.StringValue;
  if (trace !== undefined) attributes.AWSTraceHeader = trace;
  if (m.deadLetterQueueSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = m.deadLetterQueueSourceArn;
  const messageAttributes: Record<string, Record<string, unknown>> = {};
  for (const [name, a] of Object.entries(m.messageAttributes)) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType,
    };
  }
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes,
    messageAttributes,
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: q.arn,
    awsRegion: region,
  };
}

export class QueueEventSource implements SqsEventSource {
  /** Watchers per queue ARN, each with its detach from the queue object it is attached to now. */
  private readonly watchers = new Map<string, Map<() => void, () => void>>();

  constructor(
    private readonly ops: SqsOperations,
    private readonly region: string,
  ) {
    ops.onQueueAdded = (q) => {
      const list = this.watchers.get(q.arn);
      if (!list) return;
      for (const listener of list.keys()) {
        list.set(listener, q.onAvailable(listener));
        listener();
      }
    };
  }

  queue(arn: string): { fifo: boolean; visibilityTimeoutSeconds: number; visibleMessages: number } | undefined {
    const q = this.ops.store.byArn(arn);
    return q ? { fifo: q.fifo, visibilityTimeoutSeconds: q.num('VisibilityTimeout'), visibleMessages: q.counts().visible } : undefined;
  }

  receive(arn: string, max: number): PolledMessage[] {
    const q = this.ops.store.byArn(arn);
    if (!q) return [];
    return q.receive(max, q.num('VisibilityTimeout') * 1000).map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle!,
      ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
      record: eventRecord(q, m, this.region),
    }));
  }

  deleteMessages(arn: string, receiptHandles: string[]): void {
    const q = this.ops.store.byArn(arn);
    if (!q) return;
    for (const h of receiptHandles) q.deleteByHandle(h);
  }

  watch(arn: string, listener: () => void): () => void {
    let list = this.watchers.get(arn);
    if (!list) this.watchers.set(arn, (list = new Map()));
    const q = this.ops.store.byArn(arn);
    // A deleted queue's watchers hear it once (close) and are dropped by it; they come back with the next queue.
    list.set(listener, q ? q.onAvailable(listener) : () => {});
    return () => {
      const detach = list.get(listener);
      list.delete(listener);
      detach?.();
      if (list.size === 0) this.watchers.delete(arn);
    };
  }
}

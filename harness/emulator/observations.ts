/**
 * What the endpoint saw, for checks AWS has no API for (control API
 * `GET /_rehearse/observations`): invocations, peak concurrency, secret reads,
 * published messages. Times are the Clock's (virtual) epoch ms.
 */
import { ChangeFeed } from './changes.ts';

export interface InvocationRecord {
  functionName: string;
  requestId: string;
  /** 1-based count per function since the last reset. */
  invocationNumber: number;
  invocationType: 'RequestResponse' | 'Event' | 'DryRun';
  startTime: number;
  endTime?: number;
  durationMs?: number;
  coldStart: boolean;
  /** Function error or service error, as the caller saw it. */
  error?: { errorType: string; errorMessage: string };
  /** Which injected fault applied, if any (e.g. `throw Lambda.TooManyRequestsException`). */
  fault?: string;
  /** Captured stdout/stderr of this invocation. */
  logs?: string;
}

export interface SecretReadRecord {
  secretId: string;
  arn: string;
  versionId: string;
  versionStages: string[];
  /** Function name, or `client` when not called from a function environment. */
  caller: string;
  operation: 'GetSecretValue' | 'BatchGetSecretValue';
  time: number;
}

export interface SnsMessageRecord {
  topicArn: string;
  messageId: string;
  message: string;
  subject?: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  caller: string;
  time: number;
}

/** A message that reached an SQS queue (SendMessage, a batch entry, a Step Functions task…). */
export interface SqsMessageRecord {
  queueArn: string;
  messageId: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  groupId?: string;
  /** Function name, `states`, or `client`. */
  caller: string;
  time: number;
}

/** A message SQS moved to a dead-letter queue after maxReceiveCount receives. */
export interface SqsDeadLetterRecord {
  sourceQueueArn: string;
  deadLetterQueueArn: string;
  messageId: string;
  body: string;
  receiveCount: number;
  time: number;
}

/** An event EventBridge accepted on a bus (PutEvents, an AWS service's own event) or a schedule fired. */
export interface EventRecord {
  eventBusName: string;
  /** The event as rules see it (`{version, id, detail-type, source, …, detail}`). */
  event: Record<string, unknown>;
  /** Set for a schedule's `Scheduled Event`: the rule that fired. */
  ruleName?: string;
  time: number;
}

/** What became of one event at one target of one rule: delivered, or failed after its retries. */
export interface EventDeliveryRecord {
  eventBusName: string;
  ruleName: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  event: Record<string, unknown>;
  /** What the target received (Input, InputPath, InputTransformer applied); absent when it failed. */
  input?: string;
  status: 'delivered' | 'failed';
  attempts: number;
  error?: { code: string; message: string };
  /** The dead-letter queue the event went to when delivery failed. */
  deadLetterArn?: string;
  time: number;
}

export interface ObservationsSnapshot {
  invocations: InvocationRecord[];
  /** Peak concurrent invocations per function name. */
  functionConcurrency: Record<string, number>;
  /** Peak concurrent iterations per Map state: key `<executionArn>#<stateName>`. */
  mapConcurrency: Record<string, number>;
  secretReads: SecretReadRecord[];
  snsMessages: SnsMessageRecord[];
  sqsMessages: SqsMessageRecord[];
  sqsDeadLetters: SqsDeadLetterRecord[];
  events: EventRecord[];
  eventDeliveries: EventDeliveryRecord[];
}

export class Observations {
  /** What changed, for clients waiting on it (changes.ts). */
  readonly changes = new ChangeFeed();
  private invocations: InvocationRecord[] = [];
  private secretReads: SecretReadRecord[] = [];
  private snsMessages: SnsMessageRecord[] = [];
  private sqsMessages: SqsMessageRecord[] = [];
  private sqsDeadLetters: SqsDeadLetterRecord[] = [];
  private events: EventRecord[] = [];
  private eventDeliveries: EventDeliveryRecord[] = [];
  private running = new Map<string, number>();
  private peaks = new Map<string, number>();
  private generation = 0;

  /**
   * Changes with every reset and restore. Work that records what it saw only
   * when it ends (an invocation) passes the epoch it started in, so work left
   * over from before a reset records nothing into the observations after it.
   */
  get epoch(): number {
    return this.generation;
  }

  recordInvocation(record: InvocationRecord, startedIn: number = this.generation): InvocationRecord {
    if (startedIn === this.generation) this.add(this.invocations, record);
    return record;
  }

  recordSecretRead(record: SecretReadRecord): void {
    this.add(this.secretReads, record);
  }

  recordSnsMessage(record: SnsMessageRecord): void {
    this.add(this.snsMessages, record);
  }

  recordSqsMessage(record: SqsMessageRecord): void {
    this.add(this.sqsMessages, record);
  }

  recordSqsDeadLetter(record: SqsDeadLetterRecord): void {
    this.add(this.sqsDeadLetters, record);
  }

  recordEvent(record: EventRecord): void {
    this.add(this.events, record);
  }

  recordEventDelivery(record: EventDeliveryRecord): void {
    this.add(this.eventDeliveries, record);
  }

  /** Every record goes in through here: clients waiting on `observations` hear of it. */
  private add<T>(list: T[], record: T): void {
    list.push(record);
    this.changes.changed('observations');
  }

  /** Counts one concurrent unit under `key` (`fn:<name>` or `map:<executionArn>#<state>`); returns its release. */
  enter(key: string): () => void {
    // The counts of this epoch: a unit entered before a reset leaves its own (discarded) map.
    const running = this.running;
    const n = (running.get(key) ?? 0) + 1;
    running.set(key, n);
    if (n > (this.peaks.get(key) ?? 0)) this.peaks.set(key, n);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running.set(key, (running.get(key) ?? 1) - 1);
    };
  }

  snapshot(): ObservationsSnapshot {
    const functionConcurrency: Record<string, number> = {};
    const mapConcurrency: Record<string, number> = {};
    for (const [key, peak] of this.peaks) {
      if (key.startsWith('fn:')) functionConcurrency[key.slice(3)] = peak;
      else if (key.startsWith('map:')) mapConcurrency[key.slice(4)] = peak;
    }
    return {
      invocations: structuredClone(this.invocations),
      functionConcurrency,
      mapConcurrency,
      secretReads: structuredClone(this.secretReads),
      snsMessages: structuredClone(this.snsMessages),
      sqsMessages: structuredClone(this.sqsMessages),
      sqsDeadLetters: structuredClone(this.sqsDeadLetters),
      events: structuredClone(this.events),
      eventDeliveries: structuredClone(this.eventDeliveries),
    };
  }

  reset(): void {
    this.restore({ invocations: [], functionConcurrency: {}, mapConcurrency: {}, secretReads: [], snsMessages: [], sqsMessages: [], sqsDeadLetters: [], events: [], eventDeliveries: [] });
  }

  /** Starts a new epoch holding a copy of `from` (a snapshot()); nothing counts as running. */
  restore(from: ObservationsSnapshot): void {
    this.invocations = structuredClone(from.invocations);
    this.secretReads = structuredClone(from.secretReads);
    this.snsMessages = structuredClone(from.snsMessages);
    this.sqsMessages = structuredClone(from.sqsMessages);
    this.sqsDeadLetters = structuredClone(from.sqsDeadLetters);
    this.events = structuredClone(from.events ?? []);
    this.eventDeliveries = structuredClone(from.eventDeliveries ?? []);
    this.running = new Map();
    this.peaks = new Map([
      ...Object.entries(from.functionConcurrency).map(([k, v]) => [`fn:${k}`, v] as const),
      ...Object.entries(from.mapConcurrency).map(([k, v]) => [`map:${k}`, v] as const),
    ]);
    this.generation++;
    this.changes.clear();
  }
}

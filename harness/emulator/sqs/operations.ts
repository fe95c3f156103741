/**
 * SQS operations (API version 2012-11-05). Each takes its input in the awsJson
 * shape (query-protocol requests are decoded into it by query.ts) and returns
 * the output in that shape, or undefined for an empty result.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 */
import { AwsServiceError, REAL_CLOCK } from '../../core/index.ts';
import type { RequestContext } from '../../protocol/service.ts';
import type { ServiceDeps } from '../service-deps.ts';
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  EmptyBatchRequest,
  InvalidAttributeName,
  InvalidBatchEntryId,
  InvalidParameterValue,
  invalidParameter,
  MessageNotInflight,
  MissingParameter,
  PurgeQueueInProgress,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  TooManyEntriesInBatchRequest,
} from './errors.ts';
import { md5OfAttributes } from './md5.ts';
import { checkBody, checkToken, messageSize, readMessageAttributes } from './message-input.ts';
import type { MessageAttributeValue, SqsMessage, SqsStore } from './models.ts';
import { checkAttributes, INTEGER_ATTRIBUTES, parseRedriveAllowPolicy, parseRedrivePolicy, READABLE_ATTRIBUTES } from './queue-attributes.ts';
import { Queue, type QueueJournal, type QueueState, type SendInput } from './queue.ts';
import { ReceiptHolds } from './receipts.ts';

export type Input = Record<string, unknown>;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** SendMessageBatch: the sum of the messages is at most 1 MiB, like one message (API_SendMessageBatch). */
const MAX_BATCH_BYTES = 1_048_576;
const MAX_TAGS = 50;
const PURGE_INTERVAL_MS = 60_000;

/** The queue URL a caller gets: on the host it called us by, so an SDK sends the next request to the same place. */
export function queueUrl(ctx: Pick<RequestContext, 'host' | 'endpoint'>, accountId: string, name: string): string {
  const base = ctx.host ? `http://${ctx.host}` : ctx.endpoint;
  return `${base.replace(/\/+$/, '')}/${accountId}/${name}`;
}

function str(input: Input, name: string, required: true): string;
function str(input: Input, name: string, required?: false): string | undefined;
function str(input: Input, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null || (required && v === '')) {
    if (required) throw MissingParameter(name);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameter(name, v, `${name} must be a string.`);
  return v;
}

/** An integer parameter within [min, max]; `reason` is SQS's wording for the range. */
function int(input: Input, name: string, min: number, max: number, reason: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidParameter(name, v, reason);
  return v;
}

function stringList(input: Input, name: string): string[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidParameter(name, v, `${name} must be a list of strings.`);
  return v as string[];
}

function stringMap(input: Input, name: string): Record<string, string> {
  const v = input[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(name, v, `${name} must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw invalidParameter(`${name}.${k}`, x, 'Values must be strings.');
    out[k] = String(x);
  }
  return out;
}

function entriesOf(input: Input, entryName: string): Input[] {
  const v = input.Entries;
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) throw EmptyBatchRequest(entryName);
  if (!Array.isArray(v) || v.some((e) => e === null || typeof e !== 'object' || Array.isArray(e))) throw invalidParameter('Entries', v, 'Entries must be a list of structures.');
  if (v.length > 10) throw TooManyEntriesInBatchRequest(v.length);
  const seen = new Set<string>();
  for (const e of v as Input[]) {
    const id = e.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) throw InvalidBatchEntryId();
    if (seen.has(id)) throw BatchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return v as Input[];
}

/** Runs `each` per batch entry: its result joins Successful[] (with the entry's Id), its AwsServiceError Failed[]. */
function eachEntry(entries: Input[], each: (e: Input) => Record<string, unknown> | void): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const e of entries) {
    try {
      Successful.push({ Id: e.Id, ...(each(e) ?? {}) });
    } catch (err) {
      Failed.push(failure(e.Id as string, err));
    }
  }
  return { Successful, Failed };
}

/** A Failed[] entry: the error's query-protocol code, as SQS reports batch errors. */
function failure(id: string, e: unknown): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  if (!(e instanceof AwsServiceError)) throw e;
  return { Id: id, SenderFault: e.senderFault, Code: e.queryCode ?? e.code, Message: e.message };
}

/** Who sent a message, as SenderId shows it: the role session of a Lambda function, else the caller's access key. */
function senderIdOf(ctx: RequestContext): string {
  if (ctx.caller) return `AROAREHEARSELAMBDA000:${ctx.caller}`;
  return ctx.accessKeyId ?? 'AIDAREHEARSEANONYMOUS';
}

/** Who receives, for the receipt-hold rule (receipts.ts); undefined for callers whose work the endpoint sees itself. */
function outsideReceiver(ctx: RequestContext): string | undefined {
  if (ctx.caller !== undefined || ctx.accessKeyId === 'STATES') return undefined;
  return ctx.accessKeyId ?? 'anonymous';
}

export interface SqsOperationDeps extends ServiceDeps {
  journal?: QueueJournal;
}

export class SqsOperations {
  readonly receipts: ReceiptHolds;
  /** Told about every queue created or restored (event-source.ts re-attaches its watchers). */
  onQueueAdded?: (q: Queue) => void;

  constructor(
    private readonly deps: SqsOperationDeps,
    readonly store: SqsStore,
  ) {
    this.receipts = new ReceiptHolds(deps.clock);
  }

  /** A new Queue wired to the store (dead-letter targets) and the journal. */
  newQueue(name: string, attributes: Record<string, string>): Queue {
    return new Queue(name, {
      clock: this.deps.clock,
      ids: this.deps.ids,
      region: this.deps.region,
      accountId: this.deps.accountId,
      deadLetterQueue: (arn) => this.store.byArn(arn),
      ...(this.deps.journal ? { journal: this.deps.journal } : {}),
      onDeadLetter: (source, target, m) =>
        this.deps.observations.recordSqsDeadLetter({ sourceQueueArn: source.arn, deadLetterQueueArn: target.arn, messageId: m.messageId, body: m.body, receiveCount: m.receiveCount, time: this.deps.clock.now() }),
    }, attributes);
  }

  /** Puts back a queue from its state() (a snapshot, the data directory). */
  loadQueue(state: QueueState): Queue {
    const q = this.newQueue(state.name, state.attributes);
    q.load(state);
    this.store.queues.set(q.name, q);
    this.onQueueAdded?.(q);
    return q;
  }

  /**
   * The queue a QueueUrl names. Any host is accepted (`https://sqs.us-east-1.amazonaws.com/…` as written in a
   * template or a recorded execution, or this endpoint): the path's account and name decide.
   */
  queueByUrl(url: string): Queue {
    const m = /^(?:https?:\/\/[^/]+)?\/(\d{12})\/([A-Za-z0-9_.-]{1,80})\/?$/.exec(url.trim());
    if (!m) throw new AwsServiceError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 404, { queryCode: 'InvalidAddress' });
    const q = this.store.queues.get(m[2]!);
    if (!q || m[1] !== this.deps.accountId) throw QueueDoesNotExist();
    return q;
  }

  private queue(input: Input): Queue {
    return this.queueByUrl(str(input, 'QueueUrl', true));
  }

  private url(ctx: RequestContext, q: Queue): string {
    return queueUrl(ctx, this.deps.accountId, q.name);
  }

  // ── queues ───────────────────────────────────────────────────────────────

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
  CreateQueue(input: Input, ctx: RequestContext): unknown {
    const name = str(input, 'QueueName', true);
    const raw = stringMap(input, 'Attributes');
    const fifo = String(raw.FifoQueue ?? '').toLowerCase() === 'true';
    if (fifo ? !FIFO_QUEUE_NAME.test(name) : !QUEUE_NAME.test(name)) {
      throw InvalidParameterValue(
        fifo
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const attributes = checkAttributes(raw, { fifo, creating: true });
    const tags = this.checkTags(stringMap(input, 'tags'), new Map());
    const existing = this.store.queues.get(name);
    if (existing) {
      // Same name and the same values for every attribute given: CreateQueue returns the existing queue.
      for (const [k, v] of Object.entries(attributes)) {
        const current = existing.attributes.get(k) ?? defaultValue(k, existing);
        if (current !== v) throw QueueNameExists(k);
      }
      return { QueueUrl: this.url(ctx, existing) };
    }
    this.checkRedrive(name, attributes);
    const q = this.newQueue(name, attributes);
    for (const [k, v] of tags) q.tags.set(k, v);
    this.store.queues.set(name, q);
    this.deps.journal?.queueChanged(q);
    this.onQueueAdded?.(q);
    return { QueueUrl: this.url(ctx, q) };
  }

  /** A RedrivePolicy must name an existing queue of the same type that lets this one use it. */
  private checkRedrive(name: string, attributes: Record<string, string>): void {
    const text = attributes.RedrivePolicy;
    if (!text) return;
    const policy = parseRedrivePolicy(text);
    const target = this.store.byArn(policy.deadLetterTargetArn);
    if (!target) throw invalidParameter('RedrivePolicy', text, 'Dead letter target does not exist.');
    const fifo = name.endsWith('.fifo');
    if (target.fifo !== fifo) throw invalidParameter('RedrivePolicy', text, `Dead-letter queue must be of the same type as the source queue (${fifo ? 'FIFO' : 'standard'}).`);
    const allow = target.attributes.get('RedriveAllowPolicy');
    if (allow) {
      const p = parseRedriveAllowPolicy(allow);
      const arn = `arn:aws:sqs:${this.deps.region}:${this.deps.accountId}:${name}`;
      if (p.redrivePermission === 'denyAll' || (p.redrivePermission === 'byQueue' && !p.sourceQueueArns?.includes(arn))) {
        throw invalidParameter('RedrivePolicy', text, `The RedriveAllowPolicy of ${target.name} does not allow ${name} to use it as its dead-letter queue.`);
      }
    }
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html
  GetQueueUrl(input: Input, ctx: RequestContext): unknown {
    const name = str(input, 'QueueName', true);
    const owner = str(input, 'QueueOwnerAWSAccountId');
    const q = this.store.queues.get(name);
    if (!q || (owner !== undefined && owner !== this.deps.accountId)) throw QueueDoesNotExist();
    return { QueueUrl: this.url(ctx, q) };
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
  DeleteQueue(input: Input): unknown {
    const q = this.queue(input);
    this.store.queues.delete(q.name);
    q.close();
    this.receipts.endQueue(q.arn);
    this.deps.journal?.queueChanged(q);
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html
  ListQueues(input: Input, ctx: RequestContext): unknown {
    const prefix = str(input, 'QueueNamePrefix') ?? '';
    const queues = this.store.list().filter((q) => q.name.startsWith(prefix));
    const p = this.page(input, queues);
    return { ...(p.items.length > 0 ? { QueueUrls: p.items.map((q) => this.url(ctx, q)) } : {}), ...(p.next ? { NextToken: p.next } : {}) };
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListDeadLetterSourceQueues.html
  ListDeadLetterSourceQueues(input: Input, ctx: RequestContext): unknown {
    const target = this.queue(input);
    const sources = this.store.list().filter((q) => q.redrivePolicy()?.deadLetterTargetArn === target.arn);
    const p = this.page(input, sources);
    return { queueUrls: p.items.map((q) => this.url(ctx, q)), ...(p.next ? { NextToken: p.next } : {}) };
  }

  /** ListQueues paging: without MaxResults up to 1,000 and no token; the token is the last name returned. */
  private page(input: Input, queues: Queue[]): { items: Queue[]; next?: string } {
    const max = int(input, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
    const token = str(input, 'NextToken');
    let start = 0;
    if (token !== undefined) {
      let after: string;
      try {
        after = Buffer.from(token, 'base64url').toString('utf8');
      } catch {
        after = '';
      }
      if (!after.startsWith('q:')) throw invalidParameter('NextToken', token, 'Invalid NextToken value.');
      start = queues.findIndex((q) => q.name > after.slice(2));
      if (start < 0) start = queues.length;
    }
    const limit = max ?? 1000;
    const items = queues.slice(start, start + limit);
    const more = max !== undefined && start + limit < queues.length;
    return { items, ...(more ? { next: Buffer.from(`q:${items.at(-1)!.name}`, 'utf8').toString('base64url') } : {}) };
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
  GetQueueAttributes(input: Input): unknown {
    const q = this.queue(input);
    const names = stringList(input, 'AttributeNames');
    for (const n of names) if (n !== 'All' && !(READABLE_ATTRIBUTES as readonly string[]).includes(n)) throw InvalidAttributeName(`Unknown Attribute ${n}.`);
    const wanted = names.includes('All') ? [...READABLE_ATTRIBUTES] : names;
    if (wanted.length === 0) return {};
    const counts = q.counts();
    const out: Record<string, string> = {};
    for (const n of wanted) {
      const v = readAttribute(q, n, counts);
      if (v !== undefined) out[n] = v;
    }
    return Object.keys(out).length > 0 ? { Attributes: out } : {};
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
  SetQueueAttributes(input: Input): unknown {
    const q = this.queue(input);
    const raw = stringMap(input, 'Attributes');
    if (Object.keys(raw).length === 0) throw MissingParameter('Attributes');
    const attributes = checkAttributes(raw, { fifo: q.fifo, creating: false });
    this.checkRedrive(q.name, attributes);
    for (const [k, v] of Object.entries(attributes)) {
      // An empty Policy or RedrivePolicy removes it.
      if (v === '' && (k === 'Policy' || k === 'RedrivePolicy' || k === 'RedriveAllowPolicy')) q.attributes.delete(k);
      else q.attributes.set(k, v);
    }
    if (attributes.KmsMasterKeyId) q.attributes.set('SqsManagedSseEnabled', 'false');
    q.changed();
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html
  PurgeQueue(input: Input): unknown {
    const q = this.queue(input);
    const now = this.deps.clock.now();
    if (q.lastPurgeAt !== undefined && now - q.lastPurgeAt < PURGE_INTERVAL_MS) throw PurgeQueueInProgress(q.name);
    q.purge();
    return undefined;
  }

  // ── tags and permissions ─────────────────────────────────────────────────

  private checkTags(tags: Record<string, string>, existing: Map<string, string>): Map<string, string> {
    const out = new Map(existing);
    for (const [k, v] of Object.entries(tags)) {
      if (k.length === 0 || k.length > 128) throw invalidParameter('Tag', k, 'Tag keys are 1 to 128 characters long.');
      if (v.length > 256) throw invalidParameter('Tag', v, 'Tag values are at most 256 characters long.');
      out.set(k, v);
    }
    if (out.size > MAX_TAGS) throw InvalidParameterValue(`Too many tags added for queue: at most ${MAX_TAGS} tags per queue.`);
    return out;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html
  TagQueue(input: Input): unknown {
    const q = this.queue(input);
    const tags = stringMap(input, 'Tags');
    if (Object.keys(tags).length === 0) throw MissingParameter('Tags');
    const merged = this.checkTags(tags, q.tags);
    for (const [k, v] of merged) q.tags.set(k, v);
    q.changed();
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_UntagQueue.html
  UntagQueue(input: Input): unknown {
    const q = this.queue(input);
    const keys = stringList(input, 'TagKeys');
    if (keys.length === 0) throw MissingParameter('TagKeys');
    for (const k of keys) q.tags.delete(k);
    q.changed();
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueueTags.html
  ListQueueTags(input: Input): unknown {
    const q = this.queue(input);
    return q.tags.size > 0 ? { Tags: Object.fromEntries(q.tags) } : {};
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html
  AddPermission(input: Input): unknown {
    const q = this.queue(input);
    const label = str(input, 'Label', true);
    const accounts = stringList(input, 'AWSAccountIds');
    const actions = stringList(input, 'Actions');
    if (accounts.length === 0) throw MissingParameter('AWSAccountIds');
    if (actions.length === 0) throw MissingParameter('Actions');
    const policy = q.attributes.get('Policy') ? (JSON.parse(q.attributes.get('Policy')!) as { Statement?: Array<Record<string, unknown>> }) : { Version: '2008-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
    const statements = policy.Statement ?? [];
    if (statements.some((s) => s.Sid === label)) throw invalidParameter('Label', label, 'Already exists.');
    const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
    const acts = actions.map((a) => `SQS:${a}`);
    statements.push({ Sid: label, Effect: 'Allow', Principal: { AWS: principals.length === 1 ? principals[0] : principals }, Action: acts.length === 1 ? acts[0] : acts, Resource: q.arn });
    q.attributes.set('Policy', JSON.stringify({ ...policy, Statement: statements }));
    q.changed();
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_RemovePermission.html
  RemovePermission(input: Input): unknown {
    const q = this.queue(input);
    const label = str(input, 'Label', true);
    const text = q.attributes.get('Policy');
    const policy = text ? (JSON.parse(text) as { Statement?: Array<Record<string, unknown>> }) : undefined;
    const statements = policy?.Statement ?? [];
    if (!statements.some((s) => s.Sid === label)) throw invalidParameter('Label', label, "can't find label.");
    const rest = statements.filter((s) => s.Sid !== label);
    if (rest.length === 0) q.attributes.delete('Policy');
    else q.attributes.set('Policy', JSON.stringify({ ...policy, Statement: rest }));
    q.changed();
    return undefined;
  }

  // ── messages ─────────────────────────────────────────────────────────────

  /** Checks one message to send (SendMessage or a batch entry) against its queue. */
  private sendInput(q: Queue, input: Input, ctx: RequestContext): SendInput {
    const body = checkBody(input.MessageBody);
    const messageAttributes = readMessageAttributes(input.MessageAttributes, 'user');
    const systemAttributes = readMessageAttributes(input.MessageSystemAttributes, 'system');
    const max = q.num('MaximumMessageSize');
    if (messageSize(body, messageAttributes) > max) throw InvalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    const delay = int(input, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.');
    const groupId = input.MessageGroupId === undefined || input.MessageGroupId === null ? undefined : checkToken('MessageGroupId', input.MessageGroupId);
    const dedupId = input.MessageDeduplicationId === undefined || input.MessageDeduplicationId === null ? undefined : checkToken('MessageDeduplicationId', input.MessageDeduplicationId);
    const notForThisType = (name: string, value: unknown) => invalidParameter(name, value, 'The request include parameter that is not valid for this queue type.');
    if (q.fifo) {
      if (delay !== undefined && delay !== 0) throw notForThisType('DelaySeconds', delay);
      if (groupId === undefined) throw MissingParameter('MessageGroupId');
      if (dedupId === undefined && q.attributes.get('ContentBasedDeduplication') !== 'true') {
        throw InvalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
    } else if (dedupId !== undefined) throw notForThisType('MessageDeduplicationId', dedupId);
    const md5Attrs = md5OfAttributes(messageAttributes);
    const md5System = md5OfAttributes(systemAttributes);
    return {
      body,
      messageAttributes,
      ...(md5Attrs ? { md5OfMessageAttributes: md5Attrs } : {}),
      systemAttributes,
      ...(md5System ? { md5OfMessageSystemAttributes: md5System } : {}),
      ...(delay !== undefined ? { delaySeconds: delay } : {}),
      ...(groupId !== undefined ? { groupId } : {}),
      ...(dedupId !== undefined ? { dedupId } : {}),
      senderId: senderIdOf(ctx),
    };
  }

  private sendOne(q: Queue, input: SendInput, ctx: RequestContext): Record<string, string> {
    const { message } = q.send(input);
    this.deps.observations.recordSqsMessage({
      queueArn: q.arn,
      messageId: message.messageId,
      body: input.body,
      attributes: input.messageAttributes,
      ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
      caller: ctx.caller ?? (ctx.accessKeyId === 'STATES' ? 'states' : ctx.accessKeyId === 'EVENTS' ? 'events' : 'client'),
      time: this.deps.clock.now(),
    });
    return {
      MD5OfMessageBody: message.md5OfBody,
      ...(input.md5OfMessageAttributes ? { MD5OfMessageAttributes: input.md5OfMessageAttributes } : {}),
      ...(input.md5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: input.md5OfMessageSystemAttributes } : {}),
      MessageId: message.messageId,
      ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
    };
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
  SendMessage(input: Input, ctx: RequestContext): unknown {
    const q = this.queue(input);
    return this.sendOne(q, this.sendInput(q, input, ctx), ctx);
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
  SendMessageBatch(input: Input, ctx: RequestContext): unknown {
    const q = this.queue(input);
    const entries = entriesOf(input, 'SendMessageBatchRequestEntry');
    const total = entries.reduce((n, e) => n + (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0), 0);
    if (total > MAX_BATCH_BYTES) throw BatchRequestTooLong(MAX_BATCH_BYTES, total);
    return eachEntry(entries, (e) => this.sendOne(q, this.sendInput(q, e, ctx), ctx));
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
  async ReceiveMessage(input: Input, ctx: RequestContext): Promise<unknown> {
    const q = this.queue(input);
    const max = int(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    const visibility = int(input, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.') ?? q.num('VisibilityTimeout');
    const wait = int(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ?? q.num('ReceiveMessageWaitTimeSeconds');
    const attemptId = str(input, 'ReceiveRequestAttemptId');
    if (attemptId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(attemptId)) throw invalidParameter('ReceiveRequestAttemptId', attemptId, 'ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    const systemNames = [...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')];
    const attributeNames = stringList(input, 'MessageAttributeNames');
    const receiver = outsideReceiver(ctx);
    if (receiver !== undefined) this.receipts.asksAgain(receiver, q.arn);

    let messages = q.receive(max, visibility * 1000, attemptId);
    if (messages.length === 0 && wait > 0) messages = await this.longPoll(q, wait, () => q.receive(max, visibility * 1000, attemptId), ctx);
    if (receiver !== undefined && messages.length > 0) this.receipts.received(receiver, q.arn, messages.map((m) => m.receiptHandle!));
    if (messages.length === 0) return {};
    return { Messages: messages.map((m) => this.messageOutput(m, systemNames, attributeNames)) };
  }

  /**
   * A long poll: the request stops holding the clock (ctx.idle) and ends at
   * the first of a message arriving, WaitTimeSeconds of the Clock's time, the
   * same of real time (so a clock that stands still — pending callbacks,
   * autoAdvance off — makes a poll last no longer than on AWS, never forever),
   * the queue being deleted, or the client going away.
   */
  private longPoll(q: Queue, waitSeconds: number, take: () => SqsMessage[], ctx: RequestContext): Promise<SqsMessage[]> {
    return ctx.idle(
      (signal) =>
        new Promise<SqsMessage[]>((resolve) => {
          let done = false;
          const timers: Array<{ cancel(): void }> = [];
          let unsubscribe = () => {};
          const finish = (messages: SqsMessage[]) => {
            if (done) return;
            done = true;
            unsubscribe();
            for (const t of timers) t.cancel();
            signal.removeEventListener('abort', onAbort);
            resolve(messages);
          };
          const onAbort = () => finish([]);
          signal.addEventListener('abort', onAbort, { once: true });
          unsubscribe = q.onAvailable(() => {
            if (done) return;
            if (q.isClosed) return finish([]);
            const got = take();
            if (got.length > 0) finish(got);
          });
          timers.push(this.deps.clock.setTimer(waitSeconds * 1000, () => finish([])));
          if (this.deps.clock.kind === 'virtual') timers.push(REAL_CLOCK.setTimer(waitSeconds * 1000, () => finish([])));
          if (signal.aborted) finish([]);
        }),
    );
  }

  private messageOutput(m: SqsMessage, systemNames: string[], attributeNames: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body };
    const attrs = systemAttributesOf(m, systemNames);
    if (Object.keys(attrs).length > 0) out.Attributes = attrs;
    const selected = selectMessageAttributes(m.messageAttributes, attributeNames);
    const md5 = md5OfAttributes(selected);
    if (md5) {
      out.MD5OfMessageAttributes = md5;
      out.MessageAttributes = selected;
    }
    return out;
  }

  /** DeleteMessage and each DeleteMessageBatch entry. */
  private deleteOne(q: Queue, handle: unknown): void {
    if (typeof handle !== 'string' || handle === '') throw MissingParameter('ReceiptHandle');
    const result = q.deleteByHandle(handle);
    if (result === 'invalid') throw ReceiptHandleIsInvalid(handle);
    if (result === 'expired') throw invalidParameter('ReceiptHandle', handle, 'The receipt handle has expired.');
    this.receipts.settled(handle);
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
  DeleteMessage(input: Input): unknown {
    const q = this.queue(input);
    this.deleteOne(q, input.ReceiptHandle);
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
  DeleteMessageBatch(input: Input): unknown {
    const q = this.queue(input);
    return eachEntry(entriesOf(input, 'DeleteMessageBatchRequestEntry'), (e) => this.deleteOne(q, e.ReceiptHandle));
  }

  /** ChangeMessageVisibility and each batch entry. */
  private changeOne(q: Queue, entry: Input): void {
    const handle = entry.ReceiptHandle;
    if (typeof handle !== 'string' || handle === '') throw MissingParameter('ReceiptHandle');
    if (entry.VisibilityTimeout === undefined || entry.VisibilityTimeout === null) throw MissingParameter('VisibilityTimeout');
    const seconds = int(entry, 'VisibilityTimeout', 0, 43_200, 'Must be between 0 and 43200, if provided.')!;
    const result = q.changeVisibility(handle, seconds);
    if (result === 'invalid') throw ReceiptHandleIsInvalid(handle);
    if (result === 'gone') throw invalidParameter('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change.');
    if (result === 'not-in-flight') throw MessageNotInflight();
    if (result === 'too-long') throw invalidParameter('VisibilityTimeout', seconds, 'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]');
    this.receipts.settled(handle);
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
  ChangeMessageVisibility(input: Input): unknown {
    const q = this.queue(input);
    this.changeOne(q, input);
    return undefined;
  }

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibilityBatch.html
  ChangeMessageVisibilityBatch(input: Input): unknown {
    const q = this.queue(input);
    return eachEntry(entriesOf(input, 'ChangeMessageVisibilityBatchRequestEntry'), (e) => this.changeOne(q, e));
  }
}

/** The value GetQueueAttributes reports for an attribute never set. */
function defaultValue(name: string, q: Queue): string | undefined {
  const range = INTEGER_ATTRIBUTES[name];
  if (range) return String(range[2]);
  switch (name) {
    case 'SqsManagedSseEnabled':
      return q.attributes.has('KmsMasterKeyId') ? 'false' : 'true';
    case 'FifoQueue':
      return q.fifo ? 'true' : undefined;
    case 'ContentBasedDeduplication':
      return q.fifo ? 'false' : undefined;
    case 'DeduplicationScope':
      return q.fifo ? 'queue' : undefined;
    case 'FifoThroughputLimit':
      return q.fifo ? 'perQueue' : undefined;
    default:
      return undefined;
  }
}

function readAttribute(q: Queue, name: string, counts: { visible: number; inFlight: number; delayed: number }): string | undefined {
  switch (name) {
    case 'QueueArn':
      return q.arn;
    case 'ApproximateNumberOfMessages':
      return String(counts.visible);
    case 'ApproximateNumberOfMessagesNotVisible':
      return String(counts.inFlight);
    case 'ApproximateNumberOfMessagesDelayed':
      return String(counts.delayed);
    case 'CreatedTimestamp':
      return String(q.createdTimestamp);
    case 'LastModifiedTimestamp':
      return String(q.lastModifiedTimestamp);
    case 'KmsDataKeyReusePeriodSeconds':
      return q.attributes.get(name) ?? (q.attributes.has('KmsMasterKeyId') ? '300' : undefined);
    default:
      return q.attributes.get(name) ?? defaultValue(name, q);
  }
}

function systemAttributesOf(m: SqsMessage, names: string[]): Record<string, string> {
  const all = names.includes('All');
  const want = (n: string) => all || names.includes(n);
  const out: Record<string, string> = {};
  const put = (n: string, v: string | undefined) => {
    if (v !== undefined && want(n)) out[n] = v;
  };
  put('SenderId', m.senderId);
  put('ApproximateFirstReceiveTimestamp', m.firstReceiveTimestamp === undefined ? undefined : String(m.firstReceiveTimestamp));
  put('ApproximateReceiveCount', String(m.receiveCount));
  put('SentTimestamp', String(m.sentTimestamp));
  put('SequenceNumber', m.sequenceNumber);
  put('MessageDeduplicationId', m.dedupId);
  put('MessageGroupId', m.groupId);
  put('AWSTraceHeader', m.systemAttributes.AWSTraceHeader?.StringValue);
  put('DeadLetterQueueSourceArn', m.deadLetterQueueSourceArn);
  return out;
}

/** MessageAttributeNames: `All` or `.*` for every attribute, `prefix.*` for a prefix, else exact names. */
function selectMessageAttributes(attributes: Record<string, MessageAttributeValue>, names: string[]): Record<string, MessageAttributeValue> {
  if (names.length === 0) return {};
  const all = names.includes('All') || names.includes('.*');
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (all || names.includes(name) || names.some((n) => n.endsWith('.*') && name.startsWith(n.slice(0, -1)))) out[name] = value;
  }
  return out;
}

/**
 * SNS operations (API version 2010-03-31) over the awsQuery protocol: each
 * takes the flat form parameters and returns the `<Action>Result` content
 * (harness/protocol serialises objects, `<member>` lists and `<entry>` maps).
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../protocol/service.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { deliverToLambda, deliverToQueue, type PublishedMessage } from './delivery.ts';
import {
  BatchEntryIdsNotDistinct,
  EmptyBatchRequest,
  InvalidBatchEntryId,
  InvalidParameter,
  NotFound,
  ParameterValueInvalid,
  TooManyEntriesInBatchRequest,
  ValidationError,
} from './errors.ts';
import { matchesAttributes, matchesBody, parseFilterPolicy } from './filter-policy.ts';
import type { MessageAttribute, SnsStore, Subscription, Topic } from './models.ts';
import { entries, members, stringMap, sub } from './params.ts';
import { AwsServiceError } from '../../core/index.ts';

type Params = Record<string, string>;

const PAGE_SIZE = 100;
/** API_Publish: a message is at most 256 KiB. */
const MAX_MESSAGE_BYTES = 262_144;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'];
/** These need the endpoint's owner to confirm; we never receive that confirmation. */
const CONFIRMED_BY_ENDPOINT = ['http', 'https', 'email', 'email-json'];
const TOPIC_ATTRIBUTES = [
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'TracingConfig',
  'SignatureVersion',
  'FifoTopic',
  'ContentBasedDeduplication',
  'ArchivePolicy',
  'FifoThroughputScope',
  'DataProtectionPolicy',
];
const SUBSCRIPTION_ATTRIBUTES = ['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy'];

function required(params: Params, name: string): string {
  const v = params[name];
  if (v === undefined) {
    throw ValidationError(`1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return v;
}

/** NextToken for the awsQuery list operations: an opaque base64 offset. */
function page<T>(items: T[], nextToken: string | undefined): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!m) throw InvalidParameter('Invalid parameter: NextToken');
    start = Number(m[1]);
  }
  const slice = items.slice(start, start + PAGE_SIZE);
  const end = start + slice.length;
  return { items: slice, nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : undefined };
}

/**
 * `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` /
 * `.Value.BinaryValue` (API_MessageAttributeValue), validated as SNS does.
 */
export function readMessageAttributes(params: Params, prefix: string): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  const list = entries(params, prefix);
  if (list.length > 10) throw InvalidParameter(`Invalid parameter: ${prefix} Reason: Number of message attributes [${list.length}] exceeds the allowed maximum [10].`);
  for (const e of list) {
    const name = e['Name'];
    if (!name) throw InvalidParameter(`Invalid parameter: ${prefix} Reason: a message attribute has no Name.`);
    const dataType = e['Value.DataType'];
    if (!dataType) throw ParameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const base = dataType.split('.')[0]!;
    if (!['String', 'Number', 'Binary'].includes(base)) {
      throw ParameterValueInvalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const stringValue = e['Value.StringValue'];
    const binaryValue = e['Value.BinaryValue'];
    if (base === 'Binary') {
      if (!binaryValue) throw ParameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
      out[name] = { DataType: dataType, BinaryValue: binaryValue };
      continue;
    }
    if (stringValue === undefined || stringValue === '') {
      throw ParameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    if (base === 'Number' && !Number.isFinite(Number(stringValue))) {
      throw ParameterValueInvalid(`Could not cast message attribute '${name}' value to number.`);
    }
    if (dataType.startsWith('String.Array')) {
      let ok: boolean;
      try {
        ok = Array.isArray(JSON.parse(stringValue));
      } catch {
        ok = false;
      }
      if (!ok) throw ParameterValueInvalid(`The message attribute '${name}' with type 'String.Array' must be an array.`);
    }
    out[name] = { DataType: dataType, StringValue: stringValue };
  }
  return out;
}

interface PublishInput {
  message: string | undefined;
  subject: string | undefined;
  messageStructure: string | undefined;
  attributes: Record<string, MessageAttribute>;
  groupId: string | undefined;
  dedupId: string | undefined;
}

export class SnsOperations {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: SnsStore,
  ) {}

  private topicArn(name: string): string {
    return `arn:aws:sns:${this.deps.region}:${this.deps.accountId}:${name}`;
  }

  private topic(arn: string): Topic {
    const topic = this.store.topics.get(arn);
    if (!topic) throw NotFound('Topic does not exist');
    return topic;
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
  CreateTopic(params: Params): unknown {
    const name = required(params, 'Name');
    const attributes = stringMap(params, 'Attributes');
    const tags = members(params, 'Tags').map((t) => ({ Key: t['Key'] ?? '', Value: t['Value'] ?? '' }));
    const fifo = name.endsWith('.fifo');
    if (!TOPIC_NAME.test(fifo ? name.slice(0, -5) : name) || name.length > 256) {
      throw InvalidParameter('Invalid parameter: Topic Name');
    }
    if (fifo !== (attributes.get('FifoTopic') === 'true')) {
      throw InvalidParameter(
        'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
      );
    }
    for (const key of attributes.keys()) if (!TOPIC_ATTRIBUTES.includes(key)) throw InvalidParameter(`Invalid parameter: Attributes Reason: Unknown attribute ${key}`);
    const arn = this.topicArn(name);
    const existing = this.store.topics.get(arn);
    if (existing) {
      // API_CreateTopic: "This action is idempotent, so if the requester already owns a topic with the specified name, that topic's ARN is returned without creating a new topic."
      for (const [k, v] of attributes) {
        if (existing.attributes.get(k) !== v) throw InvalidParameter('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
      }
      for (const t of tags) {
        if (!existing.tags.some((e) => e.Key === t.Key && e.Value === t.Value)) throw InvalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags');
      }
      return { TopicArn: arn };
    }
    this.store.topics.set(arn, { arn, name, attributes, tags, sequence: 0n });
    return { TopicArn: arn };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html
  ListTopics(params: Params): unknown {
    const p = page([...this.store.topics.values()], params['NextToken']);
    return { Topics: p.items.map((t) => ({ TopicArn: t.arn })), NextToken: p.nextToken };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_DeleteTopic.html — deleting a topic that does not exist is not an error.
  DeleteTopic(params: Params): unknown {
    const arn = required(params, 'TopicArn');
    this.store.topics.delete(arn);
    for (const s of this.store.subscriptionsOf(arn)) this.store.subscriptions.delete(s.arn);
    return undefined;
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html
  GetTopicAttributes(params: Params): unknown {
    const topic = this.topic(required(params, 'TopicArn'));
    const subs = this.store.subscriptionsOf(topic.arn);
    const attrs = new Map<string, string>([
      ['TopicArn', topic.arn],
      ['Owner', this.deps.accountId],
      ['Policy', topic.attributes.get('Policy') ?? this.defaultPolicy(topic.arn)],
      ['DisplayName', topic.attributes.get('DisplayName') ?? ''],
      ['SubscriptionsPending', String(subs.filter((s) => s.pendingConfirmation).length)],
      ['SubscriptionsConfirmed', String(subs.filter((s) => !s.pendingConfirmation).length)],
      ['SubscriptionsDeleted', '0'],
      ['EffectiveDeliveryPolicy', topic.attributes.get('DeliveryPolicy') ?? DEFAULT_DELIVERY_POLICY],
    ]);
    for (const [k, v] of topic.attributes) if (!attrs.has(k)) attrs.set(k, v);
    return { Attributes: attrs };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
  SetTopicAttributes(params: Params): unknown {
    const topic = this.topic(required(params, 'TopicArn'));
    const name = required(params, 'AttributeName');
    if (!TOPIC_ATTRIBUTES.includes(name) || name === 'FifoTopic') throw InvalidParameter('Invalid parameter: AttributeName');
    topic.attributes.set(name, params['AttributeValue'] ?? '');
    return undefined;
  }

  private defaultPolicy(arn: string): string {
    return JSON.stringify({
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [
        {
          Sid: '__default_statement_ID',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: [
            'SNS:GetTopicAttributes',
            'SNS:SetTopicAttributes',
            'SNS:AddPermission',
            'SNS:RemovePermission',
            'SNS:DeleteTopic',
            'SNS:Subscribe',
            'SNS:ListSubscriptionsByTopic',
            'SNS:Publish',
          ],
          Resource: arn,
          Condition: { StringEquals: { 'AWS:SourceOwner': this.deps.accountId } },
        },
      ],
    });
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
  Subscribe(params: Params): unknown {
    const topic = this.topic(required(params, 'TopicArn'));
    const protocol = required(params, 'Protocol');
    const endpoint = params['Endpoint'] ?? '';
    if (!PROTOCOLS.includes(protocol)) throw InvalidParameter(`Invalid parameter: Amazon SNS does not support this protocol string: ${protocol}`);
    if (protocol === 'lambda' && !/^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(endpoint)) {
      throw InvalidParameter('Invalid parameter: Lambda endpoint ARN');
    }
    if (protocol === 'sqs' && !/^arn:aws[a-z-]*:sqs:[^:]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(endpoint)) throw InvalidParameter('Invalid parameter: SQS endpoint ARN');
    if (endpoint === '') throw InvalidParameter('Invalid parameter: Endpoint');
    const attributes = stringMap(params, 'Attributes');
    this.checkSubscriptionAttributes(attributes);
    const returnArn = params['ReturnSubscriptionArn'] === 'true';
    // Subscribing the same endpoint twice returns the existing subscription.
    const existing = this.store.subscriptionsOf(topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
    const subscription: Subscription = existing ?? {
      arn: `${topic.arn}:${this.deps.ids.uuid()}`,
      topicArn: topic.arn,
      protocol,
      endpoint,
      owner: this.deps.accountId,
      attributes,
      pendingConfirmation: CONFIRMED_BY_ENDPOINT.includes(protocol),
    };
    if (existing) for (const [k, v] of attributes) existing.attributes.set(k, v);
    else this.store.subscriptions.set(subscription.arn, subscription);
    return { SubscriptionArn: subscription.pendingConfirmation && !returnArn ? 'pending confirmation' : subscription.arn };
  }

  private checkSubscriptionAttributes(attributes: Map<string, string>): void {
    for (const [k, v] of attributes) {
      if (!SUBSCRIPTION_ATTRIBUTES.includes(k)) throw InvalidParameter(`Invalid parameter: Attributes Reason: Unknown attribute ${k}`);
      if (k === 'FilterPolicy') {
        try {
          parseFilterPolicy(v);
        } catch (e) {
          throw InvalidParameter(`Invalid parameter: FilterPolicy: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (k === 'FilterPolicyScope' && v !== 'MessageAttributes' && v !== 'MessageBody') {
        throw InvalidParameter('Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [' + v + ']. Please use either MessageBody or MessageAttributes');
      }
    }
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_Unsubscribe.html lists NotFound, but AWS answers an
  // unknown subscription with success (verified against AWS in getmoto/moto#3000); so do we.
  Unsubscribe(params: Params): unknown {
    this.store.subscriptions.delete(required(params, 'SubscriptionArn'));
    return undefined;
  }

  private subscriptionEntry(s: Subscription): Record<string, string> {
    return {
      SubscriptionArn: s.pendingConfirmation ? 'PendingConfirmation' : s.arn,
      Owner: s.owner,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: s.topicArn,
    };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptions.html
  ListSubscriptions(params: Params): unknown {
    const p = page([...this.store.subscriptions.values()], params['NextToken']);
    return { Subscriptions: p.items.map((s) => this.subscriptionEntry(s)), NextToken: p.nextToken };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
  ListSubscriptionsByTopic(params: Params): unknown {
    const topic = this.topic(required(params, 'TopicArn'));
    const p = page(this.store.subscriptionsOf(topic.arn), params['NextToken']);
    return { Subscriptions: p.items.map((s) => this.subscriptionEntry(s)), NextToken: p.nextToken };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html
  GetSubscriptionAttributes(params: Params): unknown {
    const s = this.store.subscriptions.get(required(params, 'SubscriptionArn'));
    if (!s) throw NotFound('Subscription does not exist');
    const attrs = new Map<string, string>([
      ['SubscriptionArn', s.arn],
      ['TopicArn', s.topicArn],
      ['Owner', s.owner],
      ['Protocol', s.protocol],
      ['Endpoint', s.endpoint],
      ['ConfirmationWasAuthenticated', String(!s.pendingConfirmation)],
      ['PendingConfirmation', String(s.pendingConfirmation)],
      ['RawMessageDelivery', s.attributes.get('RawMessageDelivery') ?? 'false'],
    ]);
    for (const [k, v] of s.attributes) attrs.set(k, v);
    return { Attributes: attrs };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
  SetSubscriptionAttributes(params: Params): unknown {
    const s = this.store.subscriptions.get(required(params, 'SubscriptionArn'));
    if (!s) throw NotFound('Subscription does not exist');
    const name = required(params, 'AttributeName');
    const value = params['AttributeValue'] ?? '';
    this.checkSubscriptionAttributes(new Map([[name, value]]));
    s.attributes.set(name, value);
    return undefined;
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
  Publish(params: Params, ctx: RequestContext): unknown {
    const phone = params['PhoneNumber'];
    const arn = params['TopicArn'] ?? params['TargetArn'];
    if (arn === undefined && phone === undefined) {
      throw InvalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    }
    const input: PublishInput = {
      message: params['Message'],
      subject: params['Subject'],
      messageStructure: params['MessageStructure'],
      attributes: readMessageAttributes(params, 'MessageAttributes'),
      groupId: params['MessageGroupId'],
      dedupId: params['MessageDeduplicationId'],
    };
    if (arn === undefined) {
      // SMS to a phone number: nothing to deliver locally; it is recorded like a topic message.
      const messageId = this.deps.ids.uuid();
      this.checkMessage(input);
      this.record(`sms:${phone}`, messageId, input, ctx);
      return { MessageId: messageId };
    }
    const topic = this.topic(arn);
    return this.publishTo(topic, input, ctx);
  }

  private checkMessage(input: PublishInput): string {
    const message = input.message;
    if (message === undefined || message === '') throw InvalidParameter('Invalid parameter: Empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw InvalidParameter('Invalid parameter: Message too long');
    // API_Publish: Subject is ASCII, no line breaks or control characters, at most 100 characters.
    if (input.subject !== undefined && (input.subject === '' || input.subject.length > 100 || !/^[\x20-\x7e]*$/.test(input.subject))) {
      throw InvalidParameter('Invalid parameter: Subject');
    }
    if (input.messageStructure !== undefined) {
      if (input.messageStructure !== 'json') throw InvalidParameter('Invalid parameter: MessageStructure');
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        throw InvalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
      }
      if (parsed === null || typeof parsed !== 'object' || typeof (parsed as Record<string, unknown>)['default'] !== 'string') {
        throw InvalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
      }
    }
    return message;
  }

  private publishTo(topic: Topic, input: PublishInput, ctx: RequestContext): { MessageId: string; SequenceNumber?: string } {
    const message = this.checkMessage(input);
    const fifo = topic.attributes.get('FifoTopic') === 'true';
    let sequenceNumber: string | undefined;
    if (fifo) {
      if (!input.groupId) throw InvalidParameter('Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
      if (!input.dedupId && topic.attributes.get('ContentBasedDeduplication') !== 'true') {
        throw InvalidParameter('Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      topic.sequence += 1n;
      sequenceNumber = topic.sequence.toString().padStart(20, '0');
    }
    const messageId = this.deps.ids.uuid();
    this.record(topic.arn, messageId, input, ctx);
    this.fanOut(topic, messageId, message, input, sequenceNumber);
    return sequenceNumber === undefined ? { MessageId: messageId } : { MessageId: messageId, SequenceNumber: sequenceNumber };
  }

  private record(topicArn: string, messageId: string, input: PublishInput, ctx: RequestContext): void {
    const attributes: Record<string, { DataType: string; StringValue?: string }> = {};
    // Binary attributes are recorded with their base64 text as StringValue.
    for (const [k, a] of Object.entries(input.attributes)) attributes[k] = { DataType: a.DataType, StringValue: a.StringValue ?? a.BinaryValue };
    this.deps.observations.recordSnsMessage({
      topicArn,
      messageId,
      message: input.message ?? '',
      subject: input.subject,
      attributes,
      caller: ctx.caller ?? 'client',
      time: this.deps.clock.now(),
    });
  }

  /** Delivers to every confirmed subscription whose filter policy matches: lambda subscriptions invoke their function, sqs ones send to their queue. */
  private fanOut(topic: Topic, messageId: string, message: string, input: PublishInput, sequenceNumber: string | undefined): void {
    const timestamp = this.deps.clock.now();
    // A FIFO topic's dedup id: given, or the message's SHA-256 with ContentBasedDeduplication (checked in publishTo).
    const fifo = sequenceNumber === undefined ? undefined : { groupId: input.groupId!, dedupId: input.dedupId ?? createHash('sha256').update(message).digest('hex'), sequenceNumber };
    for (const sub of this.store.subscriptionsOf(topic.arn)) {
      if (sub.pendingConfirmation) continue;
      const body = this.messageFor(sub.protocol, message, input.messageStructure);
      if (!this.passesFilter(sub, body, input.attributes)) continue;
      const published: PublishedMessage = { topicArn: topic.arn, messageId, message: body, subject: input.subject, attributes: input.attributes, timestamp, ...(fifo ? { fifo } : {}) };
      if (sub.protocol === 'lambda') deliverToLambda(this.deps, sub, published);
      else if (sub.protocol === 'sqs') deliverToQueue(this.deps, sub, published);
    }
  }

  /** MessageStructure=json: each protocol gets its own key, else `default`. */
  private messageFor(protocol: string, message: string, structure: string | undefined): string {
    if (structure !== 'json') return message;
    const parsed = JSON.parse(message) as Record<string, unknown>;
    const own = parsed[protocol];
    return typeof own === 'string' ? own : String(parsed['default']);
  }

  private passesFilter(sub: Subscription, body: string, attributes: Record<string, MessageAttribute>): boolean {
    const text = sub.attributes.get('FilterPolicy');
    if (!text) return true;
    const policy = parseFilterPolicy(text);
    if (sub.attributes.get('FilterPolicyScope') === 'MessageBody') {
      try {
        return matchesBody(policy, JSON.parse(body));
      } catch {
        return false;
      }
    }
    return matchesAttributes(policy, attributes);
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
  PublishBatch(params: Params, ctx: RequestContext): unknown {
    const topic = this.topic(required(params, 'TopicArn'));
    const prefix = 'PublishBatchRequestEntries';
    const indices = [...new Set(Object.keys(params).filter((k) => k.startsWith(`${prefix}.member.`)).map((k) => Number(k.split('.')[2])))]
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => a - b);
    if (indices.length === 0) throw EmptyBatchRequest();
    if (indices.length > 10) throw TooManyEntriesInBatchRequest();
    const batch = indices.map((i) => sub(params, `${prefix}.member.${i}`));
    const ids = batch.map((e) => e['Id'] ?? '');
    for (const id of ids) {
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw InvalidBatchEntryId(`The Id of a batch entry in a batch request doesn't abide by the specification: ${JSON.stringify(id)}.`);
    }
    if (new Set(ids).size !== ids.length) throw BatchEntryIdsNotDistinct();
    const total = batch.reduce((n, e) => n + Buffer.byteLength(e['Message'] ?? ''), 0);
    if (total > MAX_MESSAGE_BYTES) throw new AwsServiceError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.', 400);
    const successful: unknown[] = [];
    const failed: unknown[] = [];
    for (const entry of batch) {
      try {
        const input: PublishInput = {
          message: entry['Message'],
          subject: entry['Subject'],
          messageStructure: entry['MessageStructure'],
          attributes: readMessageAttributes(entry, 'MessageAttributes'),
          groupId: entry['MessageGroupId'],
          dedupId: entry['MessageDeduplicationId'],
        };
        const r = this.publishTo(topic, input, ctx);
        successful.push({ Id: entry['Id'], MessageId: r.MessageId, SequenceNumber: r.SequenceNumber });
      } catch (e) {
        if (!(e instanceof AwsServiceError)) throw e;
        failed.push({ Id: entry['Id'], Code: e.code, Message: e.message, SenderFault: e.senderFault });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_ListTagsForResource.html
  ListTagsForResource(params: Params): unknown {
    const topic = this.tagged(required(params, 'ResourceArn'));
    return { Tags: topic.tags.map((t) => ({ ...t })) };
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_TagResource.html
  TagResource(params: Params): unknown {
    const topic = this.tagged(required(params, 'ResourceArn'));
    for (const t of members(params, 'Tags')) {
      const key = t['Key'] ?? '';
      const value = t['Value'] ?? '';
      const existing = topic.tags.find((x) => x.Key === key);
      if (existing) existing.Value = value;
      else topic.tags.push({ Key: key, Value: value });
    }
    return {};
  }

  // https://docs.aws.amazon.com/sns/latest/api/API_UntagResource.html
  UntagResource(params: Params): unknown {
    const topic = this.tagged(required(params, 'ResourceArn'));
    const keys = members(params, 'TagKeys').map((m) => m[''] ?? '');
    topic.tags = topic.tags.filter((t) => !keys.includes(t.Key));
    return {};
  }

  private tagged(arn: string): Topic {
    const topic = this.store.topics.get(arn);
    if (!topic) throw new AwsServiceError('ResourceNotFound', 'Resource does not exist', 404);
    return topic;
  }
}

const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

/**
 * SNS subscriptions: SAM `SNS` events (→ Lambda), AWS::SNS::Subscription and
 * a topic's inline `Subscription` list (→ Lambda or an SQS queue).
 * Subscribing is idempotent (an existing subscription of the endpoint gets
 * its filter policy and raw delivery updated), and SNS is allowed to invoke a
 * function.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-sns.html
 */
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeployScope, Wiring } from '../resources/types.ts';
import { isObj } from '../template.ts';
import { allowInvoke } from './s3.ts';
import { DEFAULT_VISIBILITY_SECONDS, mapQueue, mappingSettings, type MappingSettings } from './sqs.ts';
import type { EventSourceModule } from './types.ts';

/** The subscription protocols the endpoint delivers to. */
export const DELIVERED_PROTOCOLS = ['lambda', 'sqs'] as const;
export type DeliveredProtocol = (typeof DELIVERED_PROTOCOLS)[number];

export const isDeliveredProtocol = (p: unknown): p is DeliveredProtocol => DELIVERED_PROTOCOLS.includes(p as DeliveredProtocol);

/** The warning for a subscription the endpoint does not deliver (http, email, sms, firehose…). */
export const undeliveredProtocol = (protocol: unknown) => `not deployed: the endpoint delivers SNS messages to lambda and sqs subscriptions only (this one is ${String(protocol)})`;

export interface SnsWiring extends Wiring {
  kind: 'sns';
  topicArn: string;
  protocol: DeliveredProtocol;
  /** The function's or the queue's ARN. */
  endpoint: string;
  /** Subscription attributes (FilterPolicy as JSON text, FilterPolicyScope, RawMessageDelivery). */
  attributes: Record<string, string>;
  /** Names the subscription in deploy's changes and its permission statement. */
  id: string;
  /**
   * A SAM event's `SqsSubscription`: the topic is subscribed to this queue
   * (the one given, or one SAM would create, named `<Function><Event>Queue`)
   * and the queue mapped to the function (`endpoint`).
   */
  viaQueue?: { name: string; arn?: string; settings: MappingSettings };
}

export function snsClient(scope: DeployScope): SNSClient {
  return scope.client('sns', (config) => new SNSClient(config));
}

export function subscriptionAttributes(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  if (props.FilterPolicy !== undefined) out.FilterPolicy = typeof props.FilterPolicy === 'string' ? props.FilterPolicy : JSON.stringify(props.FilterPolicy);
  if (typeof props.FilterPolicyScope === 'string') out.FilterPolicyScope = props.FilterPolicyScope;
  if (props.RawMessageDelivery !== undefined) out.RawMessageDelivery = String(props.RawMessageDelivery);
  return out;
}

/** Subscribes a function or a queue to a topic, or brings an existing subscription's attributes in line. Returns the subscription ARN. */
export async function subscribe(scope: DeployScope, w: SnsWiring, logicalId: string): Promise<string> {
  const sns = snsClient(scope);
  if (w.protocol === 'lambda') await allowInvoke(scope, w.endpoint, `sns-${w.topicArn.split(':').pop()}-${logicalId}`, 'sns.amazonaws.com', w.topicArn);
  let existing: string | undefined;
  let token: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: w.topicArn, NextToken: token }));
    existing ??= page.Subscriptions?.find((s) => s.Protocol === w.protocol && s.Endpoint === w.endpoint)?.SubscriptionArn;
    token = page.NextToken;
  } while (token && !existing);
  const type = 'AWS::SNS::Subscription';
  if (!existing) {
    const out = await sns.send(new SubscribeCommand({ TopicArn: w.topicArn, Protocol: w.protocol, Endpoint: w.endpoint, Attributes: w.attributes, ReturnSubscriptionArn: true }));
    scope.change({ type, logicalId, physicalId: out.SubscriptionArn ?? '', action: 'created', detail: `${w.topicArn} → ${w.endpoint}` });
    return out.SubscriptionArn ?? '';
  }
  const current = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: existing }))).Attributes ?? {};
  const changed: string[] = [];
  for (const name of ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery']) {
    const wanted = w.attributes[name];
    const have = current[name];
    const same = wanted === undefined ? have === undefined || have === '' || (name === 'RawMessageDelivery' && have === 'false') || (name === 'FilterPolicyScope' && have === 'MessageAttributes') : normalised(have) === normalised(wanted);
    if (same) continue;
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing, AttributeName: name, AttributeValue: wanted ?? (name === 'FilterPolicy' ? '{}' : name === 'RawMessageDelivery' ? 'false' : 'MessageAttributes') }));
    changed.push(name);
  }
  scope.change({ type, logicalId, physicalId: existing, action: changed.length ? 'updated' : 'unchanged', ...(changed.length ? { detail: changed.join(', ') } : {}) });
  return existing;
}

function normalised(text: string | undefined): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text ?? ''));
  } catch {
    return text;
  }
}

export const snsEvents: EventSourceModule<SnsWiring> = {
  kind: 'sns',
  samTypes: ['SNS'],
  fromSamEvent({ target, eventId, properties, field, input }) {
    if (typeof properties.Topic !== 'string' || !properties.Topic.startsWith('arn:')) {
      input.problem(`an SNS event needs Topic, the topic's ARN, got ${JSON.stringify(properties.Topic)}`, `${field}.Properties.Topic`);
      return [];
    }
    const wiring: SnsWiring = { kind: 'sns', source: `Resources.${target.logicalId}.${field}`, topicArn: properties.Topic, protocol: 'lambda', endpoint: target.functionArn, attributes: subscriptionAttributes(properties), id: `${target.logicalId}${eventId}` };
    const via = properties.SqsSubscription;
    if (via === true || via === 'true' || isObj(via)) {
      // SAM puts a queue between: the topic → the queue (not raw) → an event source mapping → the function.
      const given = isObj(via) && typeof via.QueueArn === 'string' ? via.QueueArn : undefined;
      // The queue SAM adds has SQS's default VisibilityTimeout (30 s): Lambda refuses its mapping to a slower function.
      if (given === undefined && target.timeoutSeconds > DEFAULT_VISIBILITY_SECONDS) {
        input.problem(
          `Lambda refuses this mapping, so the deploy fails: the queue SqsSubscription adds has SQS's default visibility timeout (${DEFAULT_VISIBILITY_SECONDS} seconds), less than Function timeout: ${target.timeoutSeconds} seconds. Give SqsSubscription the QueueArn and QueueUrl of a queue of the template with a VisibilityTimeout of at least ${target.timeoutSeconds}, or lower the function's Timeout`,
          `${field}.Properties.SqsSubscription`,
        );
      }
      const settings = mappingSettings(isObj(via) ? { BatchSize: via.BatchSize, Enabled: via.Enabled } : {}, `${field}.Properties.SqsSubscription`, input.problem);
      wiring.viaQueue = { name: given?.split(':').pop() ?? `${target.logicalId}${eventId}Queue`, ...(given ? { arn: given } : {}), settings };
      delete wiring.attributes.RawMessageDelivery;
    }
    return [wiring];
  },
  independent: true,
  async deploy(items, scope) {
    for (const w of items) {
      if (w.viaQueue) await subscribeThroughQueue(scope, w, w.viaQueue);
      else await subscribe(scope, w, w.id);
    }
  },
};

/**
 * SAM's `SqsSubscription`: the queue (created when the event names none, as
 * SAM adds an AWS::SQS::Queue), the topic's sqs subscription to it, and the
 * queue's event source mapping to the function — so the handler gets SQS
 * records whose body is the SNS notification, as on AWS.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-sqssubscriptionobject.html
 */
async function subscribeThroughQueue(scope: DeployScope, w: SnsWiring, via: NonNullable<SnsWiring['viaQueue']>): Promise<void> {
  let queueArn = via.arn;
  if (queueArn === undefined) {
    const sqs = scope.client('sqs', (config) => new SQSClient(config));
    const existing = await sqs.send(new GetQueueUrlCommand({ QueueName: via.name })).then(
      (out) => out.QueueUrl,
      () => undefined,
    );
    const url = existing ?? (await sqs.send(new CreateQueueCommand({ QueueName: via.name }))).QueueUrl!;
    queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    scope.change({ type: 'AWS::SQS::Queue', logicalId: via.name, physicalId: url, action: existing ? 'unchanged' : 'created', detail: `SqsSubscription of ${w.source}` });
  }
  await subscribe(scope, { ...w, protocol: 'sqs', endpoint: queueArn }, `${w.id}Subscription`);
  await mapQueue(scope, { kind: 'sqs', source: w.source, queueArn, functionArn: w.endpoint, settings: via.settings, id: `${w.id}EventSourceMapping` }, 'AWS::Lambda::EventSourceMapping');
}

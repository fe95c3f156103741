/**
 * Delivery to subscriptions: `lambda` ones invoke the function asynchronously
 * (`Event`) with the record shape AWS sends ("Invoking Lambda functions with
 * Amazon SNS notifications", Lambda developer guide); `sqs` ones send the
 * queue a message — the notification's JSON document, or with
 * RawMessageDelivery the message itself, its attributes as SQS message
 * attributes ("Fanout to Amazon SQS queues", "Amazon SNS raw message
 * delivery", SNS developer guide).
 */
import { queueUrlOf, type ServiceDeps } from '../service-deps.ts';
import type { MessageAttribute, Subscription } from './models.ts';

export interface PublishedMessage {
  topicArn: string;
  messageId: string;
  /** FIFO topics: the message group, deduplication id and sequence number, passed on to a FIFO queue. */
  fifo?: { groupId: string; dedupId: string; sequenceNumber: string };
  /** The message this protocol receives (MessageStructure=json already resolved). */
  message: string;
  subject?: string;
  attributes: Record<string, MessageAttribute>;
  timestamp: number;
}

export interface SnsLambdaEvent {
  Records: Array<{
    EventSource: 'aws:sns';
    EventVersion: '1.0';
    EventSubscriptionArn: string;
    Sns: {
      Type: 'Notification';
      MessageId: string;
      TopicArn: string;
      Subject: string | null;
      Message: string;
      Timestamp: string;
      SignatureVersion: string;
      Signature: string;
      SigningCertUrl: string;
      UnsubscribeUrl: string;
      MessageAttributes: Record<string, { Type: string; Value: string }>;
    };
  }>;
}

/** The message attributes as a notification carries them: `{Type, Value}`. */
function notificationAttributes(msg: PublishedMessage): Record<string, { Type: string; Value: string }> {
  const attributes: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(msg.attributes)) attributes[name] = { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? '' };
  return attributes;
}

function endpointOf(deps: ServiceDeps): string {
  try {
    return deps.endpoint();
  } catch {
    return `https://sns.${deps.region}.amazonaws.com`;
  }
}

// Not a real signature: nothing here holds SNS's signing key.
const signatureOf = (msg: PublishedMessage) => Buffer.from(`rehearse:${msg.messageId}`).toString('base64');
const certUrl = (deps: ServiceDeps) => `https://sns.${deps.region}.amazonaws.com/SimpleNotificationService-rehearse.pem`;
const unsubscribeUrl = (deps: ServiceDeps, sub: Subscription) => `${endpointOf(deps)}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.arn)}`;

export function lambdaEvent(deps: ServiceDeps, sub: Subscription, msg: PublishedMessage): SnsLambdaEvent {
  const attributes = notificationAttributes(msg);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: sub.arn,
        Sns: {
          Type: 'Notification',
          MessageId: msg.messageId,
          TopicArn: msg.topicArn,
          Subject: msg.subject ?? null,
          Message: msg.message,
          Timestamp: new Date(msg.timestamp).toISOString(),
          SignatureVersion: '1',
          Signature: signatureOf(msg),
          SigningCertUrl: certUrl(deps),
          UnsubscribeUrl: unsubscribeUrl(deps, sub),
          MessageAttributes: attributes,
        },
      },
    ],
  };
}

/** Starts the asynchronous invocation now (so the Lambda service holds the clock) and logs a failure instead of throwing. */
export function deliverToLambda(deps: ServiceDeps, sub: Subscription, msg: PublishedMessage): void {
  let started: Promise<unknown>;
  try {
    started = deps.lambda().invoke({
      functionName: sub.endpoint,
      payload: JSON.stringify(lambdaEvent(deps, sub, msg)),
      invocationType: 'Event',
      caller: 'sns',
    });
  } catch (e) {
    started = Promise.reject(e);
  }
  started.catch((e: unknown) => {
    deps.log.warn(`sns: delivery of message ${msg.messageId} to ${sub.endpoint} failed (${e instanceof Error ? e.name : 'error'})`);
  });
}

/**
 * The body an `sqs` subscription's queue receives without raw delivery: the
 * notification document, its members in AWS's order and spelling
 * (`SigningCertURL`, `UnsubscribeURL`; `Subject` and `MessageAttributes` only
 * when there are some, `SequenceNumber` from a FIFO topic).
 */
export function sqsNotification(deps: ServiceDeps, sub: Subscription, msg: PublishedMessage): string {
  const attributes = notificationAttributes(msg);
  return JSON.stringify({
    Type: 'Notification',
    MessageId: msg.messageId,
    ...(msg.fifo ? { SequenceNumber: msg.fifo.sequenceNumber } : {}),
    TopicArn: msg.topicArn,
    ...(msg.subject !== undefined ? { Subject: msg.subject } : {}),
    Message: msg.message,
    Timestamp: new Date(msg.timestamp).toISOString(),
    ...(msg.fifo ? {} : { SignatureVersion: '1', Signature: signatureOf(msg), SigningCertURL: certUrl(deps) }),
    UnsubscribeURL: unsubscribeUrl(deps, sub),
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
  });
}

/** Who SNS's calls come from (the access key the other services see). */
export const SNS_PRINCIPAL = 'SNS';

/**
 * Sends the message to an `sqs` subscription's queue, in-process as the SNS
 * service principal does. A queue that is gone or refuses it is logged: SNS
 * retries an SQS endpoint for days, and the publisher never learns of it.
 */
export function deliverToQueue(deps: ServiceDeps, sub: Subscription, msg: PublishedMessage): void {
  const raw = sub.attributes.get('RawMessageDelivery') === 'true';
  const input: Record<string, unknown> = { QueueUrl: queueUrlOf(endpointOf(deps), sub.endpoint), MessageBody: raw ? msg.message : sqsNotification(deps, sub, msg) };
  if (raw && Object.keys(msg.attributes).length > 0) {
    input.MessageAttributes = Object.fromEntries(
      Object.entries(msg.attributes).map(([k, a]) => [k, a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue ?? '' }]),
    );
  }
  if (msg.fifo && sub.endpoint.endsWith('.fifo')) Object.assign(input, { MessageGroupId: msg.fifo.groupId, MessageDeduplicationId: msg.fifo.dedupId });
  const sent = deps.callService ? deps.callService('sqs', 'SendMessage', input, SNS_PRINCIPAL) : Promise.reject(new Error('SQS is not served by this endpoint'));
  sent.catch((e: unknown) => {
    deps.log.warn(`sns: delivery of message ${msg.messageId} to ${sub.endpoint} failed (${e instanceof Error ? `${e.name}: ${e.message}` : 'error'})`);
  });
}

/**
 * Delivery to `lambda` subscriptions: the function is invoked asynchronously
 * (`Event`) with the record shape AWS sends ("Invoking Lambda functions with
 * Amazon SNS notifications", Lambda developer guide).
 */
import type { ServiceDeps } from '../service-deps.ts';
import type { MessageAttribute, Subscription } from './models.ts';

export interface PublishedMessage {
  topicArn: string;
  messageId: string;
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

export function lambdaEvent(deps: ServiceDeps, sub: Subscription, msg: PublishedMessage): SnsLambdaEvent {
  const attributes: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(msg.attributes)) attributes[name] = { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? '' };
  let endpoint: string;
  try {
    endpoint = deps.endpoint();
  } catch {
    endpoint = `https://sns.${deps.region}.amazonaws.com`;
  }
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
          // Not a real signature: nothing here holds SNS's signing key.
          Signature: Buffer.from(`rehearse:${msg.messageId}`).toString('base64'),
          SigningCertUrl: `https://sns.${deps.region}.amazonaws.com/SimpleNotificationService-rehearse.pem`,
          UnsubscribeUrl: `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.arn)}`,
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

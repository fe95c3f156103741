/**
 * How each kind of target receives an event, by the service its ARN names:
 * Lambda asynchronously (`InvocationType: Event`, as EventBridge invokes),
 * Step Functions StartExecution, SQS SendMessage (FIFO queues with the
 * target's SqsParameters.MessageGroupId), SNS Publish, and another event bus.
 * The calls are in-process, as the AWS service principal makes them.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html
 */
import { AwsServiceError } from '../../core/index.ts';
import { queueUrlOf, type ServiceDeps } from '../service-deps.ts';
import type { EventEnvelope } from './input-transform.ts';
import type { TargetRecord } from './models.ts';

export interface TargetCall {
  lambda(functionArn: string, payload: string): Promise<void>;
  startExecution(stateMachineArn: string, input: string): Promise<void>;
  sqs(queueArn: string, body: string, attributes?: Record<string, string>, groupId?: string, dedupId?: string): Promise<void>;
  sns(topicArn: string, message: string): Promise<void>;
}

/** Who EventBridge's calls come from (the access key the other services see). */
export const EVENTS_PRINCIPAL = 'EVENTS';

function unavailable(service: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `The ${service} service is not available on this endpoint`, 400);
}

export function createTargetCall(deps: ServiceDeps): TargetCall {
  const call = async (service: string, operation: string, input: Record<string, unknown>) => {
    if (!deps.callService) throw unavailable(service);
    await deps.callService(service, operation, input, EVENTS_PRINCIPAL);
  };
  return {
    async lambda(functionArn, payload) {
      await deps.lambda().invoke({ functionName: functionArn, payload, invocationType: 'Event', caller: 'events' });
    },
    startExecution: (stateMachineArn, input) => call('states', 'StartExecution', { stateMachineArn, input }),
    async sqs(queueArn, body, attributes, groupId, dedupId) {
      await call('sqs', 'SendMessage', {
        QueueUrl: queueUrlOf(deps.endpoint(), queueArn),
        MessageBody: body,
        ...(attributes ? { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) } : {}),
        ...(groupId !== undefined ? { MessageGroupId: groupId } : {}),
        ...(dedupId !== undefined ? { MessageDeduplicationId: dedupId } : {}),
      });
    },
    sns: (topicArn, message) => call('sns', 'Publish', { TopicArn: topicArn, Message: message }),
  };
}

export interface Delivery {
  ruleArn: string;
  target: TargetRecord;
  /** What the target receives (targetInput). */
  input: string;
  event: EventEnvelope;
  /** Accepts the event on the bus with this ARN. */
  forward(busArn: string): void;
}

/** Delivers once; throws the target service's error when it refuses. */
export async function deliverToTarget(call: TargetCall, d: Delivery): Promise<void> {
  const arn = d.target.Arn;
  const service = arn.split(':')[2];
  switch (service) {
    case 'lambda':
      return call.lambda(arn, d.input);
    case 'states':
      return call.startExecution(arn, d.input);
    case 'sqs':
      // A FIFO queue needs a group; the event id deduplicates (EventBridge sends one message per event).
      return call.sqs(arn, d.input, undefined, d.target.SqsParameters?.MessageGroupId, arn.endsWith('.fifo') ? d.event.id : undefined);
    case 'sns':
      return call.sns(arn, d.input);
    case 'events':
      if (arn.includes(':event-bus/')) return d.forward(arn);
      break;
  }
  // Honest capability (DESIGN.md principle 7): a target this endpoint cannot reach fails visibly.
  throw new AwsServiceError('ResourceNotFoundException', `The embedded endpoint does not deliver to ${service} targets (${arn}); it delivers to Lambda, Step Functions, SQS, SNS and event buses`, 400);
}

/**
 * The event sources deploy can connect, one module each. To add one (an SQS
 * event source mapping, an EventBridge rule, a schedule): write a module with
 * the `EventSourceModule` shape next to s3.ts and list it here; SAM `Events`
 * of its types stop being reported as not deployed.
 */
import { eventBridgeEvents } from './eventbridge.ts';
import { s3Events } from './s3.ts';
import { schedulerEvents } from './scheduler.ts';
import { snsEvents } from './sns.ts';
import { sqsEvents } from './sqs.ts';
import type { EventSourceModule } from './types.ts';

export const EVENT_SOURCES: readonly EventSourceModule[] = [s3Events, snsEvents, sqsEvents, eventBridgeEvents, schedulerEvents] as EventSourceModule[];

export function eventSourceForSamType(type: string): EventSourceModule | undefined {
  return EVENT_SOURCES.find((m) => m.samTypes.includes(type));
}

export function eventSourceOfKind(kind: string): EventSourceModule | undefined {
  return EVENT_SOURCES.find((m) => m.kind === kind);
}

/** Why a SAM event type is not deployed. */
export function samEventNotDeployedReason(type: string): string {
  const services: Record<string, string> = {
    Api: 'API Gateway', HttpApi: 'API Gateway', Schedule: 'EventBridge schedules', ScheduleV2: 'EventBridge Scheduler', EventBridgeRule: 'EventBridge rules', CloudWatchEvent: 'EventBridge rules',
    DynamoDB: 'DynamoDB streams', Kinesis: 'Kinesis streams', MSK: 'Amazon MSK', MQ: 'Amazon MQ', SelfManagedKafka: 'Kafka', DocumentDB: 'DocumentDB streams',
    CloudWatchLogs: 'CloudWatch Logs subscriptions', Cognito: 'Cognito triggers', IoTRule: 'IoT rules', AlexaSkill: 'Alexa skills',
  };
  return services[type] ? `the endpoint does not deliver ${services[type]} yet` : `rehearse does not know SAM event type ${type}`;
}

/**
 * The resource types deploy creates, one module each. To add a type (a
 * DynamoDB table, an SQS queue, an EventBridge rule): write a module with the
 * `ResourceModule` shape (types.ts) next to s3-bucket.ts and list it here. A
 * type no module handles is reported once as not deployed (or, for IAM and
 * the like, skipped as having no local effect), and the rest still deploys.
 */
import { dynamoDbTable } from './dynamodb-table.ts';
import { eventBus, eventsRule } from './events.ts';
import { schedulerSchedule, schedulerScheduleGroup } from './scheduler.ts';
import { lambdaFunction } from './lambda-function.ts';
import { layerVersion } from './layer-version.ts';
import { s3Bucket } from './s3-bucket.ts';
import { secretsManagerSecret } from './secret.ts';
import { snsSubscription } from './sns-subscription.ts';
import { snsTopic } from './sns-topic.ts';
import { sqsQueue, sqsQueuePolicy } from './sqs-queue.ts';
import { lambdaEventSourceMapping } from './lambda-event-source-mapping.ts';
import { stateMachine } from './state-machine.ts';
import type { ResourceModule } from './types.ts';

export const RESOURCE_MODULES: readonly ResourceModule[] = [
  s3Bucket,
  snsTopic,
  snsSubscription,
  sqsQueue,
  sqsQueuePolicy,
  secretsManagerSecret,
  dynamoDbTable,
  layerVersion,
  lambdaFunction,
  lambdaEventSourceMapping,
  stateMachine,
  eventBus,
  schedulerScheduleGroup,
  schedulerSchedule,
  eventsRule,
] as ResourceModule[];

const byType = new Map<string, ResourceModule>();
for (const m of RESOURCE_MODULES) for (const t of m.types) byType.set(t, m);

export function moduleFor(type: string): ResourceModule | undefined {
  return byType.get(type);
}

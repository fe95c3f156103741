/**
 * S3 bucket notifications → Lambda: SAM `S3` events, a bucket's
 * NotificationConfiguration.LambdaConfigurations and CDK's
 * Custom::S3BucketNotifications all end as one PutBucketNotificationConfiguration
 * per bucket, plus the permission S3 needs to invoke each function (what SAM
 * adds as AWS::Lambda::Permission).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-s3.html
 */
import { AddPermissionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import type { LambdaFunctionConfiguration } from '@aws-sdk/client-s3';
import { s3Client } from '../resources/s3-bucket.ts';
import type { DeployScope, Wiring } from '../resources/types.ts';
import { isObj } from '../template.ts';
import { functionNameOf, type EventSourceModule } from './types.ts';

export interface S3Wiring extends Wiring {
  kind: 's3';
  bucket: string;
  functionArn: string;
  events: string[];
  rules: Array<{ Name: 'prefix' | 'suffix'; Value: string }>;
  id: string;
  /** The bucket's EventBridgeConfiguration (every change to the default bus) instead of a function. */
  eventBridge?: true;
}

/** A bucket that sends its changes to EventBridge (NotificationConfiguration.EventBridgeConfiguration). */
export function s3EventBridgeWiring(source: string, bucket: string): S3Wiring {
  return { kind: 's3', source, bucket, functionArn: '', events: [], rules: [], id: `${bucket}-eventbridge`, eventBridge: true };
}

export function s3Wiring(source: string, bucket: string, functionArn: string, events: string[], rules: unknown[], id: string): S3Wiring {
  const filter: S3Wiring['rules'] = [];
  for (const r of rules) {
    if (!isObj(r)) continue;
    const name = String(r.Name).toLowerCase();
    if (name === 'prefix' || name === 'suffix') filter.push({ Name: name, Value: String(r.Value ?? '') });
  }
  return { kind: 's3', source, bucket, functionArn, events, rules: filter, id };
}

export function lambdaClient(scope: DeployScope): LambdaClient {
  return scope.client('lambda', (config) => new LambdaClient(config));
}

/** Lets `principal` invoke the function (idempotent: an existing statement is fine). */
export async function allowInvoke(scope: DeployScope, functionArn: string, statementId: string, principal: string, sourceArn: string): Promise<void> {
  await lambdaClient(scope)
    .send(new AddPermissionCommand({ FunctionName: functionNameOf(functionArn), StatementId: statementId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 100), Action: 'lambda:InvokeFunction', Principal: principal, SourceArn: sourceArn }))
    .catch((e: unknown) => {
      if ((e as { name?: string }).name !== 'ResourceConflictException') scope.log(`warning: AddPermission for ${functionNameOf(functionArn)}: ${(e as Error).message}`);
    });
}

/** Same functions, events and filters (order and Ids aside). */
function sameNotifications(current: LambdaFunctionConfiguration[], wanted: LambdaFunctionConfiguration[]): boolean {
  const key = (c: LambdaFunctionConfiguration) =>
    JSON.stringify([c.LambdaFunctionArn, [...(c.Events ?? [])].sort(), (c.Filter?.Key?.FilterRules ?? []).map((r) => `${String(r.Name).toLowerCase()}=${r.Value}`).sort()]);
  return JSON.stringify(current.map(key).sort()) === JSON.stringify(wanted.map(key).sort());
}

export const s3Events: EventSourceModule<S3Wiring> = {
  kind: 's3',
  samTypes: ['S3'],
  fromSamEvent({ target, eventId, properties, raw, field, input }) {
    // SAM: "This bucket must exist in the same template."
    const ref = isObj(raw.Bucket) ? raw.Bucket.Ref : undefined;
    const bucketResource = typeof ref === 'string' ? input.template.resources[ref] : undefined;
    if (!bucketResource || bucketResource.Type !== 'AWS::S3::Bucket') {
      input.problem(`an S3 event must name a bucket of this template with !Ref, got ${JSON.stringify(raw.Bucket)}`, `${field}.Properties.Bucket`);
      return [];
    }
    const events = (Array.isArray(properties.Events) ? properties.Events : [properties.Events]).filter((e): e is string => typeof e === 'string');
    if (events.length === 0) {
      input.problem('an S3 event needs Events (e.g. s3:ObjectCreated:*)', `${field}.Properties.Events`);
      return [];
    }
    const filter = properties.Filter;
    const rules = isObj(filter) && isObj(filter.S3Key) && Array.isArray(filter.S3Key.Rules) ? filter.S3Key.Rules : [];
    return [s3Wiring(`Resources.${target.logicalId}.${field}`, String(properties.Bucket), target.functionArn, events, rules, `${target.logicalId}-${eventId}`)];
  },
  async deploy(items, scope) {
    const byBucket = new Map<string, S3Wiring[]>();
    for (const w of items) byBucket.set(w.bucket, [...(byBucket.get(w.bucket) ?? []), w]);
    const s3 = s3Client(scope);
    for (const [bucket, all] of byBucket) {
      const eventBridge = all.some((w) => w.eventBridge);
      const wirings = all.filter((w) => !w.eventBridge);
      const configs: LambdaFunctionConfiguration[] = wirings.map((w) => ({
        Id: w.id,
        LambdaFunctionArn: w.functionArn,
        Events: w.events as never,
        ...(w.rules.length ? { Filter: { Key: { FilterRules: w.rules } } } : {}),
      }));
      for (const w of wirings) await allowInvoke(scope, w.functionArn, `s3-${bucket}-${w.id}`, 's3.amazonaws.com', `arn:${scope.ctx.partition}:s3:::${bucket}`);
      const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      if (sameNotifications(current.LambdaFunctionConfigurations ?? [], configs) && (current.EventBridgeConfiguration !== undefined) === eventBridge) {
        scope.change({ type: 'AWS::S3::BucketNotification', logicalId: bucket, physicalId: bucket, action: 'unchanged' });
        continue;
      }
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { LambdaFunctionConfigurations: configs, ...(eventBridge ? { EventBridgeConfiguration: {} } : {}) } }));
      scope.change({
        type: 'AWS::S3::BucketNotification',
        logicalId: bucket,
        physicalId: bucket,
        action: current.LambdaFunctionConfigurations?.length || current.EventBridgeConfiguration ? 'updated' : 'created',
        detail: [...(eventBridge ? ['every change → EventBridge'] : []), ...configs.map((c) => `${c.Events?.join(',')} ${c.Filter?.Key?.FilterRules?.map((r) => `${r.Name}=${r.Value}`).join(' ') ?? ''} → ${c.LambdaFunctionArn}`)].join('; '),
      });
    }
  },
};

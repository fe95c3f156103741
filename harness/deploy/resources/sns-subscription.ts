/**
 * AWS::SNS::Subscription with Protocol lambda or sqs (what the endpoint
 * delivers); any other protocol is reported as not deployed.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-subscription.html
 */
import { isDeliveredProtocol, subscribe, subscriptionAttributes, undeliveredProtocol } from '../events/sns.ts';
import type { ResourceModule } from './types.ts';

export interface SubscriptionSpec {
  logicalId: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
}

export const snsSubscription: ResourceModule<SubscriptionSpec> = {
  types: ['AWS::SNS::Subscription'],
  properties: ['TopicArn', 'Protocol', 'Endpoint', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery'],
  read(input) {
    const p = input.properties;
    for (const k of ['TopicArn', 'Protocol'] as const) {
      if (typeof p[k] !== 'string' && !input.unresolved.has(k)) {
        input.problem(`${k} is required`, `Properties.${k}`);
        return undefined;
      }
    }
    if (typeof p.TopicArn !== 'string' || typeof p.Protocol !== 'string') return undefined;
    if (!isDeliveredProtocol(p.Protocol)) input.problem(undeliveredProtocol(p.Protocol), 'Properties.Protocol', 'WARNING');
    return { logicalId: input.logicalId, topicArn: p.TopicArn, protocol: p.Protocol, endpoint: String(p.Endpoint ?? ''), attributes: subscriptionAttributes(p) };
  },
  physical: (spec) => ({ ref: `${spec.topicArn}:${spec.logicalId}`, attributes: {} }),
  async deploy(spec, scope) {
    const protocol = spec.protocol;
    if (!isDeliveredProtocol(protocol)) {
      scope.change({ type: 'AWS::SNS::Subscription', logicalId: spec.logicalId, physicalId: spec.endpoint, action: 'skipped', detail: `protocol ${protocol} is not delivered by the endpoint` });
      return { ref: `${spec.topicArn}:${spec.logicalId}`, attributes: {} };
    }
    const arn = await subscribe(scope, { kind: 'sns', source: `Resources.${spec.logicalId}`, topicArn: spec.topicArn, protocol, endpoint: spec.endpoint, attributes: spec.attributes, id: spec.logicalId }, spec.logicalId);
    return { ref: arn, attributes: {} };
  },
};

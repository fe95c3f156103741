/**
 * AWS::SNS::Topic (CreateTopic is idempotent: it returns an existing topic's
 * ARN) and its inline `Subscription` list (lambda and sqs endpoints subscribed once the
 * functions exist).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sns-topic.html
 */
import { CreateTopicCommand, ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { isDeliveredProtocol, snsClient, undeliveredProtocol, type SnsWiring } from '../events/sns.ts';
import { isObj } from '../template.ts';
import type { ResourceModule } from './types.ts';
import { everyName } from './listing.ts';

export interface TopicSpec {
  logicalId: string;
  name: string;
  fifo: boolean;
}

/** Every topic's ARN (ListTopics, all pages). */
function topicArns(sns: SNSClient): Promise<Set<string>> {
  return everyName((NextToken) => sns.send(new ListTopicsCommand({ NextToken })), (p) => p.NextToken, (p) => p.Topics?.map((t) => t.TopicArn));
}

function topicPhysical(arn: string, name: string): PhysicalResource {
  return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
}

export const snsTopic: ResourceModule<TopicSpec> = {
  types: ['AWS::SNS::Topic'],
  properties: ['TopicName', 'FifoTopic'],
  lateProperties: ['Subscription'],
  read(input) {
    const fifo = input.properties.FifoTopic === true || input.properties.FifoTopic === 'true';
    const given = input.properties.TopicName;
    const name = typeof given === 'string' ? given : `${input.logicalId}${fifo ? '.fifo' : ''}`;
    if (fifo && !name.endsWith('.fifo')) input.problem(`a FIFO topic's name must end in .fifo, got ${JSON.stringify(name)}`, 'Properties.TopicName');
    return { logicalId: input.logicalId, name, fifo };
  },
  physical: (spec, c: ResolveContext) => topicPhysical(`arn:${c.partition}:sns:${c.region}:${c.accountId}:${spec.name}`, spec.name),
  async deploy(spec, scope) {
    const sns = snsClient(scope);
    const before = await scope.before('sns:topics', () => topicArns(sns));
    const out = await sns.send(new CreateTopicCommand({ Name: spec.name, ...(spec.fifo ? { Attributes: { FifoTopic: 'true' } } : {}) }));
    const arn = out.TopicArn ?? '';
    scope.change({ type: 'AWS::SNS::Topic', logicalId: spec.logicalId, physicalId: arn, action: before.has(arn) ? 'unchanged' : 'created' });
    return topicPhysical(arn, spec.name);
  },
  wiring(spec, late, input, physical) {
    const subs = Array.isArray(late.Subscription) ? late.Subscription : [];
    const out: SnsWiring[] = [];
    subs.forEach((s, i) => {
      const field = `Properties.Subscription[${i}]`;
      if (!isObj(s) || typeof s.Protocol !== 'string' || typeof s.Endpoint !== 'string') {
        input.problem('a Subscription needs Protocol and Endpoint', field);
        return;
      }
      if (!isDeliveredProtocol(s.Protocol)) {
        input.problem(undeliveredProtocol(s.Protocol), field, 'WARNING');
        return;
      }
      out.push({ kind: 'sns', source: `Resources.${spec.logicalId}.${field}`, topicArn: physical.ref, protocol: s.Protocol, endpoint: s.Endpoint, attributes: {}, id: `${spec.logicalId}${i}` });
    });
    return out;
  },
};

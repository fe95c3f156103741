/**
 * AWS::Lambda::EventSourceMapping for SQS queues: deployed once the function
 * and the queue exist (it references both), created or updated like a SAM SQS
 * event (events/sqs.ts). `Ref` is the mapping's UUID. Other sources (Kinesis,
 * DynamoDB streams, Kafka, MQ) are reported as not deployed.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventsourcemapping.html
 */
import { mapQueue, mappingSettings, type SqsWiring } from '../events/sqs.ts';
import type { ResolveContext } from '../intrinsics.ts';
import type { ResourceModule } from './types.ts';

export interface MappingSpec {
  logicalId: string;
  wiring: SqsWiring;
}

function mappingPhysical(uuid: string, c: ResolveContext) {
  return { ref: uuid, attributes: { Id: uuid, EventSourceMappingArn: `arn:${c.partition}:lambda:${c.region}:${c.accountId}:event-source-mapping:${uuid}` } };
}

export const lambdaEventSourceMapping: ResourceModule<MappingSpec> = {
  types: ['AWS::Lambda::EventSourceMapping'],
  properties: ['FunctionName', 'EventSourceArn', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'Enabled', 'FunctionResponseTypes', 'ScalingConfig', 'FilterCriteria'],
  read(input) {
    const p = input.properties;
    for (const k of ['FunctionName', 'EventSourceArn'] as const) {
      if (typeof p[k] !== 'string') {
        if (!input.unresolved.has(k)) input.problem(`${k} is required`, `Properties.${k}`);
        return undefined;
      }
    }
    const source = p.EventSourceArn as string;
    if (!/^arn:aws[a-z-]*:sqs:/.test(source)) {
      input.problem(`not deployed: the endpoint runs SQS event source mappings only (this one reads ${source.split(':')[2] ?? source})`, 'Properties.EventSourceArn', 'WARNING');
      return undefined;
    }
    const settings = mappingSettings(p, 'Properties', input.problem);
    return { logicalId: input.logicalId, wiring: { kind: 'sqs', source: `Resources.${input.logicalId}`, queueArn: source, functionArn: p.FunctionName as string, settings, id: input.logicalId } };
  },
  // Before it exists its UUID is unknown; CloudFormation would show a generated one.
  physical: (spec, c) => mappingPhysical(`00000000-0000-0000-0000-${spec.logicalId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12).padEnd(12, '0')}`, c),
  async deploy(spec, scope) {
    return mappingPhysical(await mapQueue(scope, spec.wiring, 'AWS::Lambda::EventSourceMapping'), scope.ctx);
  },
};

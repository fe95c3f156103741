/**
 * AWS::SQS::Queue and AWS::SQS::QueuePolicy. A queue is created if missing; on
 * a redeploy its attributes and tags follow the template (SetQueueAttributes,
 * TagQueue), as a CloudFormation update does. `Ref` is the queue URL,
 * `Fn::GetAtt` gives `Arn`, `QueueName` and `QueueUrl`. A QueuePolicy sets
 * the `Policy` attribute of each of its queues (the endpoint enforces no
 * policy; the queue reports it).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queuepolicy.html
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand } from '@aws-sdk/client-sqs';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { isObj } from '../template.ts';
import type { DeployScope, ResourceModule } from './types.ts';
import { everyName } from './listing.ts';

export interface QueueSpec {
  logicalId: string;
  name: string;
  /** CreateQueue attributes, as text. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface QueuePolicySpec {
  logicalId: string;
  queues: string[];
  policy: string;
}

/** Template properties that are queue attributes of the same name. */
const ATTRIBUTE_PROPERTIES = [
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoQueue',
  'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
] as const;

function sqsClient(scope: DeployScope): SQSClient {
  return scope.client('sqs', (config) => new SQSClient(config));
}

function queuePhysical(url: string, name: string, c: ResolveContext): PhysicalResource {
  return { ref: url, attributes: { Arn: `arn:${c.partition}:sqs:${c.region}:${c.accountId}:${name}`, QueueName: name, QueueUrl: url } };
}

/** A property value as SQS takes it: text, with JSON policies as their JSON. */
function attributeText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** Every queue's URL by name (ListQueues, all pages). */
async function queueUrls(sqs: SQSClient): Promise<Map<string, string>> {
  const urls = await everyName((NextToken) => sqs.send(new ListQueuesCommand({ NextToken, MaxResults: 1000 })), (p) => p.NextToken, (p) => p.QueueUrls);
  return new Map([...urls].map((url) => [url.slice(url.lastIndexOf('/') + 1), url]));
}

function sameText(a: string | undefined, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a ?? '')) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export const sqsQueue: ResourceModule<QueueSpec> = {
  types: ['AWS::SQS::Queue'],
  properties: ['QueueName', 'Tags', ...ATTRIBUTE_PROPERTIES],
  read(input) {
    const p = input.properties;
    const attributes: Record<string, string> = {};
    for (const k of ATTRIBUTE_PROPERTIES) if (p[k] !== undefined && p[k] !== null) attributes[k] = attributeText(p[k]);
    const fifo = attributes.FifoQueue === 'true';
    if (attributes.FifoQueue === 'false') delete attributes.FifoQueue;
    const given = p.QueueName;
    const name = typeof given === 'string' ? given : `${input.logicalId}${fifo ? '.fifo' : ''}`;
    if (fifo !== name.endsWith('.fifo')) input.problem(fifo ? `a FIFO queue's name must end in .fifo, got ${JSON.stringify(name)}` : `QueueName ${JSON.stringify(name)} ends in .fifo but FifoQueue is not true`, 'Properties.QueueName');
    else if (!/^[A-Za-z0-9_-]{1,80}$/.test(name.replace(/\.fifo$/, '')) || name.length > 80) input.problem(`QueueName must be 1–80 letters, digits, hyphens or underscores (plus .fifo), got ${JSON.stringify(name)}`, 'Properties.QueueName');
    const tags: Record<string, string> = {};
    if (Array.isArray(p.Tags)) for (const t of p.Tags) if (isObj(t)) tags[String(t.Key)] = String(t.Value);
    return { logicalId: input.logicalId, name, attributes, tags };
  },
  physical: (spec, c) => queuePhysical(`https://sqs.${c.region}.${c.urlSuffix}/${c.accountId}/${spec.name}`, spec.name, c),
  async deploy(spec, scope) {
    const sqs = sqsClient(scope);
    const type = 'AWS::SQS::Queue';
    let url = (await scope.before('sqs:queues', () => queueUrls(sqs))).get(spec.name);
    if (!url) {
      url = (await sqs.send(new CreateQueueCommand({ QueueName: spec.name, Attributes: spec.attributes, ...(Object.keys(spec.tags).length ? { tags: spec.tags } : {}) }))).QueueUrl!;
      scope.change({ type, logicalId: spec.logicalId, physicalId: url, action: 'created' });
      return queuePhysical(url, spec.name, scope.ctx);
    }
    const current: Record<string, string | undefined> = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.attributes)) if (k !== 'FifoQueue' && !sameText(current[k], v)) changed[k] = v;
    // A redrive policy taken out of the template is taken off the queue.
    if (spec.attributes.RedrivePolicy === undefined && current.RedrivePolicy) changed.RedrivePolicy = '';
    if (Object.keys(changed).length > 0) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changed }));
    const tags = (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
    const tagChanges = Object.entries(spec.tags).filter(([k, v]) => tags[k] !== v);
    if (tagChanges.length > 0) await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: Object.fromEntries(tagChanges) }));
    const diffs = [...Object.keys(changed), ...(tagChanges.length ? ['Tags'] : [])];
    scope.change({ type, logicalId: spec.logicalId, physicalId: url, action: diffs.length ? 'updated' : 'unchanged', ...(diffs.length ? { detail: diffs.join(', ') } : {}) });
    return queuePhysical(url, spec.name, scope.ctx);
  },
};

export const sqsQueuePolicy: ResourceModule<QueuePolicySpec> = {
  types: ['AWS::SQS::QueuePolicy'],
  properties: ['Queues', 'PolicyDocument'],
  read(input) {
    const p = input.properties;
    if (!Array.isArray(p.Queues) || p.Queues.some((q) => typeof q !== 'string')) {
      if (!input.unresolved.has('Queues')) input.problem('Queues must be a list of queue URLs (!Ref Queue)', 'Properties.Queues');
      return undefined;
    }
    if (!isObj(p.PolicyDocument) && typeof p.PolicyDocument !== 'string') {
      if (!input.unresolved.has('PolicyDocument')) input.problem('PolicyDocument is required', 'Properties.PolicyDocument');
      return undefined;
    }
    return { logicalId: input.logicalId, queues: p.Queues as string[], policy: attributeText(p.PolicyDocument) };
  },
  physical: (spec) => ({ ref: spec.logicalId, attributes: { Id: spec.logicalId } }),
  async deploy(spec, scope) {
    const sqs = sqsClient(scope);
    let changed = false;
    for (const url of spec.queues) {
      const current = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes?.Policy;
      if (sameText(current, spec.policy)) continue;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: spec.policy } }));
      changed = true;
    }
    scope.change({ type: 'AWS::SQS::QueuePolicy', logicalId: spec.logicalId, physicalId: spec.logicalId, action: changed ? 'updated' : 'unchanged', detail: 'the endpoint records queue policies but enforces none' });
    return { ref: spec.logicalId, attributes: { Id: spec.logicalId } };
  },
};

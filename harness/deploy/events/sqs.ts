/**
 * SQS queues → Lambda: SAM `Events: Type: SQS` and AWS::Lambda::EventSourceMapping
 * (resources/lambda-event-source-mapping.ts) both become an event source
 * mapping. Deploying is idempotent: a mapping of the same function and queue
 * is updated to the template's settings instead of created again.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-sqs.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventsourcemapping.html
 */
import { CreateEventSourceMappingCommand, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand, type EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { referencedResource } from '../intrinsics.ts';
import type { DeployScope, ProblemSink, Wiring } from '../resources/types.ts';
import { isObj, type Obj, type TemplateFile } from '../template.ts';
import { lambdaClient } from './s3.ts';
import type { EventSourceModule } from './types.ts';

/** The settings of a mapping, as CreateEventSourceMapping takes them. */
export interface MappingSettings {
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  Enabled?: boolean;
  FunctionResponseTypes?: Array<'ReportBatchItemFailures'>;
  ScalingConfig?: { MaximumConcurrency?: number };
  FilterCriteria?: { Filters: Array<{ Pattern: string }> };
}

export interface SqsWiring extends Wiring {
  kind: 'sqs';
  queueArn: string;
  functionArn: string;
  settings: MappingSettings;
  /** Names the mapping in deploy's changes. */
  id: string;
}

const SQS_ARN = /^arn:aws[a-z-]*:sqs:/;

/** The mapping settings SAM's SQS event and AWS::Lambda::EventSourceMapping share (CloudFormation may give numbers and booleans as text). */
export function mappingSettings(p: Obj, field: string, problem: ProblemSink): MappingSettings {
  const out: MappingSettings = {};
  const num = (name: 'BatchSize' | 'MaximumBatchingWindowInSeconds') => {
    const v = p[name];
    if (v === undefined) return;
    const n = Number(v);
    if (!Number.isInteger(n)) problem(`${name} must be an integer, got ${JSON.stringify(v)}`, `${field}.${name}`);
    else out[name] = n;
  };
  num('BatchSize');
  num('MaximumBatchingWindowInSeconds');
  if (p.Enabled !== undefined) out.Enabled = p.Enabled === true || p.Enabled === 'true';
  if (p.FunctionResponseTypes !== undefined) {
    const types = Array.isArray(p.FunctionResponseTypes) ? p.FunctionResponseTypes.map(String) : [];
    if (types.some((t) => t !== 'ReportBatchItemFailures')) problem(`FunctionResponseTypes can only hold ReportBatchItemFailures, got ${JSON.stringify(p.FunctionResponseTypes)}`, `${field}.FunctionResponseTypes`);
    else out.FunctionResponseTypes = types as Array<'ReportBatchItemFailures'>;
  }
  if (isObj(p.ScalingConfig) && p.ScalingConfig.MaximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: Number(p.ScalingConfig.MaximumConcurrency) };
  if (isObj(p.FilterCriteria) && Array.isArray(p.FilterCriteria.Filters)) {
    // SAM and CloudFormation take each Pattern as an object or as its JSON text; Lambda as text.
    out.FilterCriteria = { Filters: p.FilterCriteria.Filters.filter(isObj).map((f) => ({ Pattern: typeof f.Pattern === 'string' ? f.Pattern : JSON.stringify(f.Pattern) })) };
  }
  return out;
}

function same(current: EventSourceMappingConfiguration, wanted: MappingSettings): boolean {
  const filters = (f: { Filters?: Array<{ Pattern?: string }> } | undefined) => JSON.stringify((f?.Filters ?? []).map((x) => x.Pattern));
  return (
    (current.BatchSize ?? 10) === (wanted.BatchSize ?? 10) &&
    (current.MaximumBatchingWindowInSeconds ?? 0) === (wanted.MaximumBatchingWindowInSeconds ?? 0) &&
    (current.State !== 'Disabled') === (wanted.Enabled ?? true) &&
    JSON.stringify(current.FunctionResponseTypes ?? []) === JSON.stringify(wanted.FunctionResponseTypes ?? []) &&
    current.ScalingConfig?.MaximumConcurrency === wanted.ScalingConfig?.MaximumConcurrency &&
    filters(current.FilterCriteria) === filters(wanted.FilterCriteria)
  );
}

/** Creates the mapping, or brings the existing one of this function and queue in line. Returns its UUID. */
export async function mapQueue(scope: DeployScope, w: SqsWiring, type: string): Promise<string> {
  const lambda = lambdaClient(scope);
  const existing = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: w.functionArn, EventSourceArn: w.queueArn }))).EventSourceMappings?.[0];
  if (!existing?.UUID) {
    const out = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: w.functionArn, EventSourceArn: w.queueArn, ...w.settings }));
    scope.change({ type, logicalId: w.id, physicalId: out.UUID ?? '', action: 'created', detail: `${w.queueArn} → ${w.functionArn}` });
    return out.UUID ?? '';
  }
  if (same(existing, w.settings)) {
    scope.change({ type, logicalId: w.id, physicalId: existing.UUID, action: 'unchanged' });
    return existing.UUID;
  }
  await lambda.send(
    new UpdateEventSourceMappingCommand({
      UUID: existing.UUID,
      BatchSize: w.settings.BatchSize ?? 10,
      MaximumBatchingWindowInSeconds: w.settings.MaximumBatchingWindowInSeconds ?? 0,
      Enabled: w.settings.Enabled ?? true,
      FunctionResponseTypes: w.settings.FunctionResponseTypes ?? [],
      ScalingConfig: w.settings.ScalingConfig ?? {},
      FilterCriteria: w.settings.FilterCriteria ?? { Filters: [] },
    }),
  );
  scope.change({ type, logicalId: w.id, physicalId: existing.UUID, action: 'updated', detail: 'mapping settings' });
  return existing.UUID;
}

/** SQS's default VisibilityTimeout (AWS::SQS::Queue). */
export const DEFAULT_VISIBILITY_SECONDS = 30;

/**
 * The template queue a `Queue` written as `!GetAtt Q.Arn` names, and its
 * VisibilityTimeout when the template writes a number (or leaves SQS's
 * default); undefined for anything else (a parameter, a queue made elsewhere).
 * Lambda refuses a mapping whose queue's visibility timeout is shorter than the
 * function's timeout (CreateEventSourceMapping: InvalidParameterValueException).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
function templateQueue(written: unknown, template: TemplateFile): { id: string; visibilitySeconds: number; given: boolean } | undefined {
  const ref = referencedResource(written);
  if (ref?.attribute !== 'Arn') return undefined;
  const id = ref.id;
  const resource = template.resources[id];
  if (resource?.Type !== 'AWS::SQS::Queue') return undefined;
  const v = isObj(resource.Properties) ? resource.Properties.VisibilityTimeout : undefined;
  if (v === undefined) return { id, visibilitySeconds: DEFAULT_VISIBILITY_SECONDS, given: false };
  const seconds = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return seconds === undefined ? undefined : { id, visibilitySeconds: seconds, given: true };
}

export const sqsEvents: EventSourceModule<SqsWiring> = {
  kind: 'sqs',
  samTypes: ['SQS'],
  fromSamEvent({ target, eventId, properties, raw, field, input }) {
    if (typeof properties.Queue !== 'string' || !SQS_ARN.test(properties.Queue)) {
      input.problem(`an SQS event needs Queue, the queue's ARN (!GetAtt Queue.Arn), got ${JSON.stringify(properties.Queue)}`, `${field}.Properties.Queue`);
      return [];
    }
    const queue = templateQueue(raw.Queue, input.template);
    if (queue && queue.visibilitySeconds < target.timeoutSeconds) {
      input.problem(
        `Lambda refuses this mapping, so the deploy fails: Queue visibility timeout: ${queue.visibilitySeconds} seconds (${queue.given ? `${queue.id}'s VisibilityTimeout` : `${queue.id} gives no VisibilityTimeout: SQS's default`}) is less than Function timeout: ${target.timeoutSeconds} seconds. Give ${queue.id} a VisibilityTimeout of at least ${target.timeoutSeconds} (AWS recommends six times the function's timeout)`,
        `${field}.Properties.Queue`,
      );
    }
    const settings = mappingSettings(properties, `${field}.Properties`, input.problem);
    return [{ kind: 'sqs', source: `Resources.${target.logicalId}.${field}`, queueArn: properties.Queue, functionArn: target.functionArn, settings, id: `${target.logicalId}${eventId}` }];
  },
  independent: true,
  async deploy(items, scope) {
    for (const w of items) await mapQueue(scope, w, 'AWS::Lambda::EventSourceMapping');
  },
};

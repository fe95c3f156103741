/**
 * Event source mappings (CreateEventSourceMapping and friends) for SQS queues:
 * the configuration as the Lambda API reports it, its validation, and one
 * poller (sqs-poller.ts) per enabled mapping.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
import type { Clock, IdSource } from '../../core/index.ts';
import type { RestResponse } from '../../protocol/service.ts';
import { compilePatternText, EventPatternError } from '../event-pattern/index.ts';
import type { Logger, SqsEventSource } from '../service-deps.ts';
import { invalidParameterValue, resourceConflict, resourceNotFound, validationError } from './errors.ts';
import type { Invocations } from './invoke.ts';
import type { FunctionStore } from './models.ts';
import { jsonResponse, type Json } from './operations.ts';
import { SqsPoller, type EventSourceMapping } from './sqs-poller.ts';

export interface MappingDeps {
  clock: Clock;
  ids: IdSource;
  region: string;
  accountId: string;
  store: FunctionStore;
  invocations: Invocations;
  log: Logger;
  /** SQS, when the endpoint has it. */
  sqs(): SqsEventSource | undefined;
}

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

export class EventSourceMappings {
  private readonly mappings = new Map<string, EventSourceMapping>();
  private readonly pollers = new Map<string, SqsPoller>();

  constructor(private readonly d: MappingDeps) {}

  private arn(uuid: string): string {
    return `arn:aws:lambda:${this.d.region}:${this.d.accountId}:event-source-mapping:${uuid}`;
  }

  private configuration(m: EventSourceMapping, state?: string): Record<string, unknown> {
    return {
      UUID: m.uuid,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
      EventSourceArn: m.eventSourceArn,
      ...(m.filters.length > 0 ? { FilterCriteria: { Filters: m.filters.map((Pattern) => ({ Pattern })) } } : {}),
      FunctionArn: m.functionArn,
      LastModified: m.lastModified / 1000,
      State: state ?? (m.enabled ? 'Enabled' : 'Disabled'),
      StateTransitionReason: 'USER_INITIATED',
      FunctionResponseTypes: [...m.functionResponseTypes],
      ...(m.maximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } } : {}),
      EventSourceMappingArn: this.arn(m.uuid),
    };
  }

  private get(uuid: string): EventSourceMapping {
    const m = this.mappings.get(uuid);
    if (!m) throw resourceNotFound(`The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${this.d.ids.uuid()})`);
    return m;
  }

  /** The settings a request gives (Create: all, with defaults; Update: those present), checked against the queue and the function. */
  private settings(input: Json, base: EventSourceMapping | undefined): Omit<EventSourceMapping, 'uuid' | 'lastModified'> {
    const problems: string[] = [];
    const intField = (name: string, field: string, min: number, max: number): number | undefined => {
      const v = input[name];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        problems.push(`Value '${String(v)}' at '${field}' failed to satisfy constraint: Member must have value ${v !== null && typeof v === 'number' && v > max ? `less than or equal to ${max}` : `greater than or equal to ${min}`}`);
        return undefined;
      }
      return v;
    };
    const batchSize = intField('BatchSize', 'batchSize', 1, 10_000);
    const window = intField('MaximumBatchingWindowInSeconds', 'maximumBatchingWindowInSeconds', 0, 300);
    if (problems.length > 0) throw validationError(problems);

    const functionName = typeof input.FunctionName === 'string' ? input.FunctionName : base?.functionName;
    if (functionName === undefined) throw validationError([`Value null at 'functionName' failed to satisfy constraint: Member must not be null`]);
    let fn;
    try {
      fn = this.d.invocations.resolve(functionName).fn;
    } catch {
      throw resourceNotFound(`Function does not exist`);
    }
    const eventSourceArn = base?.eventSourceArn ?? input.EventSourceArn;
    if (typeof eventSourceArn !== 'string') throw invalidParameterValue('Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unable to extract resource type.');
    if (!SQS_ARN.test(eventSourceArn)) {
      throw invalidParameterValue(`The embedded endpoint maps SQS queues only; ${eventSourceArn} is not an SQS queue ARN (Kinesis, DynamoDB streams, Kafka and MQ sources are not emulated).`);
    }
    const queue = this.d.sqs()?.queue(eventSourceArn);
    if (!queue) {
      throw invalidParameterValue('Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.');
    }
    const size = batchSize ?? base?.batchSize ?? 10;
    const batchingWindow = window ?? base?.maximumBatchingWindowInSeconds ?? 0;
    if (queue.fifo && size > 10) throw invalidParameterValue('Batch size for FIFO queues must be between 1 and 10.');
    if (queue.fifo && batchingWindow > 0) throw invalidParameterValue('Batching window is not supported for FIFO queues.');
    if (size > 10 && batchingWindow < 1) throw invalidParameterValue('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    if (queue.visibilityTimeoutSeconds < fn.timeout) {
      throw invalidParameterValue(`Invalid request provided: Queue visibility timeout: ${queue.visibilityTimeoutSeconds} seconds is less than Function timeout: ${fn.timeout} seconds`);
    }
    const types = input.FunctionResponseTypes ?? base?.functionResponseTypes ?? [];
    if (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures')) {
      throw validationError([`Value '${JSON.stringify(types)}' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]`]);
    }
    const scaling = input.ScalingConfig as { MaximumConcurrency?: unknown } | undefined;
    let maximumConcurrency = base?.maximumConcurrency;
    if (scaling !== undefined) {
      const c = scaling?.MaximumConcurrency;
      if (c === undefined || c === null) maximumConcurrency = undefined;
      else if (typeof c !== 'number' || !Number.isInteger(c) || c < 2 || c > 1000) {
        throw validationError([`Value '${String(c)}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value between 2 and 1000`]);
      } else maximumConcurrency = c;
    }
    const filters = input.FilterCriteria === undefined ? (base?.filters ?? []) : this.filters(input.FilterCriteria);
    const enabled = typeof input.Enabled === 'boolean' ? input.Enabled : (base?.enabled ?? true);
    return {
      functionName: fn.name,
      functionArn: fn.arn,
      eventSourceArn,
      batchSize: size,
      maximumBatchingWindowInSeconds: batchingWindow,
      enabled,
      functionResponseTypes: [...(types as string[])],
      ...(maximumConcurrency !== undefined ? { maximumConcurrency } : {}),
      filters,
    };
  }

  private filters(criteria: unknown): string[] {
    const list = (criteria as { Filters?: unknown } | null)?.Filters;
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) throw invalidParameterValue('FilterCriteria.Filters must be a list of {Pattern}.');
    if (list.length > 5) throw invalidParameterValue('Invalid filter criteria: at most 5 filters per event source mapping.');
    return list.map((f, i) => {
      const pattern = (f as { Pattern?: unknown } | null)?.Pattern;
      if (typeof pattern !== 'string') throw invalidParameterValue(`FilterCriteria.Filters[${i}] needs a Pattern (an event pattern as JSON text).`);
      try {
        compilePatternText(pattern);
      } catch (e) {
        if (e instanceof EventPatternError) throw invalidParameterValue(`Invalid filter pattern definition: ${e.message}`);
        throw e;
      }
      return pattern;
    });
  }

  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
  create(input: Json): RestResponse {
    const settings = this.settings(input, undefined);
    for (const m of this.mappings.values()) {
      if (m.eventSourceArn === settings.eventSourceArn && m.functionArn === settings.functionArn) {
        throw resourceConflict(
          `An event source mapping with SQS arn (" ${settings.eventSourceArn} ") and function (" ${settings.functionName} ") already exists. Please update or delete the existing mapping with UUID ${m.uuid}`,
        );
      }
    }
    const mapping: EventSourceMapping = { uuid: this.d.ids.uuid(), ...settings, lastModified: this.d.clock.now() };
    this.mappings.set(mapping.uuid, mapping);
    this.startPoller(mapping);
    return jsonResponse(202, this.configuration(mapping, 'Creating'));
  }

  // https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html
  list(query: URLSearchParams): RestResponse {
    const fnFilter = query.get('FunctionName');
    const sourceFilter = query.get('EventSourceArn');
    const maxText = query.get('MaxItems');
    const max = maxText === null ? 100 : Number(maxText);
    if (!Number.isInteger(max) || max < 1 || max > 10_000) throw validationError([`Value '${maxText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`]);
    let fnArn: string | undefined;
    if (fnFilter !== null) {
      try {
        fnArn = this.d.invocations.resolve(fnFilter).fn.arn;
      } catch {
        fnArn = this.d.invocations.functionArn(fnFilter);
      }
    }
    const all = [...this.mappings.values()]
      .filter((m) => (fnArn === undefined || m.functionArn === fnArn) && (sourceFilter === null || m.eventSourceArn === sourceFilter))
      .sort((a, b) => a.lastModified - b.lastModified || (a.uuid < b.uuid ? -1 : 1));
    const marker = query.get('Marker');
    const start = marker ? all.findIndex((m) => m.uuid === marker) : 0;
    if (start < 0) throw invalidParameterValue(`Invalid marker: ${marker}`);
    const page = all.slice(start, start + max);
    const next = all[start + page.length];
    return jsonResponse(200, { EventSourceMappings: page.map((m) => this.configuration(m)), ...(next ? { NextMarker: next.uuid } : {}) });
  }

  // https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html
  describe(uuid: string): RestResponse {
    return jsonResponse(200, this.configuration(this.get(uuid)));
  }

  // https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
  update(uuid: string, input: Json): RestResponse {
    const current = this.get(uuid);
    const wasEnabled = current.enabled;
    const updated: EventSourceMapping = { ...current, ...this.settings(input, current), uuid, lastModified: this.d.clock.now() };
    this.stopPoller(uuid);
    this.mappings.set(uuid, updated);
    this.startPoller(updated);
    const state = updated.enabled === wasEnabled ? 'Updating' : updated.enabled ? 'Enabling' : 'Disabling';
    return jsonResponse(202, this.configuration(updated, state));
  }

  // https://docs.aws.amazon.com/lambda/latest/api/API_DeleteEventSourceMapping.html
  delete(uuid: string): RestResponse {
    const m = this.get(uuid);
    this.stopPoller(uuid);
    this.mappings.delete(uuid);
    return jsonResponse(202, this.configuration(m, 'Deleting'));
  }

  private startPoller(m: EventSourceMapping): void {
    const source = this.d.sqs();
    if (!m.enabled || !source) return;
    const poller = new SqsPoller(m, { clock: this.d.clock, source, invocations: this.d.invocations, store: this.d.store, log: this.d.log });
    this.pollers.set(m.uuid, poller);
    poller.start();
  }

  private stopPoller(uuid: string): void {
    this.pollers.get(uuid)?.stop();
    this.pollers.delete(uuid);
  }

  /** Resolves when every batch running now has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.pollers.values()].map((p) => p.idle()));
  }

  /** A copy of every mapping (service snapshot). */
  snapshot(): EventSourceMapping[] {
    return [...this.mappings.values()].map((m) => structuredClone(m));
  }

  /** Stops every poller, then takes over `mappings` (a snapshot's, or none) and starts theirs. */
  replace(mappings: EventSourceMapping[]): void {
    for (const uuid of [...this.pollers.keys()]) this.stopPoller(uuid);
    this.mappings.clear();
    for (const m of mappings) {
      const copy = structuredClone(m);
      this.mappings.set(copy.uuid, copy);
      this.startPoller(copy);
    }
  }
}

/**
 * The EventBridge API (2015-10-07) over the store: buses, rules, targets,
 * PutEvents, TestEventPattern, tags. Each operation mirrors its page in the
 * API reference: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 */
import type { ServiceDeps } from '../service-deps.ts';
import { compilePatternText, EventPatternError, matchesPattern } from '../event-pattern/index.ts';
import {
  busNotFound,
  constraintViolation,
  InvalidEventPatternException,
  LimitExceededException,
  ManagedRuleException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ruleNotFound,
  ValidationException,
} from './errors.ts';
import { inputProblem, type EventEnvelope } from './input-transform.ts';
import { DEFAULT_BUS, type BusRecord, type EventsStore, type RuleRecord, type RuleState, type TargetRecord } from './models.ts';
import { list, nextToken, optionalBoolean, optionalString, page, requiredString, struct, tagList, type Input } from './params.ts';
import { parseSchedule } from './schedule.ts';

// The patterns as the API reference writes them, which is also how a constraint message shows them
// (`Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+`), hence String.raw.
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html#API_PutRule_RequestParameters
const anchored = (source: string) => new RegExp(`^${source}$`);
const RULE_NAME = anchored(String.raw`[\.\-_A-Za-z0-9]+`);
const BUS_NAME = anchored(String.raw`[/\.\-_A-Za-z0-9]+`);
/** A bus named by name or ARN (EventBusName of PutRule, PutEvents entries…). */
const BUS_NAME_OR_ARN = anchored(String.raw`(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+`);
const TARGET_ID = anchored(String.raw`[\.\-_A-Za-z0-9]+`);
const RULE_STATES: readonly RuleState[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
/** API_PutTargets: "You can configure up to five (5) targets for each rule." */
const MAX_TARGETS_PER_RULE = 5;
/** eb-putevent-size: the entries of one PutEvents request add up to at most 256 KB. */
const MAX_PUT_EVENTS_BYTES = 256 * 1024;

/** What routes accepted events and keeps schedules in step with the rules (delivery.ts, scheduler.ts). */
export interface EventsRuntime {
  ingest(busName: string, event: EventEnvelope, ingestionTime: number): void;
  ruleChanged(rule: RuleRecord): void;
  ruleDeleted(arn: string): void;
}

/** The time EventBridge writes in an event: ISO 8601 to the second (eb-events-structure). */
export function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An event's size as PutEvents counts it: the Time (14 bytes when present),
 * Source, DetailType and Detail in UTF-8, and each Resources entry.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entrySize(entry: Input): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  for (const k of ['Source', 'DetailType', 'Detail'] as const) if (typeof entry[k] === 'string') size += Buffer.byteLength(entry[k], 'utf8');
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) if (typeof r === 'string') size += Buffer.byteLength(r, 'utf8');
  return size;
}

/** An entry's Time: epoch seconds (awsJson timestamps) or ISO text; undefined when absent or unreadable. */
function entryTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export class EventsOperations {
  constructor(
    private readonly deps: ServiceDeps,
    readonly store: EventsStore,
    private readonly runtime: EventsRuntime,
    /** Called after every change of buses, rules or targets (--data-dir). */
    private readonly changed: () => void = () => {},
  ) {}

  // ── lookups ──────────────────────────────────────────────────────────────

  /** A bus name from a name or an event-bus ARN. */
  private busNameOf(value: string): string {
    const i = value.indexOf(':event-bus/');
    return value.startsWith('arn:') && i >= 0 ? value.slice(i + ':event-bus/'.length) : value;
  }

  private bus(input: Input, member = 'EventBusName'): BusRecord {
    const given = optionalString(input, member, { max: 1600, pattern: BUS_NAME_OR_ARN });
    const name = given === undefined ? DEFAULT_BUS : this.busNameOf(given);
    const bus = this.store.buses.get(name);
    if (!bus) throw busNotFound(name);
    return bus;
  }

  private rule(input: Input, member = 'Name'): { bus: BusRecord; rule: RuleRecord } {
    const bus = this.bus(input);
    const name = requiredString(input, member, { max: 64, pattern: RULE_NAME });
    const rule = bus.rules[name];
    if (!rule) throw ruleNotFound(name, bus.name);
    return { bus, rule };
  }

  /** The rule or bus an ARN names (tag operations). */
  private resource(arn: string): { tags: Record<string, string> } {
    for (const bus of this.store.buses.values()) {
      if (bus.arn === arn) return bus;
      for (const rule of Object.values(bus.rules)) if (rule.arn === arn) return rule;
    }
    throw ResourceNotFoundException(`Resource ${arn} does not exist.`);
  }

  // ── event buses ──────────────────────────────────────────────────────────

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html
  CreateEventBus(input: Input): unknown {
    const name = requiredString(input, 'Name', { max: 256, pattern: BUS_NAME });
    const description = optionalString(input, 'Description', { max: 512, min: 0 });
    const tags = tagList(input);
    if (input.EventSourceName !== undefined) throw ValidationException('Partner event sources are not available on this endpoint (EventSourceName).');
    if (this.store.buses.has(name)) throw ResourceAlreadyExistsException(`Event bus ${name} already exists.`);
    if (name.startsWith('aws.')) throw ValidationException(`Event bus name must not start with 'aws.'.`);
    const deadLetter = input.DeadLetterConfig === undefined ? undefined : optionalString(struct(input.DeadLetterConfig, 'DeadLetterConfig'), 'Arn');
    const t = this.deps.clock.now();
    const bus: BusRecord = {
      name,
      arn: this.store.busArn(name),
      ...(description !== undefined ? { description } : {}),
      ...(deadLetter !== undefined ? { deadLetterArn: deadLetter } : {}),
      creationTime: t,
      lastModifiedTime: t,
      tags,
      rules: {},
    };
    this.store.buses.set(name, bus);
    this.changed();
    return { EventBusArn: bus.arn, ...(description !== undefined ? { Description: description } : {}), ...(deadLetter !== undefined ? { DeadLetterConfig: { Arn: deadLetter } } : {}) };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UpdateEventBus.html
  UpdateEventBus(input: Input): unknown {
    const bus = this.bus({ EventBusName: input.Name });
    const description = optionalString(input, 'Description', { max: 512, min: 0 });
    if (description !== undefined) bus.description = description;
    bus.lastModifiedTime = this.deps.clock.now();
    this.changed();
    return { Arn: bus.arn, Name: bus.name, ...(bus.description !== undefined ? { Description: bus.description } : {}) };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteEventBus.html
  DeleteEventBus(input: Input): unknown {
    const name = requiredString(input, 'Name', { max: 256, pattern: BUS_NAME });
    if (name === DEFAULT_BUS) throw ValidationException('Cannot delete event bus default.');
    const bus = this.store.buses.get(name);
    // Deleting a bus that does not exist succeeds, as on AWS.
    if (!bus) return {};
    if (Object.keys(bus.rules).length > 0) throw ValidationException("EventBus can't be deleted since it has rules.");
    this.store.buses.delete(name);
    this.changed();
    return {};
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeEventBus.html
  DescribeEventBus(input: Input): unknown {
    const bus = this.bus(input, 'Name');
    return this.busOutput(bus);
  }

  private busOutput(bus: BusRecord): Record<string, unknown> {
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description !== undefined ? { Description: bus.description } : {}),
      ...(bus.policy !== undefined ? { Policy: bus.policy } : {}),
      ...(bus.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: bus.deadLetterArn } } : {}),
      CreationTime: bus.creationTime / 1000,
      LastModifiedTime: bus.lastModifiedTime / 1000,
    };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListEventBuses.html
  ListEventBuses(input: Input): unknown {
    const prefix = optionalString(input, 'NamePrefix', { max: 256, pattern: BUS_NAME });
    const all = [...this.store.buses.values()].filter((b) => prefix === undefined || b.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const scope = `buses:${prefix ?? ''}`;
    const { start, size } = page(input, scope);
    return { EventBuses: all.slice(start, start + size).map((b) => this.busOutput(b)), ...nextToken(scope, start + size, all.length) };
  }

  // ── rules ────────────────────────────────────────────────────────────────

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
  PutRule(input: Input): unknown {
    const name = requiredString(input, 'Name', { max: 64, pattern: RULE_NAME });
    const bus = this.bus(input);
    const schedule = optionalString(input, 'ScheduleExpression', { max: 256 });
    const pattern = optionalString(input, 'EventPattern', { max: 4096 });
    const stateValue = optionalString(input, 'State');
    const description = optionalString(input, 'Description', { max: 512, min: 0 });
    const roleArn = optionalString(input, 'RoleArn', { max: 1600 });
    if (stateValue !== undefined && !RULE_STATES.includes(stateValue as RuleState)) {
      throw constraintViolation('state', stateValue, `Member must satisfy enum value set: [${RULE_STATES.join(', ')}]`);
    }
    if (schedule === undefined && pattern === undefined) throw ValidationException('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (schedule !== undefined) {
      if (bus.name !== DEFAULT_BUS) throw ValidationException('ScheduleExpression is supported only on the default event bus.');
      parseSchedule(schedule);
    }
    if (pattern !== undefined) checkPattern(pattern);
    const existing = bus.rules[name];
    if (existing?.managedBy !== undefined) throw ManagedRuleException(`Rule ${name} is managed by ${existing.managedBy} and cannot be changed.`);
    // "If you're updating an existing rule, the rule is replaced with what you specify in this PutRule
    // command. If you omit arguments in PutRule, the old values for those arguments are not kept."
    // Tags are applied only when the rule is created.
    const state = (stateValue as RuleState | undefined) ?? 'ENABLED';
    const now = this.deps.clock.now();
    const rule: RuleRecord = {
      name,
      arn: this.store.ruleArn(bus.name, name),
      eventBusName: bus.name,
      ...(pattern !== undefined ? { eventPattern: pattern } : {}),
      ...(schedule !== undefined ? { scheduleExpression: schedule } : {}),
      state,
      ...(description !== undefined ? { description } : {}),
      ...(roleArn !== undefined ? { roleArn } : {}),
      createdBy: this.deps.accountId,
      tags: existing?.tags ?? tagList(input),
      targets: existing?.targets ?? [],
      // A rate() counts from when it was put or last enabled.
      scheduleAnchor: existing && existing.scheduleExpression === schedule && existing.state !== 'DISABLED' ? existing.scheduleAnchor : now,
    };
    bus.rules[name] = rule;
    this.runtime.ruleChanged(rule);
    this.changed();
    return { RuleArn: rule.arn };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeRule.html
  DescribeRule(input: Input): unknown {
    const { rule } = this.rule(input);
    return this.ruleOutput(rule);
  }

  private ruleOutput(rule: RuleRecord): Record<string, unknown> {
    return {
      Name: rule.name,
      Arn: rule.arn,
      ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
      ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
      State: rule.state,
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
      ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
      ...(rule.managedBy !== undefined ? { ManagedBy: rule.managedBy } : {}),
      EventBusName: rule.eventBusName,
      CreatedBy: rule.createdBy,
    };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRules.html
  ListRules(input: Input): unknown {
    const bus = this.bus(input);
    const prefix = optionalString(input, 'NamePrefix', { max: 64, pattern: RULE_NAME });
    const all = Object.values(bus.rules).filter((r) => prefix === undefined || r.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const scope = `rules:${bus.name}:${prefix ?? ''}`;
    const { start, size } = page(input, scope);
    return { Rules: all.slice(start, start + size).map((r) => this.ruleOutput(r)), ...nextToken(scope, start + size, all.length) };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRuleNamesByTarget.html
  ListRuleNamesByTarget(input: Input): unknown {
    const bus = this.bus(input);
    const arn = requiredString(input, 'TargetArn', { max: 1600 });
    const all = Object.values(bus.rules).filter((r) => r.targets.some((t) => t.Arn === arn)).map((r) => r.name).sort();
    const scope = `names:${bus.name}:${arn}`;
    const { start, size } = page(input, scope);
    return { RuleNames: all.slice(start, start + size), ...nextToken(scope, start + size, all.length) };
  }

  private setState(input: Input, state: RuleState): unknown {
    const { rule } = this.rule(input);
    if (rule.managedBy !== undefined) throw ManagedRuleException(`Rule ${rule.name} is managed by ${rule.managedBy} and cannot be changed.`);
    if (state !== 'DISABLED' && rule.state === 'DISABLED') rule.scheduleAnchor = this.deps.clock.now();
    rule.state = state;
    this.runtime.ruleChanged(rule);
    this.changed();
    return {};
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_EnableRule.html
  EnableRule(input: Input): unknown {
    return this.setState(input, 'ENABLED');
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html
  DisableRule(input: Input): unknown {
    return this.setState(input, 'DISABLED');
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html
  DeleteRule(input: Input): unknown {
    const bus = this.bus(input);
    const name = requiredString(input, 'Name', { max: 64, pattern: RULE_NAME });
    const force = optionalBoolean(input, 'Force') ?? false;
    const rule = bus.rules[name];
    if (!rule) return {};
    if (rule.managedBy !== undefined && !force) throw ManagedRuleException(`Rule ${name} is managed by ${rule.managedBy}; delete it with Force.`);
    // "Before you can delete the rule, you must remove all targets, using RemoveTargets."
    if (rule.targets.length > 0) throw ValidationException("Rule can't be deleted since it has targets.");
    delete bus.rules[name];
    this.runtime.ruleDeleted(rule.arn);
    this.changed();
    return {};
  }

  // ── targets ──────────────────────────────────────────────────────────────

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
  PutTargets(input: Input): unknown {
    const { rule } = this.rule(input, 'Rule');
    const given = list(input, 'Targets', { min: 1, max: 10, required: true }).map((t, i) => readTarget(t, i));
    const FailedEntries: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    if (rule.managedBy !== undefined) {
      for (const t of given) FailedEntries.push({ TargetId: t.Id, ErrorCode: 'ManagedRuleException', ErrorMessage: `Rule ${rule.name} is managed by ${rule.managedBy}.` });
      return { FailedEntryCount: FailedEntries.length, FailedEntries };
    }
    const ids = new Set([...rule.targets.map((t) => t.Id), ...given.map((t) => t.Id)]);
    if (ids.size > MAX_TARGETS_PER_RULE) throw LimitExceededException('The requested resource exceeds the maximum number allowed.');
    for (const t of given) {
      const i = rule.targets.findIndex((x) => x.Id === t.Id);
      if (i >= 0) rule.targets[i] = t;
      else rule.targets.push(t);
    }
    this.runtime.ruleChanged(rule);
    this.changed();
    return { FailedEntryCount: 0, FailedEntries };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RemoveTargets.html
  RemoveTargets(input: Input): unknown {
    const { rule } = this.rule(input, 'Rule');
    const ids = list(input, 'Ids', { min: 1, max: 100, required: true });
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || id.length < 1 || id.length > 64 || !TARGET_ID.test(id)) throw constraintViolation(`ids.${i + 1}.member`, id, `Member must satisfy regular expression pattern: ${TARGET_ID.source.replace(/^\^|\$$/g, '')}`);
    });
    const force = optionalBoolean(input, 'Force') ?? false;
    if (rule.managedBy !== undefined && !force) {
      const FailedEntries = ids.map((id) => ({ TargetId: id as string, ErrorCode: 'ManagedRuleException', ErrorMessage: `Rule ${rule.name} is managed by ${rule.managedBy}.` }));
      return { FailedEntryCount: FailedEntries.length, FailedEntries };
    }
    // Ids the rule does not have are ignored.
    rule.targets = rule.targets.filter((t) => !ids.includes(t.Id));
    this.runtime.ruleChanged(rule);
    this.changed();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html
  ListTargetsByRule(input: Input): unknown {
    const { rule } = this.rule(input, 'Rule');
    const scope = `targets:${rule.arn}`;
    const { start, size } = page(input, scope);
    return { Targets: structuredClone(rule.targets.slice(start, start + size)), ...nextToken(scope, start + size, rule.targets.length) };
  }

  // ── events ───────────────────────────────────────────────────────────────

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
  PutEvents(input: Input): unknown {
    const entries = list(input, 'Entries', { min: 1, max: 10, required: true }).map((e, i) => struct(e, `Entries[${i}]`));
    const total = entries.reduce((n, e) => n + entrySize(e), 0);
    if (total > MAX_PUT_EVENTS_BYTES) throw ValidationException('Total size of the entries in the request is over the limit.');
    const now = this.deps.clock.now();
    let failed = 0;
    const Entries = entries.map((entry) => {
      const result = this.putEntry(entry, now, false);
      if ('ErrorCode' in result) failed++;
      return result;
    });
    return { FailedEntryCount: failed, Entries };
  }

  /**
   * Checks and routes one PutEvents entry; its result entry. `trusted`: an
   * AWS service's own event (S3, Step Functions), which may use an `aws.*` source.
   */
  putEntry(entry: Input, now: number, trusted: boolean): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    const busGiven = typeof entry.EventBusName === 'string' && entry.EventBusName !== '' ? entry.EventBusName : DEFAULT_BUS;
    const busName = this.busNameOf(busGiven);
    const source = typeof entry.Source === 'string' ? entry.Source : '';
    const detailType = typeof entry.DetailType === 'string' ? entry.DetailType : '';
    const detailText = typeof entry.Detail === 'string' ? entry.Detail : '';
    if (source === '') return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    if (detailType === '') return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    if (detailText === '') return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    // "Detail: A valid JSON object" (API_PutEventsRequestEntry): an array or a scalar is malformed too.
    if (!isPlainObject(detail)) return fail('MalformedDetail', 'Detail is malformed.');
    if (!trusted && source.startsWith('aws.')) return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
    if (entry.Resources !== undefined && (!Array.isArray(entry.Resources) || entry.Resources.some((r) => typeof r !== 'string'))) {
      return fail('InvalidArgument', 'Parameter Resources is not valid. Reason: Resources must be a list of strings.');
    }
    if (entry.Time !== undefined && entry.Time !== null && entryTime(entry.Time) === undefined) {
      return fail('InvalidArgument', 'Parameter Time is not valid. Reason: Time must be a timestamp.');
    }
    if (!this.store.buses.has(busName)) return fail('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    const id = this.deps.ids.uuid();
    const event: EventEnvelope = {
      version: '0',
      id,
      'detail-type': detailType,
      source,
      account: this.deps.accountId,
      time: eventTime(entryTime(entry.Time) ?? now),
      region: this.deps.region,
      resources: (entry.Resources as string[] | undefined) ?? [],
      detail,
    };
    this.runtime.ingest(busName, event, now);
    return { EventId: id };
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
  TestEventPattern(input: Input): unknown {
    const patternText = requiredString(input, 'EventPattern', { max: 4096 });
    const eventText = requiredString(input, 'Event');
    const pattern = checkPattern(patternText);
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw ValidationException('Parameter Event is not valid.');
    }
    // The event must have the fields every event has (API_TestEventPattern: "id, account, source, time, region, resources, detail-type").
    if (!isPlainObject(event)) throw ValidationException('Parameter Event is not valid.');
    for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
      if (!(field in event)) throw ValidationException(`Parameter Event is not valid. Reason: Provided Event is missing required field: ${field}.`);
    }
    return { Result: matchesPattern(pattern, event) };
  }

  // ── tags ─────────────────────────────────────────────────────────────────

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TagResource.html
  TagResource(input: Input): unknown {
    const target = this.resource(requiredString(input, 'ResourceARN', { max: 1600 }));
    const tags = tagList(input);
    if (Object.keys({ ...target.tags, ...tags }).length > 50) throw LimitExceededException('A resource can have at most 50 tags.');
    Object.assign(target.tags, tags);
    this.changed();
    return {};
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UntagResource.html
  UntagResource(input: Input): unknown {
    const target = this.resource(requiredString(input, 'ResourceARN', { max: 1600 }));
    for (const key of list(input, 'TagKeys', { required: true })) if (typeof key === 'string') delete target.tags[key];
    this.changed();
    return {};
  }

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTagsForResource.html
  ListTagsForResource(input: Input): unknown {
    const target = this.resource(requiredString(input, 'ResourceARN', { max: 1600 }));
    return { Tags: Object.entries(target.tags).map(([Key, Value]) => ({ Key, Value })) };
  }
}

/** Compiles an event pattern, or throws InvalidEventPatternException with the matcher's reason. */
export function checkPattern(text: string) {
  try {
    return compilePatternText(text);
  } catch (e) {
    if (e instanceof EventPatternError) throw InvalidEventPatternException(e.message);
    throw e;
  }
}

/** One PutTargets target, checked; refusals name the target. */
function readTarget(value: unknown, index: number): TargetRecord {
  const t = struct(value, `Targets[${index}]`);
  const id = requiredString(t, 'Id', { max: 64, pattern: TARGET_ID });
  const arn = requiredString(t, 'Arn', { max: 1600 });
  // AWS's wording names the ARN it could not read (there is no member path in it).
  if (!/^arn:aws[\w-]*:[a-z0-9-]+:/.test(arn)) throw ValidationException(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
  // A FIFO queue needs a message group for every message; EventBridge refuses the whole PutTargets call
  // (400 ValidationException, as real AWS answers Terraform and CloudFormation: "Parameter(s) SqsParameters
  // must be specified for target: <Id>.") rather than fail each delivery later.
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html
  const sqsParameters = t.SqsParameters;
  const groupId = sqsParameters !== null && typeof sqsParameters === 'object' ? (sqsParameters as Record<string, unknown>).MessageGroupId : undefined;
  if (/^arn:aws[\w-]*:sqs:/.test(arn) && arn.endsWith('.fifo') && (typeof groupId !== 'string' || groupId === '')) {
    throw ValidationException(`Parameter(s) SqsParameters must be specified for target: ${id}.`);
  }
  const target = structuredClone(t) as TargetRecord;
  const problem = inputProblem(target);
  if (problem) throw ValidationException(problem);
  const retry = target.RetryPolicy;
  if (retry !== undefined) {
    const r = struct(retry, `RetryPolicy of target ${id}`);
    const attempts = r.MaximumRetryAttempts;
    const age = r.MaximumEventAgeInSeconds;
    if (attempts !== undefined && (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0 || attempts > 185)) {
      throw constraintViolation('targets.member.retryPolicy.maximumRetryAttempts', attempts, 'Member must have value between 0 and 185');
    }
    if (age !== undefined && (typeof age !== 'number' || !Number.isInteger(age) || age < 60 || age > 86400)) {
      throw constraintViolation('targets.member.retryPolicy.maximumEventAgeInSeconds', age, 'Member must have value between 60 and 86400');
    }
  }
  const dlq = target.DeadLetterConfig;
  if (dlq !== undefined) {
    const d = struct(dlq, `DeadLetterConfig of target ${id}`);
    if (d.Arn !== undefined && (typeof d.Arn !== 'string' || !/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(d.Arn))) {
      throw ValidationException(`Parameter DeadLetterConfig.Arn of target ${id} is not valid: the dead-letter queue must be an SQS queue ARN.`);
    }
  }
  return target;
}

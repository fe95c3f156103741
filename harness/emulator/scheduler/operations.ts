/**
 * EventBridge Scheduler's API (2021-06-30) over restJson1: schedules
 * (Create, Get, Update, Delete, List) and schedule groups (Create, Get,
 * Delete — with its schedules — and List), validated as the service does.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
 */
import type { ServiceDeps } from '../service-deps.ts';
import { ConflictException, ResourceNotFoundException, ValidationException } from './errors.ts';
import { parseExpression } from './expression.ts';
import { TARGET_SERVICES } from './firing.ts';
import { DEFAULT_GROUP, type GroupRecord, type ScheduleRecord, type TargetRecord } from './models.ts';

export type Json = Record<string, unknown>;

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const ROLE = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Epoch seconds (restJson1's timestamps in a body) → ms; undefined stays undefined. */
function dateOf(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw ValidationException(`Invalid ${field}: ${JSON.stringify(v)}.`);
  return Math.round(v * 1000);
}

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) throw ValidationException(`1 validation error detected: Value '${name}' at '${what}' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+ and have length between 1 and 64`);
}

function target(v: unknown): TargetRecord {
  if (!v || typeof v !== 'object') throw ValidationException('1 validation error detected: Value null at \'target\' failed to satisfy constraint: Member must not be null');
  const t = v as Json;
  if (typeof t.Arn !== 'string' || t.Arn === '') throw ValidationException("1 validation error detected: Value null at 'target.arn' failed to satisfy constraint: Member must not be null");
  if (typeof t.RoleArn !== 'string' || !ROLE.test(t.RoleArn)) throw ValidationException(`Invalid RoleArn provided: ${String(t.RoleArn)}.`);
  if (!TARGET_SERVICES.test(t.Arn)) {
    throw ValidationException(`Target ${t.Arn}: this endpoint calls templated Lambda, Step Functions, SQS, SNS and EventBridge targets only (universal targets, arn:aws:scheduler:::aws-sdk:…, and other services are not emulated).`);
  }
  const out: TargetRecord = { Arn: t.Arn, RoleArn: t.RoleArn };
  if (typeof t.Input === 'string') out.Input = t.Input;
  if (t.RetryPolicy && typeof t.RetryPolicy === 'object') out.RetryPolicy = t.RetryPolicy as TargetRecord['RetryPolicy'];
  if (t.DeadLetterConfig && typeof t.DeadLetterConfig === 'object') out.DeadLetterConfig = t.DeadLetterConfig as TargetRecord['DeadLetterConfig'];
  if (t.SqsParameters && typeof t.SqsParameters === 'object') out.SqsParameters = t.SqsParameters as TargetRecord['SqsParameters'];
  if (t.EventBridgeParameters !== undefined) {
    const e = t.EventBridgeParameters as Json | null;
    if (!e || typeof e.DetailType !== 'string' || typeof e.Source !== 'string') throw ValidationException('EventBridgeParameters needs DetailType and Source.');
    out.EventBridgeParameters = { DetailType: e.DetailType, Source: e.Source };
  }
  // Templated Lambda, Step Functions and EventBridge targets take JSON ("the input must be a well-formed JSON").
  if (out.Input !== undefined && /^arn:aws[a-z-]*:(lambda|states|events):/.test(out.Arn)) {
    try {
      JSON.parse(out.Input);
    } catch {
      throw ValidationException('Invalid JSON Input provided.');
    }
  }
  if (/^arn:aws[a-z-]*:events:/.test(out.Arn) && !out.EventBridgeParameters) throw ValidationException('EventBridgeParameters must be specified for an EventBridge PutEvents target.');
  return out;
}

export class SchedulerStore {
  readonly groups = new Map<string, GroupRecord>();
  /** By `group/name`. */
  readonly schedules = new Map<string, ScheduleRecord>();
}

export interface ScheduleHooks {
  /** A schedule was created, changed or deleted (arm or cancel its timer). */
  changed(key: string): void;
}

export class SchedulerOperations {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: SchedulerStore,
    private readonly hooks: ScheduleHooks,
  ) {
    this.ensureDefaultGroup();
  }

  ensureDefaultGroup(): void {
    if (!this.store.groups.has(DEFAULT_GROUP)) {
      const now = this.deps.clock.now();
      this.store.groups.set(DEFAULT_GROUP, { name: DEFAULT_GROUP, arn: this.groupArn(DEFAULT_GROUP), creationDate: now, lastModificationDate: now });
    }
  }

  private groupArn(name: string): string {
    return `arn:aws:scheduler:${this.deps.region}:${this.deps.accountId}:schedule-group/${name}`;
  }

  private group(name: string | undefined): GroupRecord {
    const g = this.store.groups.get(name ?? DEFAULT_GROUP);
    if (!g) throw ResourceNotFoundException(`Schedule group ${name} does not exist.`);
    return g;
  }

  private schedule(name: string, group: string | undefined): ScheduleRecord {
    const g = this.group(group);
    const s = this.store.schedules.get(`${g.name}/${name}`);
    if (!s) throw ResourceNotFoundException(`Schedule ${name} does not exist.`);
    return s;
  }

  /** The record a Create or Update body describes (Update replaces every member, as the API says). */
  private record(name: string, body: Json, existing: ScheduleRecord | undefined): ScheduleRecord {
    checkName(name, 'name');
    const g = this.group(typeof body.GroupName === 'string' ? body.GroupName : existing?.groupName);
    if (typeof body.ScheduleExpression !== 'string') throw ValidationException("1 validation error detected: Value null at 'scheduleExpression' failed to satisfy constraint: Member must not be null");
    const timezone = typeof body.ScheduleExpressionTimezone === 'string' ? body.ScheduleExpressionTimezone : undefined;
    parseExpression(body.ScheduleExpression, timezone);
    const window = body.FlexibleTimeWindow as { Mode?: unknown; MaximumWindowInMinutes?: unknown } | undefined;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) throw ValidationException("1 validation error detected: Value at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]");
    const minutes = window.MaximumWindowInMinutes;
    if (window.Mode === 'FLEXIBLE' && (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) {
      throw ValidationException('MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.');
    }
    if (window.Mode === 'OFF' && minutes !== undefined) throw ValidationException('MaximumWindowInMinutes must not be specified when Mode is OFF.');
    const state = body.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw ValidationException("1 validation error detected: Value at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]");
    const after = body.ActionAfterCompletion ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE') throw ValidationException("1 validation error detected: Value at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: [NONE, DELETE]");
    const startDate = dateOf(body.StartDate, 'StartDate');
    const endDate = dateOf(body.EndDate, 'EndDate');
    if (startDate !== undefined && endDate !== undefined && endDate <= startDate) throw ValidationException('The EndDate must be after the StartDate.');
    const now = this.deps.clock.now();
    if (endDate !== undefined && endDate <= now) throw ValidationException('The EndDate you specify must be in the future.');
    return {
      name,
      groupName: g.name,
      arn: `arn:aws:scheduler:${this.deps.region}:${this.deps.accountId}:schedule/${g.name}/${name}`,
      expression: body.ScheduleExpression,
      ...(timezone !== undefined ? { timezone } : {}),
      ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
      ...(startDate !== undefined ? { startDate } : {}),
      ...(endDate !== undefined ? { endDate } : {}),
      state,
      flexibleTimeWindow: window.Mode === 'FLEXIBLE' ? { Mode: 'FLEXIBLE', MaximumWindowInMinutes: minutes as number } : { Mode: 'OFF' },
      actionAfterCompletion: after,
      ...(typeof body.KmsKeyArn === 'string' ? { kmsKeyArn: body.KmsKeyArn } : {}),
      target: target(body.Target),
      creationDate: existing?.creationDate ?? now,
      lastModificationDate: now,
    };
  }

  CreateSchedule(name: string, body: Json): Json {
    const record = this.record(name, body, undefined);
    const key = `${record.groupName}/${name}`;
    if (this.store.schedules.has(key)) throw ConflictException(`Schedule ${name} already exists.`);
    this.store.schedules.set(key, record);
    this.hooks.changed(key);
    return { ScheduleArn: record.arn };
  }

  UpdateSchedule(name: string, body: Json): Json {
    const existing = this.schedule(name, typeof body.GroupName === 'string' ? body.GroupName : undefined);
    const record = this.record(name, body, existing);
    const key = `${record.groupName}/${name}`;
    this.store.schedules.set(key, record);
    this.hooks.changed(key);
    return { ScheduleArn: record.arn };
  }

  GetSchedule(name: string, group: string | undefined): Json {
    const s = this.schedule(name, group);
    return {
      ActionAfterCompletion: s.actionAfterCompletion,
      Arn: s.arn,
      CreationDate: s.creationDate / 1000,
      ...(s.description !== undefined ? { Description: s.description } : {}),
      ...(s.endDate !== undefined ? { EndDate: s.endDate / 1000 } : {}),
      FlexibleTimeWindow: s.flexibleTimeWindow,
      GroupName: s.groupName,
      ...(s.kmsKeyArn !== undefined ? { KmsKeyArn: s.kmsKeyArn } : {}),
      LastModificationDate: s.lastModificationDate / 1000,
      Name: s.name,
      ScheduleExpression: s.expression,
      ...(s.timezone !== undefined ? { ScheduleExpressionTimezone: s.timezone } : {}),
      ...(s.startDate !== undefined ? { StartDate: s.startDate / 1000 } : {}),
      State: s.state,
      Target: s.target,
    };
  }

  DeleteSchedule(name: string, group: string | undefined): Json {
    const s = this.schedule(name, group);
    const key = `${s.groupName}/${name}`;
    this.store.schedules.delete(key);
    this.hooks.changed(key);
    return {};
  }

  ListSchedules(query: URLSearchParams): Json {
    const group = query.get('ScheduleGroup') ?? undefined;
    if (group !== undefined) this.group(group);
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State') ?? undefined;
    const all = [...this.store.schedules.values()]
      .filter((s) => (group === undefined || s.groupName === group) && s.name.startsWith(prefix) && (state === undefined || s.state === state))
      .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name));
    return page(all, query, (s) => ({ Arn: s.arn, CreationDate: s.creationDate / 1000, GroupName: s.groupName, LastModificationDate: s.lastModificationDate / 1000, Name: s.name, State: s.state, Target: { Arn: s.target.Arn } }), 'Schedules');
  }

  CreateScheduleGroup(name: string): Json {
    checkName(name, 'name');
    if (this.store.groups.has(name)) throw ConflictException(`Schedule group ${name} already exists.`);
    const now = this.deps.clock.now();
    this.store.groups.set(name, { name, arn: this.groupArn(name), creationDate: now, lastModificationDate: now });
    return { ScheduleGroupArn: this.groupArn(name) };
  }

  GetScheduleGroup(name: string): Json {
    const g = this.group(name);
    return { Arn: g.arn, CreationDate: g.creationDate / 1000, LastModificationDate: g.lastModificationDate / 1000, Name: g.name, State: 'ACTIVE' };
  }

  /** Deleting a group deletes its schedules (DeleteScheduleGroup); `default` cannot be deleted. */
  DeleteScheduleGroup(name: string): Json {
    if (name === DEFAULT_GROUP) throw ValidationException('Cannot delete the default schedule group.');
    this.group(name);
    this.store.groups.delete(name);
    for (const key of [...this.store.schedules.keys()]) {
      if (!key.startsWith(`${name}/`)) continue;
      this.store.schedules.delete(key);
      this.hooks.changed(key);
    }
    return {};
  }

  ListScheduleGroups(query: URLSearchParams): Json {
    const prefix = query.get('NamePrefix') ?? '';
    const all = [...this.store.groups.values()].filter((g) => g.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
    return page(all, query, (g) => ({ Arn: g.arn, CreationDate: g.creationDate / 1000, LastModificationDate: g.lastModificationDate / 1000, Name: g.name, State: 'ACTIVE' }), 'ScheduleGroups');
  }
}

/** MaxResults (1–100, default 100) and NextToken (the index to go on from). */
function page<T>(all: T[], query: URLSearchParams, shape: (x: T) => Json, member: string): Json {
  const max = query.get('MaxResults') === null ? 100 : Number(query.get('MaxResults'));
  if (!Number.isInteger(max) || max < 1 || max > 100) throw ValidationException("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100");
  const token = query.get('NextToken');
  const from = token === null ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(from) || from < 0) throw ValidationException('Invalid NextToken.');
  const items = all.slice(from, from + max);
  return { [member]: items.map(shape), ...(from + max < all.length ? { NextToken: Buffer.from(String(from + max)).toString('base64') } : {}) };
}

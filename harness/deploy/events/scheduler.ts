/**
 * EventBridge Scheduler schedules from a template: SAM `ScheduleV2` events on
 * functions and state machines, and AWS::Scheduler::Schedule
 * (resources/scheduler.ts) — each one CreateSchedule, or UpdateSchedule when
 * the deployed one differs. Time zones, at() one-time schedules, flexible
 * windows, start and end dates are the service's (emulator/scheduler).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-schedulev2.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-scheduler-schedule.html
 */
import type { CreateScheduleCommandInput, SchedulerClient, Target } from '@aws-sdk/client-scheduler';
import { requireCommonJs } from '../../core/commonjs.ts';
import type { DeployScope, ProblemSink, Wiring } from '../resources/types.ts';
import { isObj, type Obj } from '../template.ts';
import type { EventSourceModule } from './types.ts';

export interface ScheduleSpec {
  logicalId: string;
  /** What CreateSchedule takes, dates as Dates. */
  input: CreateScheduleCommandInput & { Name: string; Target: Target };
}

export interface ScheduleWiring extends Wiring {
  kind: 'schedule';
  schedule: ScheduleSpec;
}

/** The Scheduler SDK, loaded by the first template with a schedule (≈ 7 ms every other deploy need not pay). */
export function schedulerSdk(): typeof import('@aws-sdk/client-scheduler') {
  return requireCommonJs('@aws-sdk/client-scheduler') as typeof import('@aws-sdk/client-scheduler');
}

export function schedulerClient(scope: DeployScope): SchedulerClient {
  return scope.client('scheduler', (config) => new (schedulerSdk().SchedulerClient)(config));
}

function dateOf(v: unknown, field: string, problem: ProblemSink): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) {
    problem(`${field.split('.').pop()} must be an ISO 8601 date-time, got ${JSON.stringify(v)}`, field);
    return undefined;
  }
  return d;
}

/**
 * A schedule's CreateSchedule input from template properties, as
 * AWS::Scheduler::Schedule and SAM's ScheduleV2 write them: the target is
 * given (`target`), the rest read from `p` (FlexibleTimeWindow default OFF).
 */
export function scheduleInput(name: string, p: Obj, target: Target, at: string, problem: ProblemSink): ScheduleSpec['input'] | undefined {
  if (typeof p.ScheduleExpression !== 'string') {
    problem('a schedule needs ScheduleExpression: at(), rate() or cron()', `${at}.ScheduleExpression`);
    return undefined;
  }
  const window = isObj(p.FlexibleTimeWindow) ? p.FlexibleTimeWindow : { Mode: 'OFF' };
  const input: ScheduleSpec['input'] = {
    Name: name,
    ScheduleExpression: p.ScheduleExpression,
    FlexibleTimeWindow: { Mode: window.Mode === 'FLEXIBLE' ? 'FLEXIBLE' : 'OFF', ...(window.MaximumWindowInMinutes !== undefined ? { MaximumWindowInMinutes: Number(window.MaximumWindowInMinutes) } : {}) },
    Target: target,
  };
  if (typeof p.GroupName === 'string') input.GroupName = p.GroupName;
  if (typeof p.ScheduleExpressionTimezone === 'string') input.ScheduleExpressionTimezone = p.ScheduleExpressionTimezone;
  if (typeof p.Description === 'string') input.Description = p.Description;
  if (p.State === 'ENABLED' || p.State === 'DISABLED') input.State = p.State;
  if (p.ActionAfterCompletion === 'NONE' || p.ActionAfterCompletion === 'DELETE') input.ActionAfterCompletion = p.ActionAfterCompletion;
  if (typeof p.KmsKeyArn === 'string') input.KmsKeyArn = p.KmsKeyArn;
  const start = dateOf(p.StartDate, `${at}.StartDate`, problem);
  const end = dateOf(p.EndDate, `${at}.EndDate`, problem);
  if (start) input.StartDate = start;
  if (end) input.EndDate = end;
  return input;
}

/** The target members a template gives (Input as written or as the JSON of an object), besides Arn and RoleArn. */
export function targetOptions(t: Obj): Omit<Target, 'Arn' | 'RoleArn'> {
  const out: Omit<Target, 'Arn' | 'RoleArn'> = {};
  if (t.Input !== undefined) out.Input = typeof t.Input === 'string' ? t.Input : JSON.stringify(t.Input);
  if (isObj(t.RetryPolicy)) out.RetryPolicy = { ...(t.RetryPolicy.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: Number(t.RetryPolicy.MaximumEventAgeInSeconds) } : {}), ...(t.RetryPolicy.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: Number(t.RetryPolicy.MaximumRetryAttempts) } : {}) };
  if (isObj(t.DeadLetterConfig) && typeof t.DeadLetterConfig.Arn === 'string') out.DeadLetterConfig = { Arn: t.DeadLetterConfig.Arn };
  if (isObj(t.SqsParameters) && typeof t.SqsParameters.MessageGroupId === 'string') out.SqsParameters = { MessageGroupId: t.SqsParameters.MessageGroupId };
  if (isObj(t.EventBridgeParameters)) out.EventBridgeParameters = { DetailType: String(t.EventBridgeParameters.DetailType), Source: String(t.EventBridgeParameters.Source) };
  return out;
}

/** A SAM `ScheduleV2` event of a function or a state machine, as one schedule targeting it (without RoleArn, the deploy's role for it). */
export function samScheduleWiring(target: { logicalId: string; arn: string }, eventId: string, p: Obj, field: string, problem: ProblemSink): ScheduleWiring[] {
  const at = `${field}.Properties`;
  const name = (typeof p.Name === 'string' ? p.Name : `${target.logicalId}${eventId}`).slice(0, 64);
  if (isObj(p.DeadLetterConfig) && p.DeadLetterConfig.Type !== undefined && p.DeadLetterConfig.Arn === undefined) {
    problem('DeadLetterConfig with Type (a queue SAM would create) is not deployed: give Arn, an SQS queue of the template', `${at}.DeadLetterConfig`, 'WARNING');
  }
  const input = scheduleInput(name, p, { Arn: target.arn, RoleArn: typeof p.RoleArn === 'string' ? p.RoleArn : undefined, ...targetOptions(p) }, at, problem);
  return input ? [{ kind: 'schedule', source: `Resources.${target.logicalId}.${field}`, schedule: { logicalId: `${target.logicalId}${eventId}`, input } }] : [];
}

/** The members a template sets, as text: what decides whether the deployed schedule is the template's. */
const comparable = (s: Partial<Pick<CreateScheduleCommandInput, 'ScheduleExpression' | 'ScheduleExpressionTimezone' | 'Description' | 'State' | 'FlexibleTimeWindow' | 'ActionAfterCompletion' | 'StartDate' | 'EndDate' | 'Target'>>) =>
  JSON.stringify({
    e: s.ScheduleExpression,
    z: s.ScheduleExpressionTimezone,
    d: s.Description,
    st: s.State ?? 'ENABLED',
    w: s.FlexibleTimeWindow,
    a: s.ActionAfterCompletion ?? 'NONE',
    sd: s.StartDate?.getTime(),
    ed: s.EndDate?.getTime(),
    t: s.Target,
  });

/** CreateSchedule, or UpdateSchedule when the deployed one differs. Returns its ARN. */
export async function deploySchedule(scope: DeployScope, spec: ScheduleSpec): Promise<string> {
  // SAM makes a role for a ScheduleV2 event that names none.
  const input = { ...spec.input, Target: { ...spec.input.Target, RoleArn: spec.input.Target.RoleArn ?? scope.roleFor(spec.input.Name) } };
  const scheduler = schedulerClient(scope);
  const { CreateScheduleCommand, GetScheduleCommand, UpdateScheduleCommand } = schedulerSdk();
  const type = 'AWS::Scheduler::Schedule';
  const current = await scheduler.send(new GetScheduleCommand({ Name: input.Name, ...(input.GroupName ? { GroupName: input.GroupName } : {}) })).catch((e: unknown) => {
    if ((e as { name?: string }).name === 'ResourceNotFoundException' && /^Schedule /.test((e as Error).message)) return undefined;
    throw e;
  });
  if (!current) {
    const out = await scheduler.send(new CreateScheduleCommand(input));
    scope.change({ type, logicalId: spec.logicalId, physicalId: out.ScheduleArn ?? '', action: 'created', detail: `${input.ScheduleExpression}${input.ScheduleExpressionTimezone ? ` (${input.ScheduleExpressionTimezone})` : ''} → ${input.Target.Arn}` });
    return out.ScheduleArn ?? '';
  }
  if (comparable(current) === comparable(input)) {
    scope.change({ type, logicalId: spec.logicalId, physicalId: current.Arn ?? '', action: 'unchanged' });
    return current.Arn ?? '';
  }
  const out = await scheduler.send(new UpdateScheduleCommand(input));
  scope.change({ type, logicalId: spec.logicalId, physicalId: out.ScheduleArn ?? '', action: 'updated' });
  return out.ScheduleArn ?? '';
}

export const schedulerEvents: EventSourceModule<ScheduleWiring> = {
  kind: 'schedule',
  samTypes: ['ScheduleV2'],
  fromSamEvent({ target, eventId, properties, field, input }) {
    return samScheduleWiring({ logicalId: target.logicalId, arn: target.functionArn }, eventId, properties, field, input.problem);
  },
  independent: true,
  async deploy(items, scope) {
    for (const w of items) await deploySchedule(scope, w.schedule);
  },
};

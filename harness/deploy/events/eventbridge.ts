/**
 * EventBridge rules from a template: SAM `Events` of type EventBridgeRule,
 * CloudWatchEvent and Schedule — on functions and on state
 * machines — and AWS::Events::Rule (resources/events.ts) all end as one
 * PutRule plus PutTargets. Deploying is idempotent: the rule is put again
 * (PutRule replaces it) and targets the template no longer names are removed.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventbridgerule.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-schedule.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-statemachine-statemachineeventbridgerule.html
 * (ScheduleV2 is EventBridge Scheduler: events/scheduler.ts.)
 */
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import type { DeployScope, ProblemSink, Wiring } from '../resources/types.ts';
import { isObj, type Obj } from '../template.ts';
import { allowInvoke } from './s3.ts';
import type { EventSourceModule, SamEventInput } from './types.ts';

export interface RuleSpec {
  /** Where it comes from, for changes and messages (logical id). */
  logicalId: string;
  name: string;
  eventBusName?: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
  targets: Target[];
}

export interface RuleWiring extends Wiring {
  kind: 'events-rule';
  rule: RuleSpec;
}

export const RULE_EVENT_TYPES = ['EventBridgeRule', 'CloudWatchEvent', 'Schedule'] as const;

export function eventsClient(scope: DeployScope): EventBridgeClient {
  return scope.client('events', (config) => new EventBridgeClient(config));
}

/** A pattern as PutRule takes it: JSON text (templates give an object or its text). */
export function patternText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The target parameters a template may give, in the API's shape (InputTransformer's map and template as written). */
export function targetOf(id: string, arn: string, p: Obj, field: string, problem: ProblemSink): Target {
  const t: Target = { Id: id, Arn: arn };
  if (p.Input !== undefined) t.Input = typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input);
  if (typeof p.InputPath === 'string') t.InputPath = p.InputPath;
  if (isObj(p.InputTransformer)) {
    const x = p.InputTransformer;
    const map = x.InputPathsMap;
    t.InputTransformer = {
      InputTemplate: typeof x.InputTemplate === 'string' ? x.InputTemplate : JSON.stringify(x.InputTemplate),
      ...(isObj(map) ? { InputPathsMap: Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)])) } : {}),
    };
  }
  if (isObj(p.RetryPolicy)) {
    const r = p.RetryPolicy;
    t.RetryPolicy = {
      ...(r.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: Number(r.MaximumRetryAttempts) } : {}),
      ...(r.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: Number(r.MaximumEventAgeInSeconds) } : {}),
    };
  }
  if (isObj(p.DeadLetterConfig)) {
    if (typeof p.DeadLetterConfig.Arn === 'string') t.DeadLetterConfig = { Arn: p.DeadLetterConfig.Arn };
    else if (p.DeadLetterConfig.Type !== undefined) problem('DeadLetterConfig with Type (a queue SAM would create) is not deployed: give Arn, an SQS queue of the template', `${field}.DeadLetterConfig`, 'WARNING');
  }
  if (isObj(p.SqsParameters) && typeof p.SqsParameters.MessageGroupId === 'string') t.SqsParameters = { MessageGroupId: p.SqsParameters.MessageGroupId };
  if (typeof p.RoleArn === 'string') t.RoleArn = p.RoleArn;
  return t;
}

/** The resource a SAM event's rule sends to: a function or a state machine. */
export interface RuleTarget {
  logicalId: string;
  arn: string;
  /** SAM's target id suffix: `LambdaTarget` for functions, `StepFunctionsTarget` for state machines. */
  suffix: 'LambdaTarget' | 'StepFunctionsTarget';
}

/** One SAM event of a rule type on a function or a state machine, as a rule with one target. */
export function samRuleWiring(target: RuleTarget, eventId: string, type: string, p: Obj, field: string, problem: ProblemSink): RuleWiring[] {
  const at = `${field}.Properties`;
  const name = (typeof p.RuleName === 'string' ? p.RuleName : typeof p.Name === 'string' ? p.Name : `${target.logicalId}${eventId}`).slice(0, 64);
  const targetId = isObj(p.Target) && typeof p.Target.Id === 'string' ? p.Target.Id : `${target.logicalId}${eventId}${target.suffix}`.slice(0, 64);
  const enabled = p.Enabled === undefined ? undefined : p.Enabled === true || p.Enabled === 'true';
  const stateText = typeof p.State === 'string' ? p.State.toUpperCase() : undefined;
  const state: RuleSpec['state'] = stateText === 'DISABLED' || enabled === false ? 'DISABLED' : 'ENABLED';
  const rule: RuleSpec = { logicalId: `${target.logicalId}${eventId}`, name, state, targets: [], ...(typeof p.Description === 'string' ? { description: p.Description } : {}) };
  if (type === 'EventBridgeRule' || type === 'CloudWatchEvent') {
    const pattern = patternText(p.Pattern);
    if (!pattern) {
      problem(`an ${type} event needs Pattern, the event pattern`, `${at}.Pattern`);
      return [];
    }
    rule.eventPattern = pattern;
    if (typeof p.EventBusName === 'string') rule.eventBusName = p.EventBusName;
    rule.targets.push(targetOf(targetId, target.arn, p, at, problem));
  } else {
    const expression = p.Schedule;
    if (typeof expression !== 'string') {
      problem(`a ${type} event needs Schedule, a rate() or cron() expression`, `${at}.Schedule`);
      return [];
    }
    rule.scheduleExpression = expression;
    rule.targets.push(targetOf(targetId, target.arn, p, at, problem));
  }
  return [{ kind: 'events-rule', source: `Resources.${target.logicalId}.${field}`, rule }];
}

/** PutRule, PutTargets, and RemoveTargets for targets no longer wanted; Lambda targets get the permission EventBridge needs. */
export async function deployRule(scope: DeployScope, rule: RuleSpec, type: string): Promise<string> {
  const events = eventsClient(scope);
  const bus = rule.eventBusName ? { EventBusName: rule.eventBusName } : {};
  const current = await events.send(new ListTargetsByRuleCommand({ Rule: rule.name, ...bus })).then(
    (out) => out.Targets ?? [],
    (e: unknown) => {
      if ((e as { name?: string }).name === 'ResourceNotFoundException' && /Rule/.test((e as Error).message)) return undefined;
      throw e;
    },
  );
  if (current !== undefined) {
    const d = await events.send(new DescribeRuleCommand({ Name: rule.name, ...bus }));
    const sameRule =
      d.EventPattern === rule.eventPattern && d.ScheduleExpression === rule.scheduleExpression && d.State === (rule.state ?? 'ENABLED') && d.Description === rule.description && d.RoleArn === rule.roleArn;
    const key = (ts: Target[]) => JSON.stringify(ts.map((t) => JSON.stringify(t, Object.keys(t).sort())).sort());
    if (sameRule && key(current) === key(rule.targets)) {
      scope.change({ type, logicalId: rule.logicalId, physicalId: d.Arn ?? rule.name, action: 'unchanged' });
      return d.Arn ?? '';
    }
  }
  const { RuleArn } = await events.send(
    new PutRuleCommand({
      Name: rule.name,
      ...bus,
      ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
      ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
      ...(rule.state ? { State: rule.state } : {}),
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
      ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    }),
  );
  for (const t of rule.targets) if (t.Arn?.includes(':lambda:')) await allowInvoke(scope, t.Arn, `events-${rule.name}-${t.Id}`, 'events.amazonaws.com', RuleArn ?? '');
  const stale = (current ?? []).filter((t) => !rule.targets.some((w) => w.Id === t.Id)).map((t) => t.Id!);
  if (stale.length > 0) await events.send(new RemoveTargetsCommand({ Rule: rule.name, ...bus, Ids: stale }));
  if (rule.targets.length > 0) {
    const out = await events.send(new PutTargetsCommand({ Rule: rule.name, ...bus, Targets: rule.targets }));
    if (out.FailedEntryCount) throw new Error(`PutTargets for rule ${rule.name}: ${JSON.stringify(out.FailedEntries)}`);
  }
  const detail = `${rule.scheduleExpression ?? rule.eventPattern} → ${rule.targets.map((t) => t.Arn).join(', ') || 'no targets'}`;
  scope.change({ type, logicalId: rule.logicalId, physicalId: RuleArn ?? rule.name, action: current === undefined ? 'created' : 'updated', detail });
  return RuleArn ?? '';
}

export const eventBridgeEvents: EventSourceModule<RuleWiring> = {
  kind: 'events-rule',
  samTypes: RULE_EVENT_TYPES,
  fromSamEvent({ target, eventId, properties, field, input }: SamEventInput) {
    const ev = (input.raw.Properties.Events as Obj | undefined)?.[eventId];
    const type = isObj(ev) && typeof ev.Type === 'string' ? ev.Type : 'EventBridgeRule';
    return samRuleWiring({ logicalId: target.logicalId, arn: target.functionArn, suffix: 'LambdaTarget' }, eventId, type, properties, field, input.problem);
  },
  independent: true,
  async deploy(items, scope) {
    for (const w of items) await deployRule(scope, w.rule, 'AWS::Events::Rule');
  },
};

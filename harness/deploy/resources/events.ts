/**
 * AWS::Events::EventBus and AWS::Events::Rule. A bus is created if missing
 * (its Description updated in place); a rule is put with its targets
 * (events/eventbridge.ts). Ref of a bus is its name, Fn::GetAtt gives `Arn`
 * and `Name`; Ref of a rule is its name (`<bus>|<rule>` on a custom bus),
 * Fn::GetAtt gives `Arn`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-eventbus.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html
 */
import { CreateEventBusCommand, DescribeEventBusCommand, UpdateEventBusCommand } from '@aws-sdk/client-eventbridge';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { deployRule, eventsClient, patternText, targetOf, type RuleSpec } from '../events/eventbridge.ts';
import { isObj } from '../template.ts';
import type { ResourceModule } from './types.ts';

export interface BusSpec {
  logicalId: string;
  name: string;
  description?: string;
  tags: Array<{ Key: string; Value: string }>;
}

function busPhysical(name: string, c: ResolveContext): PhysicalResource {
  return { ref: name, attributes: { Arn: `arn:${c.partition}:events:${c.region}:${c.accountId}:event-bus/${name}`, Name: name } };
}

function busNameOf(v: string): string {
  const i = v.indexOf(':event-bus/');
  return i >= 0 ? v.slice(i + ':event-bus/'.length) : v;
}

function rulePhysical(rule: RuleSpec, c: ResolveContext): PhysicalResource {
  const bus = rule.eventBusName ? busNameOf(rule.eventBusName) : 'default';
  const custom = bus !== 'default';
  return { ref: custom ? `${bus}|${rule.name}` : rule.name, attributes: { Arn: `arn:${c.partition}:events:${c.region}:${c.accountId}:rule/${custom ? `${bus}/` : ''}${rule.name}` } };
}

export const eventBus: ResourceModule<BusSpec> = {
  types: ['AWS::Events::EventBus'],
  properties: ['Name', 'Description', 'Tags'],
  read(input) {
    const p = input.properties;
    if (typeof p.Name !== 'string' || !/^[/.\-_A-Za-z0-9]{1,256}$/.test(p.Name) || p.Name === 'default') {
      input.problem(`an event bus needs Name: 1–256 letters, digits and . - _ /, not "default"; got ${JSON.stringify(p.Name)}`, 'Properties.Name');
      return undefined;
    }
    const tags = Array.isArray(p.Tags) ? p.Tags.filter(isObj).map((t) => ({ Key: String(t.Key), Value: String(t.Value) })) : [];
    return { logicalId: input.logicalId, name: p.Name, tags, ...(typeof p.Description === 'string' ? { description: p.Description } : {}) };
  },
  physical: (spec, c) => busPhysical(spec.name, c),
  async deploy(spec, scope) {
    const events = eventsClient(scope);
    const type = 'AWS::Events::EventBus';
    const current = await events.send(new DescribeEventBusCommand({ Name: spec.name })).catch((e: unknown) => {
      if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw e;
    });
    if (!current) {
      await events.send(new CreateEventBusCommand({ Name: spec.name, ...(spec.description !== undefined ? { Description: spec.description } : {}), ...(spec.tags.length ? { Tags: spec.tags } : {}) }));
      scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'created' });
    } else if ((current.Description ?? undefined) !== spec.description && spec.description !== undefined) {
      await events.send(new UpdateEventBusCommand({ Name: spec.name, Description: spec.description }));
      scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'updated', detail: 'Description' });
    } else scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'unchanged' });
    return busPhysical(spec.name, scope.ctx);
  },
};

export const eventsRule: ResourceModule<RuleSpec> = {
  types: ['AWS::Events::Rule'],
  properties: ['Name', 'EventBusName', 'EventPattern', 'ScheduleExpression', 'State', 'Description', 'RoleArn', 'Targets'],
  read(input) {
    const p = input.properties;
    const name = typeof p.Name === 'string' ? p.Name : input.logicalId.slice(0, 64);
    const rule: RuleSpec = { logicalId: input.logicalId, name, targets: [] };
    const pattern = patternText(p.EventPattern);
    if (pattern !== undefined) rule.eventPattern = pattern;
    if (typeof p.ScheduleExpression === 'string') rule.scheduleExpression = p.ScheduleExpression;
    if (pattern === undefined && rule.scheduleExpression === undefined && !input.unresolved.has('EventPattern') && !input.unresolved.has('ScheduleExpression')) {
      input.problem('a rule needs EventPattern or ScheduleExpression', 'Properties.EventPattern');
    }
    if (typeof p.EventBusName === 'string') rule.eventBusName = p.EventBusName;
    if (p.State === 'DISABLED' || p.State === 'ENABLED') rule.state = p.State;
    if (typeof p.Description === 'string') rule.description = p.Description;
    if (typeof p.RoleArn === 'string') rule.roleArn = p.RoleArn;
    (Array.isArray(p.Targets) ? p.Targets : []).forEach((t, i) => {
      const field = `Properties.Targets[${i}]`;
      if (!isObj(t) || typeof t.Id !== 'string' || typeof t.Arn !== 'string') {
        input.problem('a target needs Id and Arn', field);
        return;
      }
      rule.targets.push(targetOf(t.Id, t.Arn, t, field, input.problem));
    });
    return rule;
  },
  physical: (spec, c) => rulePhysical(spec, c),
  async deploy(spec, scope) {
    await deployRule(scope, spec, 'AWS::Events::Rule');
    return rulePhysical(spec, scope.ctx);
  },
};

/**
 * AWS::Scheduler::Schedule and AWS::Scheduler::ScheduleGroup onto EventBridge
 * Scheduler (events/scheduler.ts deploys a schedule). Ref of a schedule is
 * its name, of a group its name; Fn::GetAtt gives `Arn`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-scheduler-schedule.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-scheduler-schedulegroup.html
 */
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { deploySchedule, schedulerClient, scheduleInput, schedulerSdk, targetOptions, type ScheduleSpec } from '../events/scheduler.ts';
import { isObj } from '../template.ts';
import type { ResourceModule } from './types.ts';

function schedulePhysical(spec: ScheduleSpec, c: ResolveContext): PhysicalResource {
  return { ref: spec.input.Name, attributes: { Arn: `arn:${c.partition}:scheduler:${c.region}:${c.accountId}:schedule/${spec.input.GroupName ?? 'default'}/${spec.input.Name}` } };
}

export const schedulerSchedule: ResourceModule<ScheduleSpec> = {
  types: ['AWS::Scheduler::Schedule'],
  properties: ['Name', 'GroupName', 'Description', 'ScheduleExpression', 'ScheduleExpressionTimezone', 'FlexibleTimeWindow', 'StartDate', 'EndDate', 'State', 'KmsKeyArn', 'Target'],
  read(input) {
    const p = input.properties;
    const t = p.Target;
    if (!isObj(t) || typeof t.Arn !== 'string' || typeof t.RoleArn !== 'string') {
      if (!input.unresolved.has('Target')) input.problem('a schedule needs Target with Arn and RoleArn', 'Properties.Target');
      return undefined;
    }
    const name = typeof p.Name === 'string' ? p.Name : input.logicalId.slice(0, 64);
    const scheduled = scheduleInput(name, p, { Arn: t.Arn, RoleArn: t.RoleArn, ...targetOptions(t) }, 'Properties', input.problem);
    return scheduled ? { logicalId: input.logicalId, input: scheduled } : undefined;
  },
  physical: schedulePhysical,
  async deploy(spec, scope) {
    await deploySchedule(scope, spec);
    return schedulePhysical(spec, scope.ctx);
  },
};

interface GroupSpec {
  logicalId: string;
  name: string;
  tags: Array<{ Key: string; Value: string }>;
}

function groupPhysical(name: string, c: ResolveContext): PhysicalResource {
  return { ref: name, attributes: { Arn: `arn:${c.partition}:scheduler:${c.region}:${c.accountId}:schedule-group/${name}` } };
}

export const schedulerScheduleGroup: ResourceModule<GroupSpec> = {
  types: ['AWS::Scheduler::ScheduleGroup'],
  properties: ['Name', 'Tags'],
  read(input) {
    const p = input.properties;
    const tags = Array.isArray(p.Tags) ? p.Tags.filter(isObj).map((t) => ({ Key: String(t.Key), Value: String(t.Value) })) : [];
    return { logicalId: input.logicalId, name: typeof p.Name === 'string' ? p.Name : input.logicalId.slice(0, 64), tags };
  },
  physical: (spec, c) => groupPhysical(spec.name, c),
  async deploy(spec, scope) {
    const scheduler = schedulerClient(scope);
    const { CreateScheduleGroupCommand, GetScheduleGroupCommand } = schedulerSdk();
    const exists = await scheduler.send(new GetScheduleGroupCommand({ Name: spec.name })).then(
      () => true,
      (e: unknown) => {
        if ((e as { name?: string }).name === 'ResourceNotFoundException') return false;
        throw e;
      },
    );
    if (!exists) await scheduler.send(new CreateScheduleGroupCommand({ Name: spec.name, ...(spec.tags.length ? { Tags: spec.tags } : {}) }));
    scope.change({ type: 'AWS::Scheduler::ScheduleGroup', logicalId: spec.logicalId, physicalId: spec.name, action: exists ? 'unchanged' : 'created' });
    return groupPhysical(spec.name, scope.ctx);
  },
};

/**
 * What EventBridge Scheduler keeps: schedule groups (`default` always there)
 * and the schedules in them, as the API reports them.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html
 */

export interface TargetRecord {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
  EventBridgeParameters?: { DetailType: string; Source: string };
}

export interface ScheduleRecord {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  /** IANA zone of cron() and at() (default UTC). */
  timezone?: string;
  description?: string;
  /** Epoch ms. */
  startDate?: number;
  endDate?: number;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
  target: TargetRecord;
  creationDate: number;
  lastModificationDate: number;
}

export interface GroupRecord {
  name: string;
  arn: string;
  creationDate: number;
  lastModificationDate: number;
}

export const DEFAULT_GROUP = 'default';

export function copySchedule(s: ScheduleRecord): ScheduleRecord {
  return structuredClone(s);
}

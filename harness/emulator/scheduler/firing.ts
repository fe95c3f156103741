/**
 * Schedules fire on the Clock: one timer per enabled schedule for its next
 * firing, which calls the target with the schedule's Input (Scheduler sends
 * no event envelope; `{}` when there is none) — Lambda asynchronously, Step
 * Functions StartExecution, SQS SendMessage, SNS Publish, EventBridge
 * PutEvents — in-process, as the service principal. A one-time at() schedule
 * with ActionAfterCompletion DELETE is deleted once it fired. A delivery the
 * target refuses goes to the DeadLetterConfig queue, with Scheduler's error
 * attributes; it is not retried.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
 *
 * As for EventBridge rules (events/scheduler.ts), the timers do not wake the
 * Clock: on virtual time a schedule fires when time gets to it (a Wait, an
 * advanceClock step), at its own instant.
 */
import type { IdSource, Timer } from '../../core/index.ts';
import { queueUrlOf, type ServiceDeps } from '../service-deps.ts';
import { nextFiring } from './expression.ts';
import type { ScheduleRecord } from './models.ts';
import type { SchedulerStore } from './operations.ts';

/** Who Scheduler's calls come from (the access key the other services see). */
export const SCHEDULER_PRINCIPAL = 'SCHEDULER';

/** The targets a schedule may name: templated ones of the services this endpoint serves. */
export const TARGET_SERVICES = /^arn:aws[a-z-]*:(lambda|states|sqs|sns|events):/;

export class ScheduleTimers {
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly ids: IdSource,
    private readonly store: SchedulerStore,
  ) {}

  /** (Re)arms the timer of the schedule under `key`, or cancels it (deleted, disabled, done). */
  arm(key: string, after = this.deps.clock.now()): void {
    this.cancel(key);
    const s = this.store.schedules.get(key);
    if (!s || s.state === 'DISABLED') return;
    let at = nextFiring(s, after);
    if (at === undefined) return;
    // A flexible window: somewhere in it, drawn from the endpoint's seeded ids (the same run, the same instant).
    if (s.flexibleTimeWindow.Mode === 'FLEXIBLE') at += Math.floor(this.ids.random() * s.flexibleTimeWindow.MaximumWindowInMinutes! * 60_000);
    const now = this.deps.clock.now();
    this.timers.set(key, this.deps.clock.setTimer(Math.max(0, at - now), () => this.fire(key, at!), { wakesClock: false }));
  }

  armAll(): void {
    for (const key of this.store.schedules.keys()) this.arm(key);
  }

  cancel(key: string): void {
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private fire(key: string, at: number): void {
    this.timers.delete(key);
    const s = this.store.schedules.get(key);
    if (!s) return;
    void this.deliver(s).catch((e: unknown) => this.deadLetter(s, e));
    if (s.expression.startsWith('at(')) {
      if (s.actionAfterCompletion === 'DELETE') this.store.schedules.delete(key);
      return;
    }
    this.arm(key, at);
  }

  private async deliver(s: ScheduleRecord): Promise<void> {
    const t = s.target;
    const input = t.Input ?? '{}';
    const service = TARGET_SERVICES.exec(t.Arn)?.[1];
    const call = async (signingName: string, operation: string, request: Record<string, unknown>) => {
      if (!this.deps.callService) throw new Error(`${signingName} is not served by this endpoint`);
      await this.deps.callService(signingName, operation, request, SCHEDULER_PRINCIPAL);
    };
    switch (service) {
      case 'lambda':
        await this.deps.lambda().invoke({ functionName: t.Arn, payload: input, invocationType: 'Event', caller: 'scheduler' });
        return;
      case 'states':
        return call('states', 'StartExecution', { stateMachineArn: t.Arn, input });
      case 'sqs':
        return call('sqs', 'SendMessage', { QueueUrl: queueUrlOf(this.deps.endpoint(), t.Arn), MessageBody: input, ...(t.SqsParameters?.MessageGroupId ? { MessageGroupId: t.SqsParameters.MessageGroupId } : {}) });
      case 'sns':
        return call('sns', 'Publish', { TopicArn: t.Arn, Message: input });
      case 'events':
        return call('events', 'PutEvents', { Entries: [{ EventBusName: t.Arn, Source: t.EventBridgeParameters!.Source, DetailType: t.EventBridgeParameters!.DetailType, Detail: input }] });
      default:
        throw new Error(`target ${t.Arn} is not one this endpoint calls`);
    }
  }

  /** The failed delivery to the schedule's DeadLetterConfig queue, or the log when it has none. */
  private deadLetter(s: ScheduleRecord, e: unknown): void {
    const code = e instanceof Error ? e.name : 'Error';
    const message = e instanceof Error ? e.message : String(e);
    const dlq = s.target.DeadLetterConfig?.Arn;
    if (!dlq || !this.deps.callService) {
      this.deps.log.warn(`scheduler: ${s.arn} could not call ${s.target.Arn} (${code}: ${message})`);
      return;
    }
    const text = (v: string) => ({ DataType: 'String', StringValue: v });
    void this.deps
      .callService(
        'sqs',
        'SendMessage',
        {
          QueueUrl: queueUrlOf(this.deps.endpoint(), dlq),
          MessageBody: s.target.Input ?? '{}',
          MessageAttributes: { ERROR_CODE: text(code), ERROR_MESSAGE: text(message.slice(0, 256)), EXECUTION_ID: text(this.ids.uuid()), SCHEDULE_ARN: text(s.arn), TARGET_ARN: text(s.target.Arn) },
        },
        SCHEDULER_PRINCIPAL,
      )
      .catch(() => this.deps.log.warn(`scheduler: ${s.arn}: neither ${s.target.Arn} nor its dead-letter queue ${dlq} took the delivery`));
  }
}

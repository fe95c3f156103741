/**
 * Scheduled rules fire on the Clock: each enabled rule with a
 * ScheduleExpression has one timer for its next firing, which sends a
 * `Scheduled Event` (source `aws.events`, the rule's ARN in `resources`,
 * `detail` empty, `time` the firing's instant) to the rule's targets.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 *
 * The timers do not wake the Clock (TimerOptions.wakesClock false): on
 * virtual time, a schedule fires when time gets to it for another reason —
 * a Wait state, a retry, an advanceClock step — at its own virtual instant,
 * so a daily clean-up fires in milliseconds when a scenario moves the clock a
 * day, and an idle suite is not kept running from firing to firing.
 */
import type { Timer } from '../../core/index.ts';
import type { IdSource } from '../../core/index.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { eventTime } from './operations.ts';
import type { EventRouter } from './delivery.ts';
import type { EventEnvelope } from './input-transform.ts';
import type { RuleRecord } from './models.ts';
import { nextFiring, parseSchedule } from './schedule.ts';

export class Scheduler {
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly ids: IdSource,
    private readonly router: EventRouter,
  ) {}

  /** Re-arms the rule's timer after any change (or cancels it for a rule that no longer fires). */
  arm(rule: RuleRecord): void {
    this.cancel(rule.arn);
    if (rule.scheduleExpression === undefined || rule.state === 'DISABLED') return;
    const schedule = parseSchedule(rule.scheduleExpression);
    const now = this.deps.clock.now();
    const next = nextFiring(schedule, now, rule.scheduleAnchor);
    if (next === undefined) return;
    const timer = this.deps.clock.setTimer(next - now, () => this.fire(rule, next), { wakesClock: false });
    this.timers.set(rule.arn, timer);
  }

  private fire(rule: RuleRecord, at: number): void {
    this.timers.delete(rule.arn);
    const event: EventEnvelope = {
      version: '0',
      id: this.ids.uuid(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.deps.accountId,
      time: eventTime(at),
      region: this.deps.region,
      resources: [rule.arn],
      detail: {},
    };
    this.deps.observations.recordEvent({ eventBusName: rule.eventBusName, event: structuredClone(event), time: at, ruleName: rule.name });
    this.router.toTargets(rule, event, at);
    this.arm(rule);
  }

  cancel(ruleArn: string): void {
    this.timers.get(ruleArn)?.cancel();
    this.timers.delete(ruleArn);
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}

/**
 * Routing and delivery: an event accepted on a bus goes to every enabled rule
 * of that bus whose pattern matches it, and from each rule to each of its
 * targets, with the input the target asks for. A delivery that fails is
 * retried on the Clock with exponential back-off and jitter until the
 * target's RetryPolicy runs out (MaximumRetryAttempts, default 185;
 * MaximumEventAgeInSeconds, default 24 hours), then sent to the target's
 * dead-letter queue when it has one.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 *
 * Errors a retry cannot fix (the target does not exist, a bad request: a 4xx
 * other than throttling) are not retried — "EventBridge doesn't retry … when
 * a resource doesn't exist" — and go to the dead-letter queue at once.
 */
import { AwsServiceError, type Timer } from '../../core/index.ts';
import type { CompiledPattern } from '../event-pattern/index.ts';
import { matchesPattern } from '../event-pattern/index.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { checkPattern } from './operations.ts';
import { targetInput, type EventEnvelope } from './input-transform.ts';
import type { EventsStore, RuleRecord, TargetRecord } from './models.ts';
import { deliverToTarget, type TargetCall } from './targets.ts';

const DEFAULT_MAX_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;
/** Back-off: 1 s, doubling, at most 3 minutes between tries; each delay jittered down by up to half. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 180_000;
/** An event forwarded from bus to bus more often than this is dropped (a rule that sends a bus's events back to it). */
const MAX_HOPS = 5;

export interface DeliveryOutcome {
  status: 'delivered' | 'failed';
  attempts: number;
  error?: { code: string; message: string };
  /** Set when the event went to the target's dead-letter queue. */
  deadLetterArn?: string;
}

export class EventRouter {
  private readonly patterns = new Map<string, { text: string; compiled: CompiledPattern }>();
  private readonly timers = new Set<Timer>();
  /** Bumped by stop(): deliveries of an older generation record nothing and retry no more. */
  private generation = 0;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: EventsStore,
    private readonly call: TargetCall,
  ) {}

  private pattern(rule: RuleRecord): CompiledPattern | undefined {
    if (rule.eventPattern === undefined) return undefined;
    const hit = this.patterns.get(rule.arn);
    if (hit && hit.text === rule.eventPattern) return hit.compiled;
    const compiled = checkPattern(rule.eventPattern);
    this.patterns.set(rule.arn, { text: rule.eventPattern, compiled });
    return compiled;
  }

  forget(ruleArn: string): void {
    this.patterns.delete(ruleArn);
  }

  /** Routes an accepted event on `busName` to the matching rules' targets. */
  ingest(busName: string, event: EventEnvelope, ingestionTime: number, hops = 0): void {
    const bus = this.store.buses.get(busName);
    if (!bus) return;
    this.deps.observations.recordEvent({ eventBusName: busName, event: structuredClone(event), time: ingestionTime });
    for (const rule of Object.values(bus.rules)) {
      if (rule.state === 'DISABLED') continue;
      const pattern = this.pattern(rule);
      if (!pattern || !matchesPattern(pattern, event)) continue;
      this.toTargets(rule, event, ingestionTime, hops);
    }
  }

  /** Sends an event to every target of one rule (a matched pattern, or a schedule firing). */
  toTargets(rule: RuleRecord, event: EventEnvelope, ingestionTime: number, hops = 0): void {
    for (const target of rule.targets) void this.attempt(rule, structuredClone(target), event, ingestionTime, hops, 1, this.generation);
  }

  private async attempt(rule: RuleRecord, target: TargetRecord, event: EventEnvelope, ingestionTime: number, hops: number, attempt: number, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const fault = this.deps.faults.nextTargetDelivery(rule.name, target.Id);
    // A delayed delivery is not work: virtual time moves while it waits (as for an operation fault's latency).
    if (fault && fault.latencyMs > 0) {
      await this.deps.clock.sleep(fault.latencyMs);
      if (generation !== this.generation) return;
    }
    const release = this.deps.clock.hold('work', `events → ${target.Arn}`);
    let error: unknown;
    try {
      const input = targetInput(target, event, { ruleName: rule.name, ruleArn: rule.arn, ingestionTime });
      if (fault?.error) throw new AwsServiceError(fault.error.code, fault.error.message ?? `Injected fault: ${fault.error.code}`, fault.error.statusCode ?? 500);
      await deliverToTarget(this.call, { ruleArn: rule.arn, target, input, event, forward: (bus) => this.forward(bus, event, ingestionTime, hops) });
      if (generation !== this.generation) return;
      this.record(rule, target, event, input, { status: 'delivered', attempts: attempt });
      return;
    } catch (e) {
      error = e;
    } finally {
      release();
    }
    if (generation !== this.generation) return;
    const code = error instanceof AwsServiceError ? error.code : 'InternalException';
    const message = error instanceof Error ? error.message : String(error);
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const retryable = !(error instanceof AwsServiceError) || error.statusCode >= 500 || error.statusCode === 429 || /throttl|toomanyrequests/i.test(error.code);
    // Whole milliseconds: the Clock reads integers (SQS timestamps, BigInt sequence numbers).
    const delay = Math.round(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1)) * (1 - this.deps.ids.random() / 2));
    const exhausted = !retryable ? undefined : attempt - 1 >= maxRetries ? 'MaximumRetryAttempts' : this.deps.clock.now() + delay - ingestionTime > maxAgeMs ? 'MaximumEventAgeInSeconds' : undefined;
    if (retryable && exhausted === undefined) {
      const timer = this.deps.clock.setTimer(delay, () => {
        this.timers.delete(timer);
        void this.attempt(rule, target, event, ingestionTime, hops, attempt + 1, generation);
      });
      this.timers.add(timer);
      return;
    }
    const outcome: DeliveryOutcome = { status: 'failed', attempts: attempt, error: { code, message } };
    const dlq = target.DeadLetterConfig?.Arn;
    if (dlq) {
      try {
        await this.call.sqs(dlq, JSON.stringify(event), {
          RULE_ARN: rule.arn,
          TARGET_ARN: target.Arn,
          ERROR_CODE: code,
          ERROR_MESSAGE: message.slice(0, 1000),
          ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
          RETRY_ATTEMPTS: String(attempt - 1),
        });
        outcome.deadLetterArn = dlq;
      } catch (e) {
        this.deps.log.warn(`events: dead-letter queue ${dlq} of rule ${rule.name} target ${target.Id} refused the event: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else {
      this.deps.log.warn(`events: rule ${rule.name} could not deliver event ${event.id} to ${target.Arn} after ${attempt} attempt(s): ${code}: ${message}`);
    }
    if (generation === this.generation) this.record(rule, target, event, undefined, outcome);
  }

  /** A target that is another bus: the same event, accepted there. */
  private forward(busArn: string, event: EventEnvelope, ingestionTime: number, hops: number): void {
    const name = busArn.slice(busArn.indexOf(':event-bus/') + ':event-bus/'.length);
    if (!this.store.buses.has(name)) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`, 400);
    if (hops + 1 > MAX_HOPS) throw new AwsServiceError('ValidationException', `Event ${event.id} was forwarded between buses more than ${MAX_HOPS} times.`, 400);
    this.ingest(name, event, ingestionTime, hops + 1);
  }

  private record(rule: RuleRecord, target: TargetRecord, event: EventEnvelope, input: string | undefined, outcome: DeliveryOutcome): void {
    this.deps.observations.recordEventDelivery({
      eventBusName: rule.eventBusName,
      ruleName: rule.name,
      ruleArn: rule.arn,
      targetId: target.Id,
      targetArn: target.Arn,
      eventId: event.id,
      event: structuredClone(event),
      ...(input !== undefined ? { input } : {}),
      ...outcome,
      time: this.deps.clock.now(),
    });
  }

  /** Stops every pending retry; deliveries under way record nothing any more. */
  stop(): void {
    this.generation++;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.patterns.clear();
  }
}

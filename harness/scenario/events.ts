/**
 * EventBridge in scenarios: the `putEvents` step (PutEvents over the SDK; an
 * entry EventBridge refuses fails the step with its ErrorCode, as a caller
 * checking FailedEntryCount would), and the `then.events` checks against what
 * the endpoint observed: the events a bus accepted (PutEvents from anyone, an
 * AWS service's own event, a schedule firing) and, with `rule`, what became
 * of them at that rule's targets (delivered, or failed after the target's
 * RetryPolicy). Deliveries are asynchronous and retried on the Clock, so the
 * checks wait (real time, up to the scenario's wait limit) until they hold.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventDeliveryRecord, EventRecord, ObservationsSnapshot } from '../emulator/observations.ts';
import { checkCount } from './matchers.ts';
import type { CheckResult } from './results.ts';
import type { EventExpectSpec, PutEventsStepSpec, ThenSpec } from './schema.ts';
import { brief, matchValue, parseMaybeJson } from './value-match.ts';

/** The `putEvents` step: one PutEvents call; throws naming each refused entry. */
export async function putEvents(events: EventBridgeClient, entries: PutEventsStepSpec): Promise<string> {
  const out = await events.send(
    new PutEventsCommand({
      Entries: entries.map((e) => ({
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        ...(e.eventBusName !== undefined ? { EventBusName: e.eventBusName } : {}),
        ...(e.resources !== undefined ? { Resources: e.resources } : {}),
      })),
    }),
  );
  const results = out.Entries ?? [];
  // PutEvents answers 200 with FailedEntryCount and a per-entry ErrorCode (API_PutEvents): a caller must look.
  const failed = results.flatMap((r, i) => (r.ErrorCode ? [`entries[${i}] (${entries[i]?.source} / ${entries[i]?.detailType}): ${r.ErrorCode}: ${r.ErrorMessage ?? ''}`] : []));
  if ((out.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
    throw Object.assign(new Error(`PutEvents refused ${out.FailedEntryCount ?? failed.length} of ${entries.length} entries: ${failed.join('; ')}`), { name: 'FailedEntry' });
  }
  const buses = [...new Set(entries.map((e) => e.eventBusName ?? 'default'))];
  return `put ${entries.length} event(s) on ${buses.join(', ')}: ${results.map((r) => r.EventId).join(', ')}`;
}

/** A bus given by name or ARN (`arn:aws:events:…:event-bus/name`). */
function busName(bus: string): string {
  const at = bus.indexOf(':event-bus/');
  return at < 0 ? bus : bus.slice(at + ':event-bus/'.length);
}

function eventMatches(want: unknown, event: Record<string, unknown>): boolean {
  return want === undefined || matchValue(want, event).length === 0;
}

function deliveryMatches(spec: EventExpectSpec, d: EventDeliveryRecord): boolean {
  if (d.ruleName !== spec.rule) return false;
  if (spec.target !== undefined && d.targetId !== spec.target) return false;
  if (d.status !== (spec.status ?? 'delivered')) return false;
  if (spec.attempts !== undefined && !checkCount(spec.attempts, d.attempts).ok) return false;
  if (spec.input !== undefined && (d.input === undefined || matchValue(spec.input, parseMaybeJson(d.input)).length > 0)) return false;
  return eventMatches(spec.event, d.event);
}

/** What one expectation is about, for its messages: `events on gallery-events matching {...}`. */
function describeExpectation(bus: string, spec: EventExpectSpec): string {
  const match = spec.event !== undefined ? ` matching ${brief(spec.event, 100)}` : '';
  if (spec.rule === undefined) return `event(s) on ${bus}${match}`;
  const extra = [spec.input !== undefined ? `input ${brief(spec.input, 80)}` : '', spec.attempts !== undefined ? `attempts ${JSON.stringify(spec.attempts)}` : ''].filter(Boolean).join(', ');
  return `event(s)${match} ${spec.status ?? 'delivered'} by rule ${spec.rule}${spec.target !== undefined ? ` to target ${spec.target}` : ''}${extra ? ` (${extra})` : ''}`;
}

/** A short view of an event for a failure's `actual`. */
function summary(e: Record<string, unknown>): Record<string, unknown> {
  return { source: e.source, 'detail-type': e['detail-type'], detail: e.detail, ...(Array.isArray(e.resources) && e.resources.length ? { resources: e.resources } : {}) };
}

function checkOne(id: string, bus: string, spec: EventExpectSpec, accepted: EventRecord[], deliveries: EventDeliveryRecord[]): CheckResult {
  const countSpec = spec.count ?? { atLeast: 1 };
  const what = describeExpectation(bus, spec);
  const selected = spec.rule === undefined ? accepted.filter((r) => eventMatches(spec.event, r.event)) : deliveries.filter((d) => deliveryMatches(spec, d));
  const r = checkCount(countSpec, selected.length);
  if (r.ok) return { id, status: 'passed', message: `${selected.length} ${what}` };
  // What there was instead: the rule's deliveries (any status), or the bus's events.
  const context =
    spec.rule === undefined
      ? { total: accepted.length, actual: accepted.slice(-10).map((a) => summary(a.event)), of: `of ${accepted.length} on ${bus}` }
      : (() => {
          const mine = deliveries.filter((d) => d.ruleName === spec.rule);
          return {
            total: mine.length,
            actual: mine.slice(-10).map((d) => ({ target: d.targetId, status: d.status, attempts: d.attempts, ...(d.error ? { error: `${d.error.code}: ${d.error.message}` } : {}), event: summary(d.event) })),
            of: `of ${mine.length} outcome(s) of rule ${spec.rule} on ${bus}`,
          };
        })();
  return { id, status: 'failed', message: `expected ${r.expected} ${what}, got ${selected.length} (${context.of})`, expected: spec, actual: context.actual };
}

/** then.events, from the observations (skipped, with the reason, without them). */
export function checkEvents(then: ThenSpec, obs: ObservationsSnapshot | undefined, unavailable = 'the backend has no observations'): CheckResult[] {
  if (!then.events) return [];
  if (!obs) return [{ id: 'then.events', status: 'skipped', message: unavailable }];
  const out: CheckResult[] = [];
  for (const [busKey, specs] of Object.entries(then.events)) {
    const bus = busName(busKey);
    const accepted = obs.events.filter((e) => e.eventBusName === bus);
    const deliveries = obs.eventDeliveries.filter((d) => d.eventBusName === bus);
    specs.forEach((spec, i) => out.push(checkOne(`then.events.${busKey}[${i}]`, bus, spec, accepted, deliveries)));
  }
  return out;
}

/** Whether every then.events check holds now (the runner polls until it does). */
export function eventsSettled(then: ThenSpec, obs: ObservationsSnapshot): boolean {
  return checkEvents(then, obs).every((c) => c.status === 'passed');
}

/**
 * A schedule's expression on the Clock: `at(yyyy-mm-ddThh:mm:ss)` once,
 * `rate(value unit)` from the schedule's start, `cron(fields)` — the last two
 * within StartDate/EndDate, and at() and cron() in ScheduleExpressionTimezone
 * (default UTC), daylight saving included.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
import { Cron } from 'croner';
import { nextFiring as nextRuleFiring, parseSchedule, type Schedule } from '../events/schedule.ts';
import { ValidationException } from './errors.ts';
import type { ScheduleRecord } from './models.ts';

export type Expression = { kind: 'at'; at: number } | Schedule;

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

/** Throws ValidationException, in Scheduler's words, for a bad expression or time zone. */
export function parseExpression(expression: string, timezone: string | undefined): Expression {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      throw ValidationException(`Invalid time zone: ${timezone}.`);
    }
  }
  const at = AT.exec(expression.trim());
  if (at) {
    // croner reads a date without offset in the zone it is given: the wall-clock time there.
    const once = new Cron(at[1]!, { ...(timezone ? { timezone } : { utcOffset: 0 }), paused: true });
    const when = once.nextRun(new Date(0));
    if (!when) throw ValidationException(`Invalid Schedule Expression ${expression}.`);
    return { kind: 'at', at: when.getTime() };
  }
  try {
    return parseSchedule(expression, timezone);
  } catch {
    throw ValidationException(`Invalid Schedule Expression ${expression}.`);
  }
}

/** The next firing after `after` (epoch ms), or undefined when there is none (past at(), past EndDate). */
export function nextFiring(s: ScheduleRecord, after: number): number | undefined {
  const e = parseExpression(s.expression, s.timezone);
  // StartDate and EndDate bound recurring schedules only (CreateSchedule's StartDate/EndDate: not applied to at()).
  if (e.kind === 'at') return e.at > after ? e.at : undefined;
  const start = s.startDate ?? s.creationDate;
  // A rate counts its periods from the start; a cron may fire at the start instant itself.
  const next = nextRuleFiring(e, e.kind === 'rate' ? Math.max(after, start) : Math.max(after, start - 1), start);
  if (next === undefined || (s.endDate !== undefined && next > s.endDate)) return undefined;
  return next;
}

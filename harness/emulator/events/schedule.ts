/**
 * A rule's ScheduleExpression: `rate(value unit)` or `cron(fields)`, read and
 * turned into "when next" on the Clock. Rules' schedules are in UTC; EventBridge
 * Scheduler's (harness/emulator/scheduler) may name an IANA time zone.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 *
 * AWS cron has six fields — minutes, hours, day-of-month, month,
 * day-of-week, year — with day-of-week numbered 1-7 = SUN-SAT (Quartz's
 * numbering), `?` in exactly one of the two day fields, `L` (last day of the
 * month / of the week, `6L` the last Friday), `W` (the weekday nearest a day
 * of the month, `15W`), `#` (`3#2` the second Tuesday) and `/` increments
 * that may start at a number (`1/10`). croner reads the same language given a
 * seconds field in front, Quartz weekdays, and `5#L` for `5L`.
 */
import { Cron } from 'croner';
import { ValidationException } from './errors.ts';

export type Schedule = { kind: 'rate'; periodMs: number } | { kind: 'cron'; cron: Cron };

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function invalid(): Error {
  return ValidationException('Parameter ScheduleExpression is not valid.');
}

/** Reads a schedule expression (cron fields in `timezone`, default UTC); throws ValidationException as PutRule does for a bad one. */
export function parseSchedule(expression: string, timezone?: string): Schedule {
  const text = expression.trim();
  const rate = RATE.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    // "If the value is equal to 1, then the unit must be singular … greater than 1, plural" (eb-rate-expressions).
    if (value < 1 || (value === 1) !== !unit.endsWith('s')) throw invalid();
    return { kind: 'rate', periodMs: value * UNIT_MS[unit.replace(/s$/, '')]! };
  }
  const cron = CRON.exec(text);
  if (!cron) throw invalid();
  return { kind: 'cron', cron: compileCron(cron[1]!.trim(), timezone) };
}

function compileCron(fields: string, timezone: string | undefined): Cron {
  const parts = fields.split(/\s+/);
  if (parts.length !== 6) throw invalid();
  const [minutes, hours, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression":
  // one of them is `?`, the other is not.
  if ((dom === '?') === (dow === '?')) throw invalid();
  if (/[LW#?]/i.test(minutes + hours + month + year)) throw invalid();
  if (/#/.test(dom) || /W/i.test(dow)) throw invalid();
  // `#` may appear once in day-of-week ("3#1,6#3" is two expressions and is refused).
  if ((dow.match(/#/g) ?? []).length > 1 || (dow.includes('#') && dow.includes(','))) throw invalid();
  // Years 1970-2199; the number after a `/` is an increment, not a year.
  const years = year.replace(/\/\d+/g, '').match(/\d+/g) ?? [];
  if (years.some((y) => Number(y) < 1970 || Number(y) > 2199)) throw invalid();
  // Day-of-week `L` alone is the last day of the week (Saturday, 7); `6L` is croner's `6#L`.
  const weekday = dow === 'L' ? '7' : dow.replace(/^([0-7A-Za-z]+)L$/i, '$1#L');
  try {
    return new Cron(`0 ${minutes} ${hours} ${dom} ${month} ${weekday} ${year}`, {
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      domAndDow: true,
      // UTC as a fixed offset: a named zone sends every nextRun through Intl (≈ 20 ms the first time), and UTC has no DST.
      ...(timezone === undefined ? { utcOffset: 0 } : { timezone }),
      paused: true,
    });
  } catch {
    throw invalid();
  }
}

/**
 * The next instant after `after` (epoch ms) the schedule fires, or undefined
 * when it never fires again (a cron whose years are past). A rate runs from
 * `anchor`, the time the rule was created or last enabled.
 */
export function nextFiring(schedule: Schedule, after: number, anchor: number): number | undefined {
  if (schedule.kind === 'rate') {
    const periods = Math.floor((after - anchor) / schedule.periodMs) + 1;
    return anchor + Math.max(1, periods) * schedule.periodMs;
  }
  const next = schedule.cron.nextRun(new Date(after));
  return next ? next.getTime() : undefined;
}

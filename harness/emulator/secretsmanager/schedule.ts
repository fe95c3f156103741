/**
 * Rotation schedules (API_RotationRulesType): `AutomaticallyAfterDays`, or a
 * `ScheduleExpression` of the form `rate(N days|hours)` or
 * `cron(minutes hours day-of-month month day-of-week year)`. All times are the
 * Clock's epoch ms; we rotate at the start of the window AWS would pick a
 * random moment in (documented difference).
 */
import { InvalidParameterException } from './errors.ts';
import type { RotationRules } from './models.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  any: boolean;
  values: Set<number>;
}

interface Cron {
  minute: CronField;
  hour: CronField;
  dayOfMonth: CronField;
  month: CronField;
  /** 1 = SUN … 7 = SAT, as in AWS cron. */
  dayOfWeek: CronField;
  year: CronField;
}

function badExpression(expr: string, why: string): never {
  throw InvalidParameterException(`Invalid ScheduleExpression ${JSON.stringify(expr)}: ${why}.`);
}

function parseField(expr: string, text: string, min: number, max: number, names?: string[], nameBase = 0): CronField {
  if (text === '*' || text === '?') return { any: true, values: new Set() };
  const values = new Set<number>();
  const num = (s: string): number => {
    const i = names ? names.indexOf(s.toUpperCase()) : -1;
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) badExpression(expr, `unsupported cron value ${JSON.stringify(s)}`);
    const n = Number(s);
    if (n < min || n > max) badExpression(expr, `${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : num(stepText);
    if (step < 1) badExpression(expr, 'a step must be at least 1');
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [from, to] = [num(a), num(b)];
    } else {
      from = num(range);
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { any: false, values };
}

function parseCron(expr: string, body: string): Cron {
  const f = body.trim().split(/\s+/);
  if (f.length !== 6) badExpression(expr, 'cron needs 6 fields: minutes hours day-of-month month day-of-week year');
  return {
    minute: parseField(expr, f[0]!, 0, 59),
    hour: parseField(expr, f[1]!, 0, 23),
    dayOfMonth: parseField(expr, f[2]!, 1, 31),
    month: parseField(expr, f[3]!, 1, 12, MONTHS, 1),
    dayOfWeek: parseField(expr, f[4]!, 1, 7, DAYS, 1),
    year: parseField(expr, f[5]!, 1970, 2199),
  };
}

const matches = (field: CronField, v: number): boolean => field.any || field.values.has(v);

/** The first minute strictly after `from` that the cron expression selects (searching up to ~5 years). */
function nextCron(cron: Cron, from: number): number | undefined {
  let t = Math.floor(from / 60_000) * 60_000 + 60_000;
  const limit = from + 5 * 366 * DAY;
  while (t <= limit) {
    const d = new Date(t);
    const dayOk =
      matches(cron.year, d.getUTCFullYear()) &&
      matches(cron.month, d.getUTCMonth() + 1) &&
      matches(cron.dayOfMonth, d.getUTCDate()) &&
      matches(cron.dayOfWeek, d.getUTCDay() + 1);
    if (!dayOk) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!matches(cron.hour, d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!matches(cron.minute, d.getUTCMinutes())) {
      t += 60_000;
      continue;
    }
    return t;
  }
  return undefined;
}

type Schedule = { kind: 'interval'; ms: number } | { kind: 'cron'; cron: Cron };

function parseSchedule(rules: RotationRules): Schedule | undefined {
  if (rules.AutomaticallyAfterDays !== undefined) return { kind: 'interval', ms: rules.AutomaticallyAfterDays * DAY };
  const expr = rules.ScheduleExpression;
  if (expr === undefined) return undefined;
  const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    const hours = rate[2]!.startsWith('hour');
    // API_RotationRulesType: rate in hours must be 4–23 hours; days 1–1000.
    if (hours && (n < 4 || n > 23)) badExpression(expr, 'a rate in hours must be between 4 and 23');
    if (!hours && (n < 1 || n > 1000)) badExpression(expr, 'a rate in days must be between 1 and 1000');
    return { kind: 'interval', ms: n * (hours ? HOUR : DAY) };
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (cron) return { kind: 'cron', cron: parseCron(expr, cron[1]!) };
  return badExpression(expr, 'expected rate(N days), rate(N hours) or cron(...)');
}

/** Throws InvalidParameterException for rules AWS would refuse. */
export function validateRotationRules(rules: RotationRules): void {
  if (rules.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
    throw InvalidParameterException('You can specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules, not both.');
  }
  if (rules.AutomaticallyAfterDays !== undefined && (rules.AutomaticallyAfterDays < 1 || rules.AutomaticallyAfterDays > 1000)) {
    throw InvalidParameterException('RotationRules.AutomaticallyAfterDays must be between 1 and 1000.');
  }
  if (rules.Duration !== undefined && !/^([1-9]|1\d|2[0-4])h$/.test(rules.Duration)) {
    throw InvalidParameterException(`Invalid RotationRules.Duration ${JSON.stringify(rules.Duration)}: expected 1h to 24h.`);
  }
  parseSchedule(rules);
}

/** When the next rotation is due after a rotation at `from`, or undefined when the rules set no schedule. */
export function nextRotationAfter(rules: RotationRules | undefined, from: number): number | undefined {
  if (!rules) return undefined;
  const schedule = parseSchedule(rules);
  if (!schedule) return undefined;
  return schedule.kind === 'interval' ? from + schedule.ms : nextCron(schedule.cron, from);
}

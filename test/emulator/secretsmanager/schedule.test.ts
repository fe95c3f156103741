/** Rotation schedule arithmetic (pure logic). */
import { describe, expect, it } from 'vitest';
import { nextRotationAfter, validateRotationRules } from '../../../harness/emulator/secretsmanager/schedule.ts';

const T0 = Date.UTC(2026, 0, 5, 10, 17, 30); // a Monday
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('rotation schedules', () => {
  it('AutomaticallyAfterDays and rate() add their interval', () => {
    expect(nextRotationAfter({ AutomaticallyAfterDays: 30 }, T0)).toBe(T0 + 30 * DAY);
    expect(nextRotationAfter({ ScheduleExpression: 'rate(10 days)' }, T0)).toBe(T0 + 10 * DAY);
    expect(nextRotationAfter({ ScheduleExpression: 'rate(4 hours)' }, T0)).toBe(T0 + 4 * HOUR);
    expect(nextRotationAfter(undefined, T0)).toBeUndefined();
    expect(nextRotationAfter({ Duration: '2h' }, T0)).toBeUndefined();
  });

  it('cron() finds the next matching minute in UTC', () => {
    expect(new Date(nextRotationAfter({ ScheduleExpression: 'cron(0 16 1,15 * ? *)' }, T0)!).toISOString()).toBe('2026-01-15T16:00:00.000Z');
    expect(new Date(nextRotationAfter({ ScheduleExpression: 'cron(30 2 ? * SUN *)' }, T0)!).toISOString()).toBe('2026-01-11T02:30:00.000Z');
    expect(new Date(nextRotationAfter({ ScheduleExpression: 'cron(0 */6 * * ? *)' }, T0)!).toISOString()).toBe('2026-01-05T12:00:00.000Z');
    expect(new Date(nextRotationAfter({ ScheduleExpression: 'cron(0 0 1 JAN ? 2027)' }, T0)!).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('rejects rules AWS rejects, naming the problem', () => {
    expect(() => validateRotationRules({ AutomaticallyAfterDays: 1, ScheduleExpression: 'rate(1 days)' })).toThrow(/not both/);
    expect(() => validateRotationRules({ AutomaticallyAfterDays: 0 })).toThrow(/between 1 and 1000/);
    expect(() => validateRotationRules({ ScheduleExpression: 'rate(2 hours)' })).toThrow(/between 4 and 23/);
    expect(() => validateRotationRules({ ScheduleExpression: 'cron(0 16 * *)' })).toThrow(/6 fields/);
    expect(() => validateRotationRules({ ScheduleExpression: 'cron(0 25 * * ? *)' })).toThrow(/25 is outside 0-23/);
    expect(() => validateRotationRules({ ScheduleExpression: 'whenever' })).toThrow(/expected rate/);
    expect(() => validateRotationRules({ Duration: '30h' })).toThrow(/1h to 24h/);
    expect(() => validateRotationRules({ ScheduleExpression: 'rate(7 days)', Duration: '3h' })).not.toThrow();
  });
});

import { AppError, ERROR_CODES } from './errors';
import fc from 'fast-check';
import { budgetDay, budgetDayStart, computeBudgetDay, isValidTimezone } from './budget-day';

const ms = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;

describe('budgetDay in Asia/Shanghai (UTC+8, no DST)', () => {
  it('when it is one second before local midnight, then the day is still 2026-11-23 and resets at midnight', () => {
    expect(budgetDay(ms('2026-11-23T15:59:59Z'), 'Asia/Shanghai')).toEqual({
      dayId: '2026-11-23',
      startsAt: ms('2026-11-22T16:00:00Z'),
      resetsAt: ms('2026-11-23T16:00:00Z'),
    });
  });

  it('when it is local midnight exactly, then a new day 2026-11-24 has begun', () => {
    expect(budgetDay(ms('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toEqual({
      dayId: '2026-11-24',
      startsAt: ms('2026-11-23T16:00:00Z'),
      resetsAt: ms('2026-11-24T16:00:00Z'),
    });
  });

  it('when UTC has already moved to the next date, then the local date is used, not UTC\'s', () => {
    expect(budgetDay(ms('2026-11-23T00:30:00Z'), 'UTC').dayId).toBe('2026-11-23');
    expect(budgetDay(ms('2026-11-23T00:30:00Z'), 'Asia/Shanghai').dayId).toBe('2026-11-23');
    expect(budgetDay(ms('2026-11-22T23:30:00Z'), 'Asia/Shanghai').dayId).toBe('2026-11-23');
  });
});

describe('budgetDay in America/New_York across DST changes', () => {
  it('when clocks spring forward (2026-03-08), then that day is 23 hours long', () => {
    const day = budgetDay(ms('2026-03-08T12:00:00Z'), 'America/New_York');
    expect(day.dayId).toBe('2026-03-08');
    expect(day.startsAt).toBe(ms('2026-03-08T05:00:00Z')); // midnight EST, UTC-5
    expect(day.resetsAt).toBe(ms('2026-03-09T04:00:00Z')); // midnight EDT, UTC-4
    expect(day.resetsAt - day.startsAt).toBe(23 * HOUR);
  });

  it('when clocks fall back (2026-11-01), then that day is 25 hours long', () => {
    const day = budgetDay(ms('2026-11-01T12:00:00Z'), 'America/New_York');
    expect(day.dayId).toBe('2026-11-01');
    expect(day.startsAt).toBe(ms('2026-11-01T04:00:00Z'));
    expect(day.resetsAt).toBe(ms('2026-11-02T05:00:00Z'));
    expect(day.resetsAt - day.startsAt).toBe(25 * HOUR);
  });

  it('when the repeated 01:30 hour passes on fall-back day, then both instants share one day', () => {
    const first = budgetDay(ms('2026-11-01T05:30:00Z'), 'America/New_York'); // 01:30 EDT
    const second = budgetDay(ms('2026-11-01T06:30:00Z'), 'America/New_York'); // 01:30 EST
    expect(second).toEqual(first);
  });
});

describe('budgetDay where midnight itself is skipped', () => {
  it('when DST starts at midnight (America/Sao_Paulo, 2018-11-04), then the day starts at 01:00 and still resets at the next midnight', () => {
    const day = budgetDay(ms('2018-11-04T12:00:00Z'), 'America/Sao_Paulo');
    expect(day.dayId).toBe('2018-11-04');
    expect(day.startsAt).toBe(ms('2018-11-04T03:00:00Z')); // 01:00 at UTC-2
    expect(day.resetsAt).toBe(ms('2018-11-05T02:00:00Z')); // 00:00 at UTC-2
  });

  it('when the day before ends, then it resets exactly when the short day starts', () => {
    const before = budgetDay(ms('2018-11-03T12:00:00Z'), 'America/Sao_Paulo');
    const after = budgetDay(ms('2018-11-04T12:00:00Z'), 'America/Sao_Paulo');
    expect(before.resetsAt).toBe(after.startsAt);
  });
});

describe('budgetDay inputs', () => {
  it('when the time zone is unknown, then it throws a config error', () => {
    expect(() => budgetDay(0, 'Mars/Olympus')).toThrow(AppError);
    expect(() => budgetDay(0, 'Mars/Olympus')).toThrow(expect.objectContaining({ code: ERROR_CODES.CONFIG_INVALID }));
  });

  it('when the time is not a number, then it throws', () => {
    expect(() => budgetDay(Number.NaN, 'UTC')).toThrow(RangeError);
  });
});

describe('isValidTimezone', () => {
  it('when given IANA names, then they are accepted; host-dependent or unknown names are not', () => {
    expect(isValidTimezone('Asia/Shanghai')).toBe(true);
    expect(isValidTimezone('UTC')).toBe(true);
    expect(isValidTimezone('local')).toBe(false);
    expect(isValidTimezone('system')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
  });
});

describe('budgetDayStart', () => {
  it('when asked for days ahead across a DST change, then each is a local midnight, 23 or 25 hours apart where DST changes', () => {
    const now = ms('2026-03-07T17:00:00Z'); // noon EST, the day before spring-forward
    expect(budgetDayStart(now, 'America/New_York', 0)).toBe(ms('2026-03-07T05:00:00Z'));
    expect(budgetDayStart(now, 'America/New_York', 1)).toBe(ms('2026-03-08T05:00:00Z'));
    expect(budgetDayStart(now, 'America/New_York', 2)).toBe(ms('2026-03-09T04:00:00Z'));
  });

  it('when days ahead are counted one by one through budgetDay, then they agree, a skipped midnight included', () => {
    const now = ms('2018-11-02T12:00:00Z');
    let day = budgetDay(now, 'America/Sao_Paulo');
    for (let n = 1; n <= 4; n++) {
      day = budgetDay(day.resetsAt, 'America/Sao_Paulo');
      expect(budgetDayStart(now, 'America/Sao_Paulo', n)).toBe(day.startsAt);
    }
  });
});

describe('budgetDay remembers the last day per zone', () => {
  const zones = ['Asia/Shanghai', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'UTC'];
  // 2018-2027: DST changes, Sao Paulo's skipped midnights and Lord Howe's half-hour shift included
  const instant = fc.integer({ min: ms('2018-01-01T00:00:00Z'), max: ms('2027-12-31T00:00:00Z') });

  it('when instants come in any order, near each other or far apart, then every answer equals a fresh computation', () => {
    const step = fc.oneof(fc.integer({ min: -2 * HOUR, max: 2 * HOUR }), fc.integer({ min: -400 * 24 * HOUR, max: 400 * 24 * HOUR }));
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, fc.array(step, { maxLength: 40 }), (zone, start, steps) => {
        let t = start;
        for (const dt of [0, ...steps]) {
          t += dt;
          expect(budgetDay(t, zone)).toEqual(computeBudgetDay(t, zone));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('when a caller changes the day it was given, then the next caller still gets the right one', () => {
    const now = ms('2026-11-23T04:00:00Z');
    const day = budgetDay(now, 'Asia/Shanghai');
    day.resetsAt = 0;
    expect(budgetDay(now + 1, 'Asia/Shanghai')).toEqual(computeBudgetDay(now, 'Asia/Shanghai'));
  });
});

import fc from 'fast-check';
import { budgetDay, budgetDayStart } from './budget-day';
import { estimateCompletion, type EtaInput } from './eta';

const ms = (iso: string): number => Date.parse(iso);
const SECOND = 1000;

/** noon in Shanghai, a tenant with the defaults: 1,000 a day, 5 calls/s of 10 items */
const base = (over: Partial<EtaInput> = {}): EtaInput => ({
  now: ms('2026-11-23T04:00:00Z'),
  itemsAhead: 0,
  remainingToday: 1000,
  dailyLimit: 1000,
  timezone: 'Asia/Shanghai',
  callsPerSecond: 5,
  maxItemsPerCall: 10,
  lingerMs: 1000,
  verdictDelayMs: 5000,
  ...over,
});

describe('estimateCompletion', () => {
  it('when everything fits in what is left today, then it is done after the calls, the linger and the first poll, on day 1', () => {
    // 95 items = 10 calls at 5/s = 2 s; + 1 s linger + 5 s to the verdict
    expect(estimateCompletion(base({ itemsAhead: 95 }))).toEqual({ estimatedCompletionAt: base().now + 8 * SECOND, budgetDays: 1 });
  });

  it('when only verdicts are awaited, then it is one polling delay away and needs no more than today', () => {
    expect(estimateCompletion(base({ itemsAhead: 0 }))).toEqual({ estimatedCompletionAt: base().now + 5 * SECOND, budgetDays: 1 });
  });

  it('when 50 items meet a limit of 20 with 20 left today, then they need 3 budget days and end early on the third', () => {
    const eta = estimateCompletion(base({ itemsAhead: 50, remainingToday: 20, dailyLimit: 20 }));
    expect(eta.budgetDays).toBe(3);
    const thirdDayStart = ms('2026-11-24T16:00:00Z'); // 2026-11-25 00:00 in Shanghai
    // the 10 left for the third day: one call (0.2 s), linger and the verdict
    expect(eta.estimatedCompletionAt).toBe(thirdDayStart + 200 + 6 * SECOND);
    expect(budgetDay(eta.estimatedCompletionAt, 'Asia/Shanghai').dayId).toBe('2026-11-25');
  });

  it('when today is spent, then even one item waits for the next local midnight', () => {
    const eta = estimateCompletion(base({ itemsAhead: 1, remainingToday: 0 }));
    expect(eta.budgetDays).toBe(2);
    expect(budgetDay(eta.estimatedCompletionAt, 'Asia/Shanghai').dayId).toBe('2026-11-24');
  });

  it('when the days ahead cross a DST change, then the last day starts at that local midnight (New York, fall back)', () => {
    // 2026-10-31 noon EDT; two more days: 2026-11-02 00:00 EST = 05:00Z, after the 25-hour day
    const eta = estimateCompletion(base({ now: ms('2026-10-31T16:00:00Z'), timezone: 'America/New_York', itemsAhead: 2001, remainingToday: 1000 }));
    expect(eta.budgetDays).toBe(3);
    expect(eta.estimatedCompletionAt).toBe(ms('2026-11-02T05:00:00Z') + 200 + 6 * SECOND);
  });

  it('when VOD throttles the tenant, then sending starts when the throttle ends', () => {
    const now = base().now;
    expect(estimateCompletion(base({ itemsAhead: 10, notBefore: now + 60 * SECOND })).estimatedCompletionAt).toBe(now + 60 * SECOND + 200 + 6 * SECOND);
  });

  it('when the pace cannot send a day\'s budget within a day, then the pace bounds the estimate', () => {
    // 1 call a minute of 1 item: 3,000 items take 50 hours whatever the budget says
    const eta = estimateCompletion(base({ itemsAhead: 3000, remainingToday: 10_000, dailyLimit: 10_000, callsPerSecond: 1 / 60, maxItemsPerCall: 1 }));
    expect(eta).toEqual({ estimatedCompletionAt: base().now + 3000 * 60 * SECOND + 6 * SECOND, budgetDays: 1 });
  });
});

describe('estimateCompletion properties', () => {
  const zones = fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Sao_Paulo');
  const input = fc.record({
    now: fc.integer({ min: ms('2018-01-01T00:00:00Z'), max: ms('2030-01-01T00:00:00Z') }),
    itemsAhead: fc.integer({ min: 0, max: 200_000 }),
    remainingToday: fc.integer({ min: 0, max: 5_000 }),
    dailyLimit: fc.integer({ min: 1, max: 5_000 }),
    timezone: zones,
    callsPerSecond: fc.constantFrom(0.01, 0.5, 1, 5, 100),
    maxItemsPerCall: fc.integer({ min: 1, max: 10 }),
    lingerMs: fc.integer({ min: 0, max: 5_000 }),
    verdictDelayMs: fc.integer({ min: 0, max: 60_000 }),
  });

  it('when anything is asked, then the answer is never before now and needs at least one budget day', () => {
    fc.assert(fc.property(input, (i) => {
      const eta = estimateCompletion(i);
      return eta.estimatedCompletionAt >= i.now && eta.budgetDays >= 1 && Number.isInteger(eta.budgetDays);
    }));
  });

  it('when more items are ahead, then the estimate is never earlier and never needs fewer days', () => {
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 50_000 }), (i, more) => {
      const a = estimateCompletion(i);
      const b = estimateCompletion({ ...i, itemsAhead: i.itemsAhead + more });
      return b.estimatedCompletionAt >= a.estimatedCompletionAt && b.budgetDays >= a.budgetDays;
    }));
  });

  it('when more budget is left today or the daily limit is higher, then the estimate is never later', () => {
    fc.assert(fc.property(input, fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 5_000 }), (i, extraToday, extraLimit) => {
      const a = estimateCompletion(i);
      const moreToday = estimateCompletion({ ...i, remainingToday: i.remainingToday + extraToday });
      const higherLimit = estimateCompletion({ ...i, dailyLimit: i.dailyLimit + extraLimit });
      return moreToday.estimatedCompletionAt <= a.estimatedCompletionAt && moreToday.budgetDays <= a.budgetDays
        && higherLimit.estimatedCompletionAt <= a.estimatedCompletionAt && higherLimit.budgetDays <= a.budgetDays;
    }));
  });

  it('when several budget days are needed, then the sending ends no earlier than the last of them starts', () => {
    fc.assert(fc.property(input, (i) => {
      const eta = estimateCompletion(i);
      const sendsEnd = eta.estimatedCompletionAt - i.lingerMs - i.verdictDelayMs;
      return eta.budgetDays === 1 || sendsEnd > budgetDayStart(i.now, i.timezone, eta.budgetDays - 1);
    }));
  });
});

import fc from 'fast-check';
import { callerKeys, createCallerRate } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

// a second connection stands for a second API replica
const redis = newRedis();
const other = newRedis();
const prefix = testPrefix('caller-rate');
const rate = createCallerRate(redis, prefix);
const otherRate = createCallerRate(other, prefix);
const T0 = Date.parse('2030-03-10T04:00:00Z');

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await Promise.all([redis.quit(), other.quit()]);
});

describe("a caller's request rate", () => {
  it('when a caller sends its burst at once, then the next is told to wait one interval, and is let in after it', async () => {
    for (let i = 0; i < 3; i++) expect(await rate.take('cms', T0, 2, 3)).toEqual({ ok: true });
    expect(await rate.take('cms', T0, 2, 3)).toEqual({ ok: false, retryInMs: 500 });
    expect(await rate.take('cms', T0 + 499, 2, 3)).toEqual({ ok: false, retryInMs: 1 });
    expect(await rate.take('cms', T0 + 500, 2, 3)).toEqual({ ok: true });
  });

  it('when one caller is over its rate, then another caller is not affected', async () => {
    expect(await rate.take('busy', T0, 1, 1)).toEqual({ ok: true });
    expect((await rate.take('busy', T0, 1, 1)).ok).toBe(false);
    expect(await rate.take('quiet', T0, 1, 1)).toEqual({ ok: true });
  });

  it('when two replicas share a caller, then together they let in only its burst', async () => {
    const slots = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? otherRate : rate).take('shared', T0, 1, 4)));
    expect(slots.filter((s) => s.ok)).toHaveLength(4);
  });

  it('when the caller id holds odd characters, then its key is still one key under the prefix', async () => {
    expect(await rate.take('a:b}{c', T0, 1, 1)).toEqual({ ok: true });
    expect(await redis.exists(callerKeys(prefix, 'a:b}{c').rate)).toBe(1);
  });

  it('when the rate or burst is not positive, then it is refused as a bug, not taken', async () => {
    await expect(rate.take('cms', T0, 0, 1)).rejects.toThrow(RangeError);
    await expect(rate.take('cms', T0, 1, 0)).rejects.toThrow(RangeError);
  });
});

/**
 * The GCRA's two promises, for any rate, burst and arrival pattern: never more than the burst
 * plus the rate's worth in any window (safety), and a caller who waits the time it was told is
 * let in (liveness: Retry-After is never a lie).
 */
describe('the GCRA as a property', () => {
  let run = 0;
  const arrivals = fc.record({
    perSecond: fc.oneof(fc.constantFrom(0.5, 1, 2.5, 20), fc.integer({ min: 1, max: 50 })),
    burst: fc.integer({ min: 1, max: 8 }),
    gaps: fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 60 }),
  });

  it('when requests arrive in any pattern, then every window of one second holds at most burst - 1 + ceil(rate) grants', async () => {
    await fc.assert(
      fc.asyncProperty(arrivals, async ({ perSecond, burst, gaps }) => {
        const caller = `safety-${run++}`;
        const granted: number[] = [];
        let now = T0;
        for (const gap of gaps) {
          now += gap;
          if ((await rate.take(caller, now, perSecond, burst)).ok) granted.push(now);
        }
        const intervalUs = Math.ceil(1_000_000 / perSecond);
        const bound = burst - 1 + Math.ceil(1_000_000_000 / intervalUs / 1000);
        for (const s of granted) {
          const inWindow = granted.filter((t) => t >= s && t < s + 1000).length;
          if (inWindow > bound) return false;
        }
        return true;
      }),
      { numRuns: 100 },
    );
  });

  it('when a refused caller comes back after the time it was told, then it is let in', async () => {
    await fc.assert(
      fc.asyncProperty(arrivals, async ({ perSecond, burst, gaps }) => {
        const caller = `liveness-${run++}`;
        let now = T0;
        for (const gap of gaps) {
          now += gap;
          const slot = await rate.take(caller, now, perSecond, burst);
          if (slot.ok) continue;
          if (slot.retryInMs < 1) return false;
          now += slot.retryInMs;
          if (!(await rate.take(caller, now, perSecond, burst)).ok) return false;
        }
        return true;
      }),
      { numRuns: 100 },
    );
  });
});

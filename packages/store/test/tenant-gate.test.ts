import { createDispatchStore, createRequestStore, createTenantGate, tenantKeys, type TenantPause } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

// a second connection stands for a second replica
const redis = newRedis();
const other = newRedis();
const prefix = testPrefix('tenant-gate');
const gate = createTenantGate(redis, prefix);
const otherGate = createTenantGate(other, prefix);
const T0 = Date.parse('2030-03-10T04:00:00Z');

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await Promise.all([redis.quit(), other.quit()]);
});

const credentials = (since: number, probeAt: number): TenantPause => ({
  reason: 'credentials', code: 'APIGW.0301', message: 'Incorrect IAM authentication information', since, probeAt,
});

describe('tenant pause', () => {
  it('when a tenant is paused twice, then it keeps the first since and the latest code, message and probe time', async () => {
    expect(await gate.getPause('p1')).toBeNull();
    expect(await gate.pause('p1', credentials(T0, T0 + 60_000))).toBe(true);
    const again = { reason: 'account' as const, code: 'VOD.10055', message: 'account frozen', since: T0 + 5000, probeAt: T0 + 65_000 };
    expect(await otherGate.pause('p1', again)).toBe(false);
    expect(await gate.getPause('p1')).toEqual({ ...again, since: T0 });
    expect(await gate.pausedAmong(['p0', 'p1'])).toEqual([{ tenant: 'p1', pause: { ...again, since: T0 } }]);
  });

  it('when a paused tenant resumes, then it has no pause and a later pause starts a new since', async () => {
    await gate.pause('p2', credentials(T0, T0 + 60_000));
    expect(await gate.resume('p2')).toBe(true);
    expect(await gate.getPause('p2')).toBeNull();
    expect(await gate.resume('p2')).toBe(false);
    await gate.pause('p2', credentials(T0 + 90_000, T0 + 150_000));
    expect((await gate.getPause('p2'))?.since).toBe(T0 + 90_000);
  });

  it('when two replicas race for the probe, then exactly one gets it per cool-down', async () => {
    expect(await gate.claimProbe('p3', T0, T0 + 60_000)).toBe(false); // not paused
    await gate.pause('p3', credentials(T0, T0 + 60_000));
    expect(await gate.claimProbe('p3', T0 + 59_999, T0 + 120_000)).toBe(false); // not due

    const race = async (now: number) => {
      const calls = Array.from({ length: 10 }, (_, i) => (i % 2 ? otherGate : gate).claimProbe('p3', now, now + 60_000));
      return (await Promise.all(calls)).filter(Boolean).length;
    };
    expect(await race(T0 + 60_000)).toBe(1);
    expect((await gate.getPause('p3'))?.probeAt).toBe(T0 + 120_000);
    expect(await race(T0 + 60_001)).toBe(0); // same cool-down
    expect(await race(T0 + 120_000)).toBe(1); // the next one
    expect(await gate.getPause('p3')).toMatchObject({ since: T0, reason: 'credentials' });
  });

  it('when the tenant resumed meanwhile, then nobody probes and no pause reappears', async () => {
    await gate.pause('p4', credentials(T0, T0));
    await gate.resume('p4');
    expect(await gate.claimProbe('p4', T0 + 1, T0 + 60_000)).toBe(false);
    expect(await redis.exists(tenantKeys(prefix, 'p4').pause)).toBe(0);
  });
});

describe('tenant throttle', () => {
  it('when throttled twice, then the later instant holds and the key expires at it', async () => {
    const now = Date.now();
    expect(await gate.throttledUntil('th1', now)).toBeNull();
    expect(await gate.throttle('th1', now + 5000)).toBe(now + 5000);
    expect(await otherGate.throttle('th1', now + 2000)).toBe(now + 5000);
    expect(await gate.throttledUntil('th1', now)).toBe(now + 5000);
    expect(await gate.throttledUntil('th1', now + 5000)).toBeNull();
    // the key expires at the later instant itself (read as an instant, so how long the test took
    // between the calls and this read cannot matter)
    expect(await redis.pexpiretime(tenantKeys(prefix, 'th1').throttle)).toBe(now + 5000);
    expect(await gate.throttle('th1', now + 9000)).toBe(now + 9000);
    expect(await gate.throttledUntil('th1', now + 5000)).toBe(now + 9000);
  });
});

describe('call pace', () => {
  /**
   * Four replicas hammer the limiter on a simulated clock for 3 seconds: every 5 ms each one
   * asks until it is refused, then waits the time it was told. Returns the instants granted.
   */
  async function simulate(tenant: string, maxPerSecond: number): Promise<number[]> {
    const callers = [gate, otherGate, createTenantGate(redis, prefix), createTenantGate(other, prefix)];
    const nextTry = callers.map(() => T0);
    const granted: number[] = [];
    for (let now = T0; now < T0 + 3000; now += 5) {
      await Promise.all(callers.map(async (c, i) => {
        while (nextTry[i]! <= now) {
          const slot = await c.acquireCallSlot(tenant, now, maxPerSecond);
          if (slot.ok) granted.push(now);
          else nextTry[i] = now + slot.retryInMs;
        }
      }));
    }
    return granted.sort((a, b) => a - b);
  }

  it.each([5, 2.5, 20])('when 4 replicas call for 3 s at %p/s, then no 1-second window has more than the rate plus the burst', async (rate) => {
    const burst = Math.ceil(rate);
    const granted = await simulate(`pace-${rate}`, rate);
    // every window of one second, wherever it starts: aligned ones and one from each grant
    const starts = [T0, T0 + 1000, T0 + 2000, ...granted];
    for (const s of starts) {
      const inWindow = granted.filter((t) => t >= s && t < s + 1000).length;
      expect({ window: s - T0, inWindow: inWindow <= rate + burst }).toEqual({ window: s - T0, inWindow: true });
    }
    // over the whole run the pace is the rate, after one burst; and it is not starved either
    expect(granted.length).toBeLessThanOrEqual(burst + Math.ceil(3 * rate));
    expect(granted.length).toBeGreaterThanOrEqual(Math.floor(3 * rate));
    // a burst is ceil(rate) calls at once, no more
    expect(granted.filter((t) => t === T0)).toHaveLength(burst);
  });

  it('when the burst is used up, then the next caller is told to wait one interval', async () => {
    for (let i = 0; i < 4; i++) expect(await gate.acquireCallSlot('pace-wait', T0, 4)).toEqual({ ok: true });
    expect(await gate.acquireCallSlot('pace-wait', T0, 4)).toEqual({ ok: false, retryInMs: 250 });
    expect(await gate.acquireCallSlot('pace-wait', T0 + 249, 4)).toEqual({ ok: false, retryInMs: 1 });
    expect(await gate.acquireCallSlot('pace-wait', T0 + 250, 4)).toEqual({ ok: true });
  });
});

describe('quota spent', () => {
  const dayId = '2030-03-10';
  const budgetKey = (tenant: string) => tenantKeys(prefix, tenant).budget(dayId);

  it("when VOD says the quota is spent, then the day's budget rises to the limit and claims stop", async () => {
    const requests = createRequestStore(redis, prefix);
    const store = createDispatchStore(redis, prefix);
    await requests.stage('q1', 'q1.req00000001', ['a:x1'], 600);
    await requests.create({ tenant: 'q1', requestId: 'q1.req00000001', priority: 'normal', received: 1, createdAt: T0 }, 600);
    await store.coalesce('q1', 'q1.req00000001', 'normal', 0, 1, ['a:x1'], T0);
    await redis.set(budgetKey('q1'), 3);

    expect(await gate.markQuotaSpent('q1', dayId, 100, 600)).toBe(100);
    expect(Number(await redis.get(budgetKey('q1')))).toBe(100);
    expect(await redis.ttl(budgetKey('q1'))).toBeGreaterThan(500);
    const claim = await store.claim('q1', 'b1', { now: T0 + 10_000, lingerMs: 0, maxItems: 10, dayId, dailyLimit: 100, ttlSeconds: 600 });
    expect(claim).toEqual({ action: 'budget' });
  });

  it('when more was already counted than the limit, then the count is left as it is', async () => {
    await redis.set(budgetKey('q2'), 120);
    expect(await gate.markQuotaSpent('q2', dayId, 100, 600)).toBe(120);
    expect(await redis.get(budgetKey('q2'))).toBe('120');
  });
});

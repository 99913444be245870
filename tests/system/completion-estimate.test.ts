import { DateTime } from 'luxon';
import { callerWithKey, eventually, startSimulator, testConfig, testWorld, type Simulator } from './harness';

const API_KEY = 'eta-key';
const ZONE = 'Asia/Shanghai';

type Estimate = { estimated_completion_at: string | null; budget_days_needed: number | null };
type Status = Estimate & { status: string; counts: Record<string, number> };

/**
 * The estimates the API gives, checked against what then happens. The API, the worker and the
 * simulator share one injected clock, which the test moves across the tenant's local midnights;
 * promoting the dispatch queue's delayed jobs stands in for the real hours until the reset.
 */
describe('completion estimates against what happens', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;
  let offset = 0;
  const clock = { now: () => Date.now() + offset, realMs: (ms: number) => ms };
  /** local noon `days` after the first day, so calls never meet the midnight guard */
  const firstNoon = DateTime.now().setZone(ZONE).plus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
  const dayOf = (at: number | string) => DateTime.fromMillis(typeof at === 'string' ? Date.parse(at) : at, { zone: ZONE }).toISODate();
  const day = (n: number) => firstNoon.plus({ days: n }).toISODate();
  async function moveTo(n: number) {
    offset = firstNoon.plus({ days: n }).toMillis() - Date.now();
    // the worker's jobs waiting for the budget reset are due now
    await world.dispatchQueue.promoteJobs();
  }

  beforeEach(async () => {
    offset = firstNoon.toMillis() - Date.now();
    const started = await startSimulator({ now: clock.now, timezone: ZONE, taskDurationMs: 200 });
    sim = started.sim;
    world = testWorld('eta');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url, dailyLimit: 20, timezone: ZONE, maxCallsPerSecond: 50 }], {
      callers: [callerWithKey('cms', API_KEY, ['news'])],
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
    });
    api = await world.api(config, clock.now);
    await world.worker(config, clock);
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const auth = { authorization: `Bearer ${API_KEY}` };
  const post = async (assetIds: string[], priority: 'high' | 'normal' | 'low' = 'normal') => {
    const r = await fetch(`${api}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ asset_ids: assetIds, priority }),
    });
    expect(r.status).toBe(202);
    return (await r.json()) as Estimate & { request_id: string };
  };
  const status = (id: string) => fetch(`${api}/v1/refresh-requests/${id}`, { headers: auth }).then((r) => r.json() as Promise<Status>);
  const budget = () => fetch(`${api}/v1/tenants/news/budget`, { headers: auth }).then((r) => r.json() as Promise<Estimate & { pending: number }>);
  const sentPerDay = () => {
    const perDay: Record<string, number> = {};
    for (const c of sim.calls()) perDay[c.day] = (perDay[c.day] ?? 0) + c.items.length;
    return perDay;
  };
  const completedCount = async (id: string, n: number) => ((await status(id)).counts.completed === n ? true : undefined);
  const ids = (n: number, base: string) => Array.from({ length: n }, (_, i) => `${base}${i}`);

  it('when 50 items meet a daily limit of 20, then they are told 3 budget days, go out 20/20/10, and complete on the estimated day', async () => {
    const accepted = await post(ids(50, 'big'));
    expect(accepted.budget_days_needed).toBe(3);
    const estimatedDay = dayOf(accepted.estimated_completion_at!);
    expect(estimatedDay).toBe(day(2));
    const first = await status(accepted.request_id);
    expect(first).toMatchObject({ budget_days_needed: 3 });
    expect(dayOf(first.estimated_completion_at!)).toBe(day(2));

    // day 1: today's 20 go out and get VOD's verdict; the other 30 wait, still 3 budget days away
    await eventually(() => completedCount(accepted.request_id, 20), '20 completed on day 1');
    const waiting = await status(accepted.request_id);
    expect(waiting).toMatchObject({ status: 'in_progress', budget_days_needed: 3, counts: { deferred: 30 } });
    expect(dayOf(waiting.estimated_completion_at!)).toBe(day(2));

    // day 2: 20 more; the last 10 are told the next day
    await moveTo(1);
    const dayTwo = await status(accepted.request_id);
    expect(dayTwo.budget_days_needed).toBe(2);
    expect(dayOf(dayTwo.estimated_completion_at!)).toBe(day(2));
    await eventually(() => completedCount(accepted.request_id, 40), '40 completed by day 2');

    // day 3: the last 10, and the request completes on the day it was told when it was posted
    await moveTo(2);
    const done = await eventually(async () => {
      const s = await status(accepted.request_id);
      return s.status === 'completed' ? s : undefined;
    }, 'request completed');
    expect(dayOf(clock.now())).toBe(estimatedDay);
    expect(sentPerDay()).toEqual({ [day(0)!]: 20, [day(1)!]: 20, [day(2)!]: 10 });
    expect(done).toMatchObject({ counts: { completed: 50 }, estimated_completion_at: null, budget_days_needed: null });
  }, 60_000);

  it('when a high-priority request comes behind a large low-priority backlog, then it is told an earlier day than the backlog, and goes out first', async () => {
    const backlog = await post(ids(100, 'bulk'), 'low');
    expect(backlog.budget_days_needed).toBe(5);
    // day 1's budget goes to the backlog
    await eventually(() => completedCount(backlog.request_id, 20), "day 1's 20 completed");

    const urgent = await post(ids(5, 'urgent'), 'high');
    expect(urgent.budget_days_needed).toBe(2);
    expect(dayOf(urgent.estimated_completion_at!)).toBe(day(1));
    // once the urgent items are queued ahead of it, the backlog needs one more day: 85 items at 20 a day after today
    const behind = await eventually(async () => {
      const s = await status(backlog.request_id);
      return s.budget_days_needed === 6 ? s : undefined;
    }, 'the backlog pushed back');
    expect(dayOf(behind.estimated_completion_at!)).toBe(day(5));
    expect(Date.parse(urgent.estimated_completion_at!)).toBeLessThan(Date.parse(behind.estimated_completion_at!));
    // the budget endpoint's estimate is for the whole backlog: the same as the last request's
    const whole = await budget();
    expect(whole).toMatchObject({ pending: 85, budget_days_needed: 6, estimated_completion_at: behind.estimated_completion_at });

    await moveTo(1);
    await eventually(async () => ((await status(urgent.request_id)).status === 'completed' ? true : undefined), 'urgent completed');
    expect(dayOf(clock.now())).toBe(dayOf(urgent.estimated_completion_at!));
    // the urgent items went out in day 2's first call
    const dayTwoCalls = sim.calls().filter((c) => c.day === day(1));
    expect(dayTwoCalls[0]?.items.slice(0, 5).sort()).toEqual(ids(5, 'urgent').sort());
  }, 60_000);
});

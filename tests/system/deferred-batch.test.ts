import { DateTime } from 'luxon';
import { callerWithKey, PROJECT, eventually, startSimulator, testConfig, testWorld, type Simulator } from './harness';

const API_KEY = 'deferred-key';
const ZONE = 'Asia/Shanghai';

type Status = {
  status: string;
  counts: Record<string, number>;
  next_attempt_at?: string;
  estimated_completion_at: string | null;
  budget_days_needed: number | null;
};

/**
 * A batch claimed today that must wait for tomorrow's budget, as callers see it through the API.
 * Its items are not on the wire for those hours: they read `deferred`, like pending items while
 * the budget is spent, never `in_flight`. The API, the worker and the simulator share one
 * injected clock set to local noon; moving it a day on and promoting the dispatch queue's
 * delayed jobs stands in for the hours until the reset (as in completion-estimate.test.ts).
 */
describe('a claimed batch waiting for the next budget day', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;
  let offset = 0;
  const clock = { now: () => Date.now() + offset, realMs: (ms: number) => ms };
  const firstNoon = DateTime.now().setZone(ZONE).plus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
  const day = (n: number) => firstNoon.plus({ days: n }).toISODate()!;
  const dayOf = (at: string) => DateTime.fromMillis(Date.parse(at), { zone: ZONE }).toISODate();
  const firstReset = firstNoon.plus({ days: 1 }).startOf('day').toMillis();
  /** Sets the shared clock to `at` and makes the worker's delayed jobs (waits for the reset, retries) due now. */
  async function moveTo(at: number) {
    // a job that marked its batch deferred moves itself to delayed right after (defer-batch.lua,
    // then moveToDelayed): promote only once it has, or it would wait out the old day in real time
    await eventually(async () => (await world.dispatchQueue.getActiveCount()) === 0, 'no dispatch job between marking and waiting');
    offset = at - Date.now();
    await world.dispatchQueue.promoteJobs();
  }

  /** The simulator, the API and a worker on the shared clock, at the first day's noon. */
  async function start(upstream: { timeoutMs?: number; backoffBaseMs?: number; backoffMaxMs?: number } = {}) {
    offset = firstNoon.toMillis() - Date.now();
    const started = await startSimulator({ now: clock.now, timezone: ZONE, taskDurationMs: 200 });
    sim = started.sim;
    world = testWorld('deferred');
    const config = testConfig(
      world.prefix,
      [{ id: 'news', endpoint: started.url, dailyLimit: 20, timezone: ZONE, maxCallsPerSecond: 50, quotaErrorCodes: ['VOD.99001'] }],
      {
        callers: [callerWithKey('cms', API_KEY, ['news'])],
        upstream: {
          pollInitialDelayMs: 100, pollMaxDelayMs: 400, ...upstream,
        },
      },
    );
    api = await world.api(config, clock.now);
    await world.worker(config, clock);
  }
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const auth = { authorization: `Bearer ${API_KEY}` };
  const get = <T>(path: string, headers: Record<string, string> = auth) => fetch(`${api}${path}`, { headers }).then((r) => r.json() as Promise<T>);
  const post = async (assetIds: string[]) => {
    const r = await fetch(`${api}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ asset_ids: assetIds }),
    });
    expect(r.status).toBe(202);
    return ((await r.json()) as { request_id: string }).request_id;
  };
  const status = (id: string) => get<Status>(`/v1/refresh-requests/${id}`);
  const itemStates = async (id: string) => (await get<{ items: Array<{ state: string }> }>(`/v1/refresh-requests/${id}/items`)).items.map((i) => i.state);
  const vodStatuses = async (id: string) =>
    (await get<{ refresh_results: Array<{ status: string }> }>(`/v1/${PROJECT.projectId}/asset/refresh?task_id=${id}`, { 'x-auth-token': API_KEY }))
      .refresh_results.map((r) => r.status);
  const budget = () => get<{ used: number; remaining: number; pending: number }>('/v1/tenants/news/budget');
  const deferred = (id: string, n: number) => async () => {
    const s = await status(id);
    return s.counts.deferred === n ? s : undefined;
  };
  const completed = (id: string) => async () => {
    const s = await status(id);
    return s.status === 'completed' ? s : undefined;
  };
  const sentPerDay = () => {
    const perDay: Record<string, number> = {};
    for (const c of sim.calls()) perDay[c.day] = (perDay[c.day] ?? 0) + c.items.length;
    return perDay;
  };
  const ids = (n: number, base: string) => Array.from({ length: n }, (_, i) => `${base}${i}`);

  it('when a retry finds no budget left today, then its items read deferred everywhere a caller looks until the reset, and then go out', async () => {
    await start();
    // VOD's own 5xx for one of the two batches: the call may have reached VOD, so its retry
    // needs fresh budget, and the two claims took all of today's 20
    sim.script(PROJECT.projectId, 1, { status: 500, code: 'VOD.10051' });
    const id = await post(ids(20, 'clip'));

    const waiting = await eventually(deferred(id, 10), 'the failed batch waiting for the reset');
    expect(waiting).toMatchObject({ status: 'in_progress', counts: { pending: 0, deferred: 10, in_flight: 0 }, next_attempt_at: new Date(firstReset).toISOString() });
    // the other batch went out
    expect(waiting.counts.submitted! + waiting.counts.completed!).toBe(10);
    // its items still need a call and tomorrow's budget
    expect(waiting.budget_days_needed).toBe(2);
    expect(dayOf(waiting.estimated_completion_at!)).toBe(day(1));
    const states = await itemStates(id);
    expect(states.filter((s) => s === 'deferred')).toHaveLength(10);
    expect(states).not.toContain('in_flight');
    // VOD's own polling clients see no verdict yet
    const vod = await vodStatuses(id);
    expect(states.flatMap((s, i) => (s === 'deferred' ? [vod[i]] : []))).toEqual(Array(10).fill('PROCESSING'));
    // the budget: today's is spent, and nothing is pending
    expect(await budget()).toMatchObject({ used: 20, remaining: 0, pending: 0 });

    await moveTo(firstNoon.plus({ days: 1 }).toMillis());
    const done = await eventually(completed(id), 'request completed after the reset');
    expect(done.counts).toMatchObject({ deferred: 0, in_flight: 0, completed: 20 });
    expect(sentPerDay()).toEqual({ [day(0)]: 10, [day(1)]: 10 });
    // the waiting batch reserved its call on the day it was made
    expect(await budget()).toMatchObject({ used: 10 });
  }, 60_000);

  it("when VOD says today's quota is spent, then the batch's items read deferred alongside later pending ones, and all go after the reset", async () => {
    await start();
    sim.script(PROJECT.projectId, 1, { status: 400, code: 'VOD.99001', message: 'quota exhausted' });
    const first = await post(ids(10, 'first'));
    const waiting = await eventually(deferred(first, 10), 'the refused batch waiting for the reset');
    expect(waiting).toMatchObject({ counts: { pending: 0, deferred: 10, in_flight: 0, submitted: 0 }, next_attempt_at: new Date(firstReset).toISOString() });
    expect(await itemStates(first)).toEqual(Array(10).fill('deferred'));

    // a later request waits in the queue for the same reset, and reads the same
    const second = await post(ids(5, 'second'));
    expect(await eventually(deferred(second, 5), 'later items deferred')).toMatchObject({ counts: { pending: 0, in_flight: 0 } });
    expect(await budget()).toMatchObject({ remaining: 0, pending: 5 });
    expect(sim.calls()).toHaveLength(0);

    await moveTo(firstNoon.plus({ days: 1 }).toMillis());
    await eventually(completed(first), 'first completed');
    await eventually(completed(second), 'second completed');
    expect(sentPerDay()).toEqual({ [day(1)]: 15 });
  }, 60_000);

  it('when a retry comes due in the seconds before midnight, then its batch reads deferred, not in flight, until the reset', async () => {
    // a midnight guard of 30 s (connect + call timeouts + 2 s), and retries that wait at least a
    // minute, so this test moves the clock, not the backoff
    await start({ timeoutMs: 27_500, backoffBaseMs: 120_000, backoffMaxMs: 240_000 });
    sim.script(PROJECT.projectId, 1, { status: 500, code: 'VOD.10051' });
    const id = await post(ids(10, 'late'));
    await eventually(async () => (await world.dispatchQueue.getDelayed()).length === 1 || undefined, 'the retry scheduled');
    expect((await status(id)).counts).toMatchObject({ in_flight: 10, deferred: 0 });

    // the retry comes due 10 s before the reset: it waits for it, with its batch
    await moveTo(firstReset - 10_000);
    const waiting = await eventually(deferred(id, 10), 'the retry waiting for the reset');
    expect(waiting).toMatchObject({ counts: { pending: 0, deferred: 10, in_flight: 0 }, next_attempt_at: new Date(firstReset).toISOString() });
    expect(await itemStates(id)).toEqual(Array(10).fill('deferred'));

    await moveTo(firstReset + 1_000);
    const done = await eventually(completed(id), 'request completed after the reset');
    expect(done.counts).toMatchObject({ deferred: 0, in_flight: 0, completed: 10 });
    expect(sentPerDay()).toEqual({ [day(1)]: 10 });
  }, 60_000);
});

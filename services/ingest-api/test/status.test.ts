import { budgetDay } from '@refresh/core';
import { createDispatchStore } from '@refresh/store';
import { KEYS, getJson, postJson, startTestApi, type TestApi } from './helpers';

// a fixed clock: 2030-03-10 12:00 in Shanghai, so the budget day is known
const NOW = Date.parse('2030-03-10T04:00:00Z');

describe('reading requests and budgets', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({}, () => NOW);
  });
  afterAll(async () => {
    await t.close();
  });

  async function accepted(body: unknown): Promise<string> {
    const res = await postJson(t, 'news', body);
    expect(res.status).toBe(202);
    return ((await res.json()) as { request_id: string }).request_id;
  }

  it('when a request was just accepted, then its status is accepted and everything received is pending', async () => {
    const id = await accepted({ asset_ids: ['s1', 's2', 's1'], urls: ['https://cdn.example.com/a.mp4'] });
    const { status, body } = await getJson(t, `/v1/refresh-requests/${id}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      request_id: id,
      tenant: 'news',
      priority: 'normal',
      created_at: new Date(NOW).toISOString(),
      status: 'accepted',
      counts: { pending: 4, deferred: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0, canceled: 0 },
      task_ids: [],
      received: 4,
      // no worker here: nothing is coalesced yet, which `ingested` tells apart from "queued"
      ingested: 0,
      // 4 items with the whole budget left: one call, the linger (1 s) and the first poll (5 s)
      estimated_completion_at: new Date(NOW + 200 + 6000).toISOString(),
      budget_days_needed: 1,
    });
  });

  it('when a request is read of a tenant the caller may not use, of an unknown tenant, or unknown in its own, then the answers are the same, word for word', async () => {
    const theirs = await accepted({ asset_ids: ['e1'] });
    const answers = await Promise.all([
      getJson(t, `/v1/refresh-requests/${theirs}`, KEYS.sportsDesk),
      getJson(t, `/v1/refresh-requests/nosuchtenant.${'0'.repeat(16)}`, KEYS.sportsDesk),
      getJson(t, `/v1/refresh-requests/sports.${'0'.repeat(16)}`, KEYS.sportsDesk),
      getJson(t, '/v1/refresh-requests/not-an-id', KEYS.sportsDesk),
    ]);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]).toEqual({ status: 404, body: { error_code: 'RFS.0006', error_msg: 'unknown request' } });
  });

  it("when another caller reads a request, then 404 as if it did not exist", async () => {
    const id = await accepted({ asset_ids: ['p1'] });
    const res = await getJson(t, `/v1/refresh-requests/${id}`, KEYS.sportsDesk);
    expect(res).toEqual({ status: 404, body: { error_code: 'RFS.0006', error_msg: expect.any(String) } });
    const unknown = await getJson(t, `/v1/refresh-requests/news.${'0'.repeat(24)}`);
    expect(unknown.status).toBe(404);
    expect((await getJson(t, '/v1/refresh-requests/not-an-id')).status).toBe(404);
  });

  it('when the budget is read, then it has the limit, what is used and left, and the next local midnight', async () => {
    const { status, body } = await getJson(t, '/v1/tenants/news/budget');
    expect(status).toBe(200);
    expect(body).toEqual({
      daily_limit: 50,
      used: 0,
      remaining: 50,
      resets_at: '2030-03-10T16:00:00.000Z',
      pending: 0,
      scheduled: { requests: 0, items: 0, next_at: null },
      spent_by_caller: {},
      unattributed: 0,
      // 5% of 50, which normal and low items may not spend until an hour before the reset
      reserve: { high: 2, releases_at: '2030-03-10T15:00:00.000Z', held_back: 2 },
      paused: null,
      estimated_completion_at: null,
      budget_days_needed: null,
    });
    expect((await getJson(t, '/v1/tenants/news/budget', KEYS.sportsDesk)).status).toBe(404);
    expect((await getJson(t, '/v1/tenants/weather/budget')).status).toBe(404);
  });

  it("when today's budget is spent, then pending items show as deferred until the budget resets", async () => {
    const id = await accepted({ asset_ids: ['d1', 'd2'] });
    const day = budgetDay(NOW, 'Asia/Shanghai');
    await t.redis.set(t.keys('news').budget(day.dayId), 50);
    try {
      const budget = await getJson(t, '/v1/tenants/news/budget');
      expect(budget.body).toMatchObject({ used: 50, remaining: 0, resets_at: new Date(day.resetsAt).toISOString() });

      const { body } = await getJson(t, `/v1/refresh-requests/${id}`);
      expect(body).toMatchObject({
        status: 'accepted',
        counts: { pending: 0, deferred: 2, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0, canceled: 0 },
        next_attempt_at: '2030-03-10T16:00:00.000Z',
      });
    } finally {
      await t.redis.del(t.keys('news').budget(day.dayId));
    }
  });

  it('when only the urgent reserve is left, then normal items show as deferred until its release, and high ones as pending', async () => {
    const normal = await accepted({ asset_ids: ['r1'] });
    const high = await accepted({ asset_ids: ['r2'], priority: 'high' });
    const day = budgetDay(NOW, 'Asia/Shanghai');
    // 48 of 50 used: what is left is the reserve (2), released from 23:00 local
    await t.redis.set(t.keys('news').budget(day.dayId), 48);
    try {
      const budget = await getJson(t, '/v1/tenants/news/budget');
      expect(budget.body).toMatchObject({ used: 48, remaining: 2, reserve: { high: 2, releases_at: '2030-03-10T15:00:00.000Z', held_back: 2 } });

      const n = await getJson(t, `/v1/refresh-requests/${normal}`);
      // the release frees the 2 units one at a time over the last hour: the first just after 15:00
      expect(n.body).toMatchObject({ counts: { pending: 0, deferred: 1 }, next_attempt_at: '2030-03-10T15:00:00.001Z', budget_days_needed: 1 });
      // its estimate counts on the release, not on now
      expect(Date.parse((n.body as { estimated_completion_at: string }).estimated_completion_at)).toBeGreaterThanOrEqual(Date.parse('2030-03-10T15:00:00.000Z'));

      const h = await getJson(t, `/v1/refresh-requests/${high}`);
      expect(h.body).toMatchObject({ counts: { pending: 1, deferred: 0 } });
      expect(h.body).not.toHaveProperty('next_attempt_at');
      expect(Date.parse((h.body as { estimated_completion_at: string }).estimated_completion_at)).toBeLessThan(Date.parse('2030-03-10T15:00:00.000Z'));
    } finally {
      await t.redis.del(t.keys('news').budget(day.dayId));
    }
  });

  it('when the items of a fresh request are listed, then the page is empty until workers coalesce it', async () => {
    const id = await accepted({ asset_ids: ['i1'] });
    const { status, body } = await getJson(t, `/v1/refresh-requests/${id}/items?limit=10`);
    expect(status).toBe(200);
    expect(body).toEqual({ items: [], next_cursor: null });
  });

  it.each(['limit=0', 'limit=1001', 'limit=abc', 'cursor=-1', 'cursor=x', 'limit=5&limit=6', 'page=2'])(
    'when the items query has %s, then 400',
    async (query) => {
      const id = await accepted({ asset_ids: ['q1'] });
      const { status, body } = await getJson(t, `/v1/refresh-requests/${id}/items?${query}`);
      expect(status).toBe(400);
      expect(body.error_code).toBe('RFS.0001');
    },
  );

  it('when a worker has coalesced part of a request, then it is in progress, the rest counts as pending, and items page on', async () => {
    const id = await accepted({ asset_ids: ['c1', 'c2', 'c1', 'c3'], priority: 'low' });
    // the worker's own store call, as the refresh-worker makes it
    const dispatch = createDispatchStore(t.redis, t.prefix);
    const firstTwo = await dispatch.readStage('news', id, 0, 2);
    await dispatch.coalesce('news', id, 'low', 0, firstTwo.length, firstTwo, NOW);

    const { body } = await getJson(t, `/v1/refresh-requests/${id}`);
    expect(body).toMatchObject({ status: 'in_progress', counts: { pending: 4, deferred: 0, in_flight: 0 }, received: 4 });

    const page1 = await getJson(t, `/v1/refresh-requests/${id}/items?limit=1`);
    expect(page1.body).toEqual({ items: [{ kind: 'asset_id', value: 'c1', state: 'pending' }], next_cursor: '1' });
    const page2 = await getJson(t, `/v1/refresh-requests/${id}/items?limit=1&cursor=1`);
    expect(page2.body).toEqual({ items: [{ kind: 'asset_id', value: 'c2', state: 'pending' }], next_cursor: '2' });

    const day = budgetDay(NOW, 'Asia/Shanghai');
    await t.redis.set(t.keys('news').budget(day.dayId), 50);
    try {
      const deferred = await getJson(t, `/v1/refresh-requests/${id}/items`);
      expect(deferred.body).toEqual({
        items: [
          { kind: 'asset_id', value: 'c1', state: 'deferred' },
          { kind: 'asset_id', value: 'c2', state: 'deferred' },
        ],
        next_cursor: null,
      });
    } finally {
      await t.redis.del(t.keys('news').budget(day.dayId));
    }
  });
});

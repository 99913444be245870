import { createHash } from 'node:crypto';
import { budgetDay } from '@refresh/core';
import { createRedis } from '@refresh/store';
import pino from 'pino';
import { createApi, type Api } from '../src';
import { KEYS, REDIS_TARGET, bearer, expectError, getJson, postJson, postText, startTestApi, waitReady, type TestApi } from './helpers';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const T0 = Date.parse('2030-03-10T04:00:00Z');
const auth = { type: 'aksk', accessKey: 'AK', secretKey: 'SK' };

/** cms may make 1 request a second with a burst of 2; sports-desk has the defaults. */
const slowCms = {
  callers: [
    { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'], maxRequestsPerSecond: 1, burst: 2 },
    { id: 'sports-desk', apiKeySha256: sha(KEYS.sportsDesk), tenants: ['sports'] },
  ],
};

async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function metricsText(t: TestApi): Promise<string> {
  return (await fetch(`${t.url}/metrics`)).text();
}

/** A second API replica on the same Redis, prefix and config as `t`. */
async function startReplica(t: TestApi, now: () => number): Promise<{ url: string; close(): Promise<void> }> {
  const redis = createRedis(REDIS_TARGET, 'api', () => undefined);
  await waitReady(redis);
  const api: Api = createApi({ config: t.config, redis, queues: { ingest: t.queue }, logger: pino({ level: 'silent' }), now });
  const { url } = await api.start(0, '127.0.0.1');
  return {
    url,
    async close() {
      await api.stop();
      await redis.quit();
    },
  };
}

describe("a caller's request rate", () => {
  let clock = T0;
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi(slowCms, () => clock);
  });
  afterAll(async () => {
    await t.close();
  });

  it('when cms goes over its rate, then it gets 429 naming its limit with Retry-After, sports-desk is not affected, and after Retry-After cms is let in again', async () => {
    clock = T0;
    expect((await postJson(t, 'news', { asset_ids: ['a1'] })).status).toBe(202);
    expect((await getJson(t, '/v1/tenants/news/budget')).status).toBe(200);

    const refused = await postJson(t, 'news', { asset_ids: ['a2'] });
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = await expectError(refused, 429, 'RFS.0011');
    expect(body.error_msg).toBe('caller cms exceeded 1 requests/s (burst 2)');
    expect(body.details).toEqual({ limit: 'caller_rate', caller: 'cms', max_requests_per_second: 1, burst: 2, retry_after_seconds: 1 });
    // reads count as well: one rate per caller for everything it asks
    expect((await getJson(t, '/v1/tenants/news/budget')).status).toBe(429);
    // the refused request left nothing behind: one job, the first request's
    expect(await t.jobCount()).toBe(1);

    expect((await getJson(t, '/v1/tenants/sports/budget', KEYS.sportsDesk)).status).toBe(200);

    clock += 1000;
    expect((await postJson(t, 'news', { asset_ids: ['a2'] })).status).toBe(202);
    // counted under the caller, with no tenant: the rate is the caller's whatever tenant it asks about
    expect(await metricsText(t)).toMatch(/^refresh_api_rejections_total\{limit="caller_rate",caller="cms"\} 2$/m);
  });

  it('when a request has no valid key, then it is refused as 401 and takes nothing from any rate', async () => {
    clock = T0 + 60_000;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.url}/v1/tenants/news/budget`, { headers: bearer('not-a-key') });
      expect(res.status).toBe(401);
    }
    expect((await getJson(t, '/v1/tenants/news/budget')).status).toBe(200);
  });

  it('when two API replicas serve the same caller, then the rate holds for both together', async () => {
    clock = T0 + 120_000;
    const replica = await startReplica(t, () => clock);
    try {
      const budget = (url: string, key: string = KEYS.cms) => fetch(`${url}/v1/tenants/news/budget`, { headers: bearer(key) });
      expect((await budget(t.url)).status).toBe(200);
      expect((await budget(replica.url)).status).toBe(200);
      // the burst of 2 is spent across both replicas
      await expectError(await budget(t.url), 429, 'RFS.0011');
      await expectError(await budget(replica.url), 429, 'RFS.0011');
      const sports = await fetch(`${replica.url}/v1/tenants/sports/budget`, { headers: bearer(KEYS.sportsDesk) });
      expect(sports.status).toBe(200);
      clock += 1000;
      expect((await budget(replica.url)).status).toBe(200);
    } finally {
      await replica.close();
    }
  });
});

describe("a caller's request rate on the real clock", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ ...slowCms, callers: [{ ...slowCms.callers[0], maxRequestsPerSecond: 2, burst: 1 }, slowCms.callers[1]] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when cms is refused, then a retry after Retry-After gets through', async () => {
    // asks until the one slot is taken and a request is refused; a refusal takes nothing
    const refused = await eventually(async () => {
      const res = await fetch(`${t.url}/v1/tenants/news/budget`, { headers: bearer(KEYS.cms) });
      return res.status === 429 ? res : undefined;
    }, 'a refusal');
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, wait * 1000));
    await eventually(async () => ((await postJson(t, 'news', { asset_ids: ['late'] })).status === 202 ? true : undefined), 'acceptance after Retry-After');
  });
});

describe("a tenant's backlog cap", () => {
  let clock = T0;
  let t: TestApi;
  const tenants = [
    { id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', dailyLimit: 50, timezone: 'Asia/Shanghai', auth, maxBacklogItems: 10 },
    { id: 'sports', projectId: 'p2', endpoint: 'http://127.0.0.1:9', auth },
  ];
  beforeAll(async () => {
    t = await startTestApi({ tenants }, () => clock);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    clock = T0;
    const k = t.keys('news');
    await t.redis.del(k.staged, k.pending, k.pendingDigests, k.pendingCollisions, k.budget(budgetDay(T0, 'Asia/Shanghai').dayId));
    await t.queue.obliterate({ force: true });
  });
  const stageKeys = async () => (await t.storeKeys()).filter((k) => k.endsWith(':stage'));

  it('when requests fit under the cap, then they are accepted; when the next would pass it, then JSON and text/plain get 429 naming the tenant limit and nothing of theirs is queued or staged', async () => {
    expect((await postJson(t, 'news', { asset_ids: ['a1', 'a2', 'a3'], urls: ['https://cdn.example.com/1.m3u8', 'https://cdn.example.com/2.m3u8', 'https://cdn.example.com/3.m3u8'] })).status).toBe(202);
    const staged = await stageKeys();
    expect(staged).toHaveLength(1);

    const json = await postJson(t, 'news', { asset_ids: ['b1', 'b2', 'b3', 'b4', 'b5'] }, { 'idempotency-key': 'k-over-cap' });
    expect(json.headers.get('retry-after')).toBe('60');
    const body = await expectError(json, 429, 'RFS.0011');
    expect(body.error_msg).toBe("tenant news backlog of 6 items plus this request's 5 would exceed its cap of 10");
    expect(body.details).toEqual({ limit: 'tenant_backlog', tenant: 'news', backlog_items: 6, max_backlog_items: 10, incoming_items: 5, retry_after_seconds: 60 });

    const text = await postText(t, 'news', 'c1\nc2\nhttps://cdn.example.com/c3.m3u8\nc4\nc5\n');
    const textBody = await expectError(text, 429, 'RFS.0011');
    expect(textBody.error_msg).toBe("tenant news backlog of 6 items plus this request's 5 would exceed its cap of 10");

    expect(await t.jobCount()).toBe(1);
    expect(await stageKeys()).toEqual(staged);
    // the refused request's Idempotency-Key is free again: the same key with a smaller body is accepted
    const fits = await postJson(t, 'news', { asset_ids: ['b1', 'b2', 'b3', 'b4'] }, { 'idempotency-key': 'k-over-cap' });
    expect(fits.status).toBe(202);
    expect(await t.jobCount()).toBe(2);
    expect(await metricsText(t)).toMatch(/^refresh_api_rejections_total\{limit="tenant_backlog",caller="cms",tenant="news"\} 2$/m);
  });

  it('when the backlog is at its cap, then a streamed upload is refused before its body ends', async () => {
    await t.redis.set(t.keys('news').staged, 10);
    const before = await stageKeys();
    let cancelled = false;
    // a body that never ends: only an answer given before reading it can arrive
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from('https://cdn.example.com/1.m3u8\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer(KEYS.cms) },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(res.headers.get('connection')).toBe('close');
    const body = await expectError(res, 429, 'RFS.0011');
    expect(body.error_msg).toBe('tenant news backlog of 10 items is at its cap of 10');
    expect(body.details).toEqual({ limit: 'tenant_backlog', tenant: 'news', backlog_items: 10, max_backlog_items: 10, retry_after_seconds: 60 });
    expect(await stageKeys()).toEqual(before);
    expect(await t.jobCount()).toBe(0);
    if (!cancelled) await endless.cancel().catch(() => undefined);
  });

  it('when the backlog is full, then the drop-in endpoint is refused the same way, since both endpoints share one accept path', async () => {
    await t.redis.set(t.keys('news').staged, 10);
    const res = await fetch(`${t.url}/v1/p1/asset/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': KEYS.cms },
      body: JSON.stringify({ asset_id_list: ['a1'] }),
    });
    expect(res.headers.get('retry-after')).toBe('60');
    const body = await expectError(res, 429, 'RFS.0011');
    expect(body.error_msg).toBe('tenant news backlog of 10 items is at its cap of 10');
    expect(await t.jobCount()).toBe(0);
  });

  it("when the tenant's budget for today is spent, then Retry-After of a full backlog is the time until the budget resets", async () => {
    const day = budgetDay(T0, 'Asia/Shanghai');
    await t.redis.set(t.keys('news').budget(day.dayId), 50);
    await t.redis.set(t.keys('news').staged, 10);
    const res = await postJson(t, 'news', { asset_ids: ['a1'] });
    const expected = Math.ceil((day.resetsAt - T0) / 1000);
    expect(res.headers.get('retry-after')).toBe(String(expected));
    expect((await expectError(res, 429, 'RFS.0011')).details).toMatchObject({ limit: 'tenant_backlog', retry_after_seconds: expected });
  });

  it('when one request alone is larger than the cap, then 413 says to split it, since no wait would help', async () => {
    const before = await stageKeys();
    const res = await postJson(t, 'news', { asset_ids: Array.from({ length: 11 }, (_, i) => `big${i}`) });
    const body = await expectError(res, 413, 'RFS.0003');
    expect(body.error_msg).toBe("a request of 11 items is larger than tenant news's backlog cap of 10 items; split it");
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await stageKeys()).toEqual(before);
  });

  it('when another tenant is at its cap, then this one is not affected', async () => {
    await t.redis.set(t.keys('news').staged, 10);
    const res = await fetch(`${t.url}/v1/tenants/sports/refresh-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.sportsDesk) },
      body: JSON.stringify({ asset_ids: ['s1'] }),
    });
    expect(res.status).toBe(202);
  });
});

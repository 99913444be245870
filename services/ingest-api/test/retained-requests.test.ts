import { createHash } from 'node:crypto';
import pino from 'pino';
import { createApi } from '../src';
import { KEYS, bearer, expectError, postJson, postText, startTestApi, type TestApi } from './helpers';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const DAY_MS = 86_400_000;

/**
 * Each request's status is kept statusTtlDays: without a bound, one caller's request rate alone
 * decides how much Redis holds. maxRetainedRequests bounds it per caller, on every replica.
 */
describe("a caller's retained requests", () => {
  let t: TestApi;
  let now = Date.parse('2030-03-10T04:00:00Z');
  beforeAll(async () => {
    t = await startTestApi(
      {
        statusTtlDays: 1,
        callers: [
          { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'], maxRetainedRequests: 3 },
          { id: 'sports-desk', apiKeySha256: sha(KEYS.sportsDesk), tenants: ['sports'] },
        ],
      },
      () => now,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('when a caller has its limit of requests kept, then the next gets 429 caller_requests, on any replica, and another caller goes on', async () => {
    const other = createApi({ config: t.config, redis: t.redis, queues: { ingest: t.queue }, logger: pino({ level: 'silent' }), now: () => now });
    const { url } = await other.start(0, '127.0.0.1');
    try {
      expect((await postJson(t, 'news', { asset_ids: ['r1'] }, { 'idempotency-key': 'first' })).status).toBe(202);
      // refused requests keep nothing, so they take no place
      expect((await postJson(t, 'news', { asset_ids: ['bad id'] })).status).toBe(400);
      expect((await postText(t, 'news', 'r2\n')).status).toBe(202);
      // a replay of an earlier request makes no new one, so it takes no place either
      expect((await postJson(t, 'news', { asset_ids: ['r1'] }, { 'idempotency-key': 'first' })).status).toBe(202);
      const third = await fetch(`${url}/v1/tenants/news/refresh-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(KEYS.cms) },
        body: JSON.stringify({ asset_ids: ['r3'] }),
      });
      expect(third.status).toBe(202);

      const body = await expectError(await postJson(t, 'news', { asset_ids: ['r4'] }), 429, 'RFS.0011');
      expect(body.details).toMatchObject({ limit: 'caller_requests', caller: 'cms', max_retained_requests: 3, retention_days: 1 });
      expect((await postText(t, 'news', 'r5\n')).status).toBe(429);
      expect((await postJson(t, 'sports', { asset_ids: ['s1'] }, bearer(KEYS.sportsDesk))).status).toBe(202);
      expect(await (await fetch(`${t.url}/metrics`)).text()).toContain('refresh_api_rejections_total{limit="caller_requests",caller="cms"} 2');
    } finally {
      await other.stop();
    }
  });

  it('when the retention of the kept requests has passed, then the caller may submit again', async () => {
    now += DAY_MS + 1000;
    expect((await postJson(t, 'news', { asset_ids: ['r6'] })).status).toBe(202);
  });
});

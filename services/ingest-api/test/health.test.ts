import { expectError, postJson, postText, startTestApi, testConfig, type TestApi } from './helpers';
import { startApiWithoutRedis } from './unreachable-redis';

describe('health, readiness and metrics', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  it('when probed, then /healthz and /readyz answer 200 without a key', async () => {
    const expected = { '/healthz': { status: 'ok' }, '/readyz': { status: 'ok', details: { paused_tenants: [] } } };
    for (const [path, body] of Object.entries(expected)) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(body);
    }
  });

  it('when requests were served, then /metrics shows them by route and status, and items by tenant and kind', async () => {
    expect((await postJson(t, 'news', { asset_ids: ['m1', 'm2'], urls: ['https://cdn.example.com/m.mp4'] })).status).toBe(202);
    expect((await postText(t, 'news', 'm3\n')).status).toBe(202);
    await fetch(`${t.url}/no/such/route`);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('refresh_api_items_received_total{tenant="news",kind="asset_id"} 3');
    expect(text).toContain('refresh_api_items_received_total{tenant="news",kind="url"} 1');
    expect(text).toContain('refresh_api_requests_total{route="ingest",status="202"} 2');
    expect(text).toContain('refresh_api_requests_total{route="unmatched",status="404"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('m1');
  });

  it('when a route does not exist, then 404 in the VOD error shape', async () => {
    await expectError(await fetch(`${t.url}/v2/anything`, { method: 'DELETE' }), 404, 'RFS.0006');
  });
});

describe('when Redis cannot be reached', () => {
  it('then /readyz and the ingest route answer 503, and /healthz still 200', async () => {
    const down = await startApiWithoutRedis(testConfig(`test-api-down-${process.pid}`));
    try {
      expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
      await expectError(await fetch(`${down.url}/readyz`), 503, 'RFS.0008');
      const t = { url: down.url } as TestApi;
      await expectError(await postJson(t, 'news', { asset_ids: ['a1'] }), 503, 'RFS.0008');
    } finally {
      await down.close();
    }
  });
});

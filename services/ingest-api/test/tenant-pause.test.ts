import { createTenantGate, type TenantGate } from '@refresh/store';
import { getJson, startTestApi, type TestApi } from './helpers';

// a fixed clock: 2030-03-10 12:00 in Shanghai
const NOW = Date.parse('2030-03-10T04:00:00Z');

/** What callers and probes see of a tenant the worker paused or VOD throttled. */
describe('a paused or throttled tenant', () => {
  let t: TestApi;
  let gate: TenantGate;
  beforeAll(async () => {
    t = await startTestApi({}, () => NOW);
    gate = createTenantGate(t.redis, t.prefix);
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(async () => {
    await t.redis.del(t.keys('news').pause, t.keys('news').throttle);
  });

  it('when VOD refused its credentials, then the budget shows the pause with its code, since and next probe', async () => {
    await gate.pause('news', {
      reason: 'credentials', code: 'APIGW.0301', message: 'Incorrect IAM authentication information',
      since: NOW - 60_000, probeAt: NOW + 840_000,
    });
    const { status, body } = await getJson(t, '/v1/tenants/news/budget');
    expect(status).toBe(200);
    expect(body).toMatchObject({ daily_limit: 50, used: 0, remaining: 50 });
    expect(body.paused).toEqual({
      reason: 'credentials',
      code: 'APIGW.0301',
      message: 'Incorrect IAM authentication information',
      since: '2030-03-10T03:59:00.000Z',
      probe_at: '2030-03-10T04:14:00.000Z',
    });
    expect(body).not.toHaveProperty('throttled_until');
  });

  it('when paused, then /readyz stays 200 and names the tenant, its reason and since', async () => {
    await gate.pause('news', { reason: 'account', code: 'VOD.10055', message: 'account in arrears', since: NOW, probeAt: NOW + 900_000 });
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      details: { paused_tenants: [{ tenant: 'news', reason: 'account', since: '2030-03-10T04:00:00.000Z' }] },
    });
  });

  it('when VOD throttled it, then the budget shows until when, and no pause', async () => {
    await gate.throttle('news', NOW + 30_000);
    const { body } = await getJson(t, '/v1/tenants/news/budget');
    expect(body.paused).toBeNull();
    expect(body.throttled_until).toBe('2030-03-10T04:00:30.000Z');
  });

  it('when the throttle has passed, then throttled_until is absent', async () => {
    await gate.throttle('news', NOW - 1);
    const { body } = await getJson(t, '/v1/tenants/news/budget');
    expect(body).not.toHaveProperty('throttled_until');
  });
});

import { createHash } from 'node:crypto';
import { ROUTE_NAMES } from '../src/ops/metrics';
import { KEYS, bearer, getJson, postJson, postText, startTestApi, type TestApi } from './helpers';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const T0 = Date.parse('2030-03-10T04:00:00Z');
const auth = { type: 'aksk', accessKey: 'AK', secretKey: 'SK' };

interface Sample {
  name: string;
  labels: Record<string, string>;
}

/** The samples of a Prometheus text exposition, with their labels. */
function samples(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m?.[1]) return [];
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    return [{ name: m[1], labels }];
  });
}

/**
 * The API's /metrics after traffic that touches every label: accepted requests, both kinds of
 * 429, refusals of keys, tenants and paths. Every label value is one of a bounded set; nothing a
 * request carries (a key, an item, a path, a tenant it names) becomes a label.
 */
describe('the API metrics labels', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi(
      {
        tenants: [
          { id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', dailyLimit: 50, timezone: 'Asia/Shanghai', auth, maxBacklogItems: 3 },
          { id: 'sports', projectId: 'p2', endpoint: 'http://127.0.0.1:9', auth },
        ],
        // the clock stands still: cms has 6 requests, then every one is refused for its rate
        callers: [
          { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'], maxRequestsPerSecond: 1, burst: 6 },
          { id: 'sports-desk', apiKeySha256: sha(KEYS.sportsDesk), tenants: ['sports'] },
        ],
      },
      () => T0,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('when scraped after traffic, then every label value comes from a bounded set, never a key, an item, a path or a request id', async () => {
    const accepted = await postJson(t, 'news', { asset_ids: ['secret-asset-1', 'secret-asset-2'], urls: ['https://cdn.example.com/secret-path/1.m3u8'] });
    expect(accepted.status).toBe(202);
    const { request_id: requestId } = (await accepted.json()) as { request_id: string };
    // news's backlog of 3 is full now: both endpoints are refused for it
    expect((await postJson(t, 'news', { asset_ids: ['secret-asset-3'] })).status).toBe(429);
    const dropIn = await fetch(`${t.url}/v1/p1/asset/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': KEYS.cms },
      body: JSON.stringify({ asset_id_list: ['secret-asset-4'] }),
    });
    expect(dropIn.status).toBe(429);
    expect((await getJson(t, `/v1/refresh-requests/${requestId}`)).status).toBe(200);
    expect((await getJson(t, '/v1/tenants/no-such-tenant/budget')).status).toBe(404);
    expect((await getJson(t, '/v1/tenants/sports/budget')).status).toBe(404);
    // cms's 6 requests are spent: refused for its rate, whatever tenant the path names
    expect((await getJson(t, '/v1/tenants/evil-tenant-name/budget')).status).toBe(429);
    expect((await fetch(`${t.url}/v1/tenants/news/budget`, { headers: bearer('leaked-key-value') })).status).toBe(401);
    expect((await fetch(`${t.url}/no/such/secret-route`)).status).toBe(404);
    const text = await postText(t, 'sports', 'secret-asset-5\nhttps://cdn.example.com/secret-path/2.m3u8\n', '', bearer(KEYS.sportsDesk));
    expect(text.status).toBe(202);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    for (const leak of [KEYS.cms, KEYS.sportsDesk, 'leaked-key-value', 'secret-asset', 'secret-path', 'secret-route', 'cdn.example.com', 'no-such-tenant', 'evil-tenant-name', requestId]) {
      expect({ leak, found: metrics.includes(leak) }).toEqual({ leak, found: false });
    }

    const ours = samples(metrics).filter((s) => s.name.startsWith('refresh_'));
    // the refusals are named by caller, and a full backlog by its tenant as well
    expect(ours.filter((s) => s.name === 'refresh_api_rejections_total').map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        { limit: 'tenant_backlog', caller: 'cms', tenant: 'news' },
        { limit: 'caller_rate', caller: 'cms' },
      ]),
    );
    const allowed: Record<string, (v: string) => boolean> = {
      route: (v) => (ROUTE_NAMES as readonly string[]).includes(v),
      status: (v) => /^[1-5]\d\d$/.test(v),
      tenant: (v) => t.config.tenants.some((x) => x.id === v),
      caller: (v) => t.config.callers.some((x) => x.id === v),
      kind: (v) => ['asset_id', 'url'].includes(v),
      limit: (v) => ['caller_rate', 'caller_uploads', 'tenant_backlog'].includes(v),
    };
    for (const s of ours) {
      for (const [label, v] of Object.entries(s.labels)) {
        if (label === 'le') continue; // histogram buckets
        expect({ metric: s.name, label, value: v, known: allowed[label]?.(v) ?? false }).toEqual({ metric: s.name, label, value: v, known: true });
      }
    }
  });
});

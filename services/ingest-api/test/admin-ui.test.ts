import { createHash } from 'node:crypto';
import { startTestApi, type TestApi } from './helpers';

const ADMIN_KEY = 'admin-key-for-tests';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('queue UI at /admin/queues', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ admin: { apiKeySha256: sha(ADMIN_KEY) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when no key or a wrong key is presented, then 401 with a Basic challenge so a browser asks', async () => {
    for (const authorization of [undefined, 'Bearer wrong', basic('ops', 'wrong'), 'Bearer cms-key-1']) {
      const res = await fetch(`${t.url}/admin/queues`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(((await res.json()) as { error_code: string }).error_code).toBe('RFS.0004');
    }
  });

  it('when the admin key comes as Bearer or as the Basic password, then the bull-board page is served', async () => {
    for (const authorization of [`Bearer ${ADMIN_KEY}`, basic('ops', ADMIN_KEY), basic('', ADMIN_KEY)]) {
      const res = await fetch(`${t.url}/admin/queues`, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toContain('<title>VOD refresh</title>');
      expect(html).toContain('<base href="/admin/queues/" />');
      // the page itself only names its title; its script is bull-board's, and behind the key too
      const script = /src="(static\/js\/main\.[0-9a-f]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${t.url}/admin/queues/${script}`)).status).toBe(401);
      const js = await fetch(`${t.url}/admin/queues/${script}`, { headers: { authorization } });
      expect(js.status).toBe(200);
      expect(await js.text()).toContain('bull-board');
    }
  });

  it('when the board lists queues, then it shows ingest and dispatch', async () => {
    const res = await fetch(`${t.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['dispatch', 'ingest']);
  });

  it('when its requests are counted, then they fall under route="admin"', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/refresh_api_requests_total\{route="admin",status="401"\} \d+/);
    expect(text).toMatch(/refresh_api_requests_total\{route="admin",status="200"\} \d+/);
  });
});

describe('when the config has no admin key', () => {
  it('then the queue UI is not served at all: 404 even with a key', async () => {
    const t = await startTestApi();
    try {
      for (const authorization of [`Bearer ${ADMIN_KEY}`, 'Bearer cms-key-1']) {
        const res = await fetch(`${t.url}/admin/queues`, { headers: { authorization } });
        expect(res.status).toBe(404);
      }
    } finally {
      await t.close();
    }
  });
});

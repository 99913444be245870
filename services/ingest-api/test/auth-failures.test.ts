import { request } from 'node:http';
import pino from 'pino';
import { createApi } from '../src';
import { KEYS, startTestApi, type TestApi } from './helpers';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { error_code?: string; details?: Record<string, unknown> };
}

/**
 * `path` (GET, or `method`) from the local address `from`: all of 127.0.0.0/8 reaches loopback on Linux, so
 * each test's "clients" have addresses of their own and no other test's traffic counts with them.
 */
function getFrom(from: string, base: string, path: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, localAddress: from, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: JSON.parse(text) as Answer['body'] }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const BUDGET = '/v1/tenants/news/budget';
const key = (k: string) => ({ authorization: `Bearer ${k}` });

describe('failed authentication, limited per client address', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ authFailures: { maxPerAddress: 3, windowSeconds: 60 }, admin: { apiKeySha256: 'a'.repeat(64) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when an address has presented its limit of wrong keys, then every further key from it, valid or not, gets 429 auth_failures with Retry-After, and other addresses go on', async () => {
    const guesser = '127.0.0.2';
    for (const guess of ['guess-1', 'guess-2', 'guess-3']) expect((await getFrom(guesser, t.url, BUDGET, key(guess))).status).toBe(401);

    const blocked = await getFrom(guesser, t.url, BUDGET, key('guess-4'));
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ error_code: 'RFS.0011', details: { limit: 'auth_failures', max_failures: 3, window_seconds: 60 } });
    expect(Number(blocked.retryAfter)).toBeGreaterThan(50);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(60);
    // a right guess answers as a wrong one would: guessing from here has stopped
    expect((await getFrom(guesser, t.url, BUDGET, key(KEYS.cms))).status).toBe(429);
    // the admin key is guarded by the same count
    expect((await getFrom(guesser, t.url, '/v1/admin/refresh-requests/news.00000000/cancel', key('admin?'), 'POST')).status).toBe(429);
    // no key at all guesses nothing: the plain 401
    expect((await getFrom(guesser, t.url, BUDGET, {})).status).toBe(401);

    expect((await getFrom('127.0.0.3', t.url, BUDGET, key(KEYS.cms))).status).toBe(200);
    expect((await getFrom('127.0.0.3', t.url, BUDGET, key('one-typo'))).status).toBe(401);
  });

  it('when wrong keys from one address are spread over two API replicas, then the replicas count them together', async () => {
    const other = createApi({ config: t.config, redis: t.redis, queues: { ingest: t.queue }, logger: pino({ level: 'silent' }) });
    const { url } = await other.start(0, '127.0.0.1');
    try {
      const guesser = '127.0.0.4';
      expect((await getFrom(guesser, t.url, BUDGET, key('a'))).status).toBe(401);
      expect((await getFrom(guesser, url, BUDGET, key('b'))).status).toBe(401);
      expect((await getFrom(guesser, t.url, BUDGET, key('c'))).status).toBe(401);
      expect((await getFrom(guesser, url, BUDGET, key('d'))).status).toBe(429);
      expect((await getFrom(guesser, t.url, BUDGET, key('e'))).status).toBe(429);
    } finally {
      await other.stop();
    }
  });

  it('when refused keys were counted and blocked, then the metrics say how many, with no address among the labels', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    // this replica's own counts: 401s with a key, 3 + 1 in the first story and 2 in the second
    // (the other replica counted the third); 429s, 3 in the first, 1 in the second
    expect(value('refresh_api_auth_failures_total')).toBe(6);
    expect(value('refresh_api_rejections_total{limit="auth_failures"}')).toBe(4);
    expect(text).not.toMatch(/127\.0\.0\.\d/);
  });
});

describe('the window of failed authentication', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ authFailures: { maxPerAddress: 1, windowSeconds: 1 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when the window has ended, then the address may present keys again', async () => {
    const guesser = '127.0.0.5';
    expect((await getFrom(guesser, t.url, BUDGET, key('wrong'))).status).toBe(401);
    expect((await getFrom(guesser, t.url, BUDGET, key(KEYS.cms))).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await getFrom(guesser, t.url, BUDGET, key(KEYS.cms))).status).toBe(200);
  });
});

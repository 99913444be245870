import { createHash } from 'node:crypto';
import { bearer, startTestApi, type TestApi } from './helpers';

const TOKEN = 'scrape-token-for-tests';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** /metrics names every tenant and caller: with metrics.bearerTokenSha256 set, only the scraper reads it. */
describe('the API /metrics behind a bearer token', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ metrics: { bearerTokenSha256: sha(TOKEN) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when scraped without the token, with a wrong one or with a caller key, then 401 and no metric in the answer', async () => {
    for (const headers of [{}, bearer('wrong-token'), bearer('cms-key-1')]) {
      const res = await fetch(`${t.url}/metrics`, { headers });
      const text = await res.text();
      expect({ status: res.status, code: (JSON.parse(text) as { error_code: string }).error_code }).toEqual({ status: 401, code: 'RFS.0004' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(text).not.toContain('news');
    }
  });

  it('when scraped with the token, then the metrics are served', async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('refresh_api_requests_total');
  });

  it('when probed, then /healthz and /readyz still answer without any key', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});

import { createHash } from 'node:crypto';
import { KEYS, expectError, postJson, postText, startTestApi, type TestApi } from './helpers';

const SECRET = 'cms-webhook-secret-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A callback_url is checked against the caller's webhook allowlist at submission. A refused one
 * refuses the whole request: no request record, no staged items, no job.
 */
describe('callback_url at submission', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({
      callers: [
        {
          id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'],
          webhook: { secret: SECRET, allowedHosts: ['hooks.example.com', '*.cb.example.org', '127.0.0.1:8443'] },
        },
        // no webhook block: may not ask for callbacks at all
        { id: 'sports-desk', apiKeySha256: sha(KEYS.sportsDesk), tenants: ['sports'] },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('when it is refused', () => {
    afterEach(async () => {
      expect(await t.storeKeys()).toEqual([]);
      expect(await t.jobCount()).toBe(0);
    });

    it.each([
      ['a host not in the allowlist', 'https://evil.example.net/hook', /evil\.example\.net is not in the caller's webhook allowlist/],
      ['an IP literal not in the list (the metadata service)', 'http://169.254.169.254/latest', /169\.254\.169\.254 is not in/],
      ['a listed IP on another port', 'http://127.0.0.1:6379/', /127\.0\.0\.1:6379 is not in/],
      ['the wildcard domain itself', 'https://cb.example.org/hook', /not in the caller's webhook allowlist/],
      ['a user name and password', 'https://user:pw@hooks.example.com/hook', /user name or password/],
      ['a scheme other than http(s)', 'ftp://hooks.example.com/hook', /absolute http\(s\) URL/],
      ['a relative URL', '/hook', /absolute http\(s\) URL/],
    ])('when the JSON body names %s, then 400 says why', async (_what, url, reason) => {
      const body = await expectError(await postJson(t, 'news', { urls: ['https://cdn.example.com/a.m3u8'], callback_url: url }), 400, 'RFS.0001');
      expect(body.error_msg).toMatch(reason);
      expect(body.details).toEqual([{ field: 'callback_url', reason: expect.stringMatching(reason) }]);
    });

    it('when callback_url is not a string, then 400 from the schema', async () => {
      await expectError(await postJson(t, 'news', { urls: ['https://cdn.example.com/a.m3u8'], callback_url: 42 }), 400, 'RFS.0001');
    });

    it('when a text upload names a host not in the allowlist in the query, then 400 before the body matters', async () => {
      const q = `?callback_url=${encodeURIComponent('http://10.0.0.7/hook')}`;
      const body = await expectError(await postText(t, 'news', 'https://cdn.example.com/a.m3u8\n', q), 400, 'RFS.0001');
      expect(body.error_msg).toMatch(/10\.0\.0\.7 is not in/);
      const twice = `?callback_url=${encodeURIComponent('https://hooks.example.com/a')}&callback_url=x`;
      await expectError(await postText(t, 'news', 'https://cdn.example.com/a.m3u8\n', twice), 400, 'RFS.0001');
    });

    it('when the caller has no webhook configuration, then 400 says so', async () => {
      const res = await postJson(t, 'sports', { urls: ['https://cdn.example.com/a.m3u8'], callback_url: 'https://hooks.example.com/x' }, {
        authorization: `Bearer ${KEYS.sportsDesk}`,
      });
      const body = await expectError(res, 400, 'RFS.0001');
      expect(body.error_msg).toBe('caller sports-desk has no webhook configuration, so callback_url cannot be used');
    });
  });

  it('when the host is allowlisted, then 202 and the request records where its webhook goes and for whom', async () => {
    for (const url of ['https://hooks.example.com/refresh?src=cms', 'https://a.cb.example.org/x', 'http://127.0.0.1:8443/']) {
      const res = await postJson(t, 'news', { urls: ['https://cdn.example.com/a.m3u8'], callback_url: url });
      expect(res.status).toBe(202);
      const { request_id } = (await res.json()) as { request_id: string };
      expect(await t.redis.hmget(t.keys('news').request(request_id), 'callback_url', 'callback_caller')).toEqual([url, 'cms']);
    }
    const q = `?priority=low&callback_url=${encodeURIComponent('https://hooks.example.com/text')}`;
    const text = await postText(t, 'news', 'https://cdn.example.com/b.m3u8\n', q);
    expect(text.status).toBe(202);
    const { request_id } = (await text.json()) as { request_id: string };
    expect(await t.redis.hget(t.keys('news').request(request_id), 'callback_url')).toBe('https://hooks.example.com/text');
  });

  it('when an Idempotency-Key is reused with another callback_url, then 409: the callback is part of the request', async () => {
    const headers = { 'idempotency-key': 'cb-key-1' };
    const q = (u: string) => `?callback_url=${encodeURIComponent(u)}`;
    expect((await postText(t, 'news', 'https://cdn.example.com/c.m3u8\n', q('https://hooks.example.com/1'), headers)).status).toBe(202);
    await expectError(await postText(t, 'news', 'https://cdn.example.com/c.m3u8\n', q('https://hooks.example.com/2'), headers), 409, 'RFS.0007');
  });
});

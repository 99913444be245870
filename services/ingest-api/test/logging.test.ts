import { LOG_REDACT_CENSOR } from '@refresh/config';
import { LOGGED_HEADERS } from '../src/http/request-log';
import { KEYS, capturedLogger, eventually, postJson, startTestApi, type TestApi } from './helpers';

describe('request ids and request logs', () => {
  let t: TestApi;
  let log: ReturnType<typeof capturedLogger>;
  beforeAll(async () => {
    log = capturedLogger();
    t = await startTestApi({}, undefined, log.logger);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The request's "request answered" line, once it is logged. */
  const answered = async (reqId: string): Promise<Record<string, unknown>> => {
    let line: Record<string, unknown> | undefined;
    await eventually(async () => {
      line = log.entries().find((e) => e.reqId === reqId && e.msg === 'request answered');
      expect(line).toBeDefined();
    });
    return line!;
  };

  it('when a caller sends a safe X-Request-Id, then it is echoed and every line logged for the request carries it', async () => {
    const res = await postJson(t, 'news', { asset_ids: ['a1'] }, { 'x-request-id': 'cms-trace.42:abc' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe('cms-trace.42:abc');
    // "request answered" is logged when the server's side of the answer closes, which need not
    // come before the client reads it: wait for that line, then look at every line of the request
    await answered('cms-trace.42:abc');
    const mine = log.entries().filter((e) => e.reqId === 'cms-trace.42:abc');
    expect(mine.map((e) => e.msg)).toEqual(['refresh request accepted', 'request answered']);
    expect(mine[1]).toMatchObject({ route: 'ingest', res: { status: 202 }, req: { method: 'POST', path: '/v1/tenants/news/refresh-requests' } });
  });

  it('when there is no X-Request-Id, or an unsafe one, then a fresh id is made, echoed and logged', async () => {
    const variants: Array<Record<string, string>> = [{}, { 'x-request-id': 'x'.repeat(129) }, { 'x-request-id': 'has space' }, { 'x-request-id': 'evil"\\' }];
    for (const headers of variants) {
      const res = await fetch(`${t.url}/v1/refresh-requests/news.doesnotexist0`, { headers: { authorization: `Bearer ${KEYS.cms}`, ...headers } });
      expect(res.status).toBe(404);
      const id = res.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await answered(id);
    }
  });

  it('when a request carries a Bearer key and secrets in headers nobody listed, then none reaches the log: only the allowlisted headers are there', async () => {
    const secrets = { 'x-security-token': 'TEMP-CREDENTIAL-TOKEN', cookie: 'session=COOKIE-SECRET', 'x-some-new-secret': 'NEW-HEADER-SECRET' };
    const res = await postJson(t, 'news', { urls: ['https://cdn.example.com/x.mp4'] }, { 'x-request-id': 'secret-check', ...secrets });
    expect(res.status).toBe(202);
    // the line that logs the headers first: before it, "not in the log" would prove nothing
    const line = await answered('secret-check');
    for (const secret of [KEYS.cms, ...Object.values(secrets)]) expect(log.text()).not.toContain(secret);
    const headers = (line.req as { headers: Record<string, unknown> }).headers;
    // absent, not masked; and what is logged is only what the allowlist names
    expect(headers).not.toHaveProperty('authorization');
    expect(Object.keys(headers).every((h) => LOGGED_HEADERS.includes(h))).toBe(true);
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'secret-check' });
  });
});

describe('secrets in logged objects', () => {
  it('when a config with credentials, passwords, tokens and keys is logged, then none of the secrets appear', () => {
    const log = capturedLogger();
    const secrets = ['AK-VERY-SECRET', 'SK-VERY-SECRET', 'PW-VERY-SECRET', 'TOKEN-VERY-SECRET', 'APIKEY-VERY-SECRET', 'redis://:REDISPW@h:6379'];
    log.logger.info(
      {
        config: {
          tenants: [{ id: 'news', auth: { type: 'aksk', accessKey: secrets[0], secretKey: secrets[1] } }],
          env: { REDIS_URL: secrets[5] },
        },
        upstream: { password: secrets[2], token: secrets[3] },
        caller: { id: 'cms', apiKey: secrets[4] },
        headers: { 'x-auth-token': secrets[3], authorization: `Bearer ${secrets[4]}` },
      },
      'config loaded',
    );
    log.logger.warn({ secretKey: secrets[1], accessKey: secrets[0], deep: { a: { b: { password: secrets[2] } } } }, 'flat');
    for (const s of secrets) expect(log.text()).not.toContain(s);
    expect(log.text()).toContain(LOG_REDACT_CENSOR);
    const [first] = log.entries();
    expect(first).toMatchObject({ config: { tenants: [{ id: 'news', auth: LOG_REDACT_CENSOR }] }, caller: { id: 'cms' } });
  });
});

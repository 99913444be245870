import { createHash } from 'node:crypto';
import { createRedis, scanKeysUnder } from '@refresh/store';
import pino from 'pino';
import { createApi } from '../src';
import { KEYS, REDIS_TARGET, startTestApi, waitReady, type TestApi } from './helpers';

/**
 * One request per (caller, Idempotency-Key), whatever the replicas and the timing: a retry that
 * meets a key whose request is not recorded yet waits for its owner instead of taking the key
 * over, and takes it over only once the owner's lease has ended. Two API replicas on the real Redis.
 */
describe('idempotency under concurrent retries', () => {
  let t: TestApi;
  let replica: { url: string; close(): Promise<void> };

  beforeEach(async () => {
    t = await startTestApi({
      callers: [{ id: 'cms', apiKeySha256: createHash('sha256').update(KEYS.cms).digest('hex'), tenants: ['news'], maxRequestsPerSecond: 100_000 }],
      tenants: [{ id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', maxBacklogItems: 1_000_000, auth: { type: 'aksk', accessKey: 'AK', secretKey: 'SK' } }],
    });
    const redis = createRedis(REDIS_TARGET, 'api', () => undefined);
    await waitReady(redis);
    const api = createApi({ config: t.config, redis, queues: { ingest: t.queue }, logger: pino({ level: 'silent' }) });
    const { url } = await api.start(0, '127.0.0.1');
    replica = {
      url,
      async close() {
        await api.stop();
        await redis.quit();
      },
    };
  });
  afterEach(async () => {
    await replica.close();
    await t.close();
  });

  it('when 200 keys are each posted 4 times at once across two replicas, then there are exactly 200 requests, each key answered with one id', async () => {
    const post = (base: string, key: number) =>
      fetch(`${base}/v1/tenants/news/refresh-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.cms}`, 'content-type': 'application/json', 'idempotency-key': `order-${key}` },
        body: JSON.stringify({ urls: [`https://cdn.example.com/order/${key}/a.m3u8`, `https://cdn.example.com/order/${key}/b.m3u8`] }),
      }).then(async (r) => ({ status: r.status, id: ((await r.json()) as { request_id?: string }).request_id }));

    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, key) => Promise.all([post(t.url, key), post(replica.url, key), post(t.url, key), post(replica.url, key)])),
    );

    for (const [key, four] of answers.entries()) {
      expect({ key, statuses: four.map((a) => a.status) }).toEqual({ key, statuses: [202, 202, 202, 202] });
      expect({ key, ids: new Set(four.map((a) => a.id)).size }).toEqual({ key, ids: 1 });
    }
    // exactly one recorded request and one ingest job per key
    const records = (await scanKeysUnder(t.redis, `${t.prefix}:{news}:r`)).filter((k) => /:r:news\.[0-9a-f]+$/.test(k));
    expect(records).toHaveLength(200);
    expect(await t.jobCount()).toBe(200);
  });

  it('when a key names a request that is not recorded and its owner\'s lease has not ended, then a retry waits for it and answers with its id', async () => {
    const fingerprintOf = async () => {
      // bind the key the way the owner does, then hold the owner "between binding and recording"
      const first = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.cms}`, 'content-type': 'application/json', 'idempotency-key': 'slow-owner' },
        body: JSON.stringify({ urls: ['https://cdn.example.com/slow.m3u8'] }),
      });
      return ((await first.json()) as { request_id: string }).request_id;
    };
    const recorded = await fetchKeyAndForgetRecord(t, fingerprintOf);
    // the owner records its request 300 ms later: the retry must answer with it, not a new one
    setTimeout(() => void t.redis.rename(`${recorded.recordKey}:hidden`, recorded.recordKey), 300);
    const retry = await fetch(`${replica.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.cms}`, 'content-type': 'application/json', 'idempotency-key': 'slow-owner' },
      body: JSON.stringify({ urls: ['https://cdn.example.com/slow.m3u8'] }),
    });
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { request_id: string }).request_id).toBe(recorded.requestId);
  });
});

/**
 * Posts once, then hides the request's record (as if its owner had bound the key but not yet
 * recorded it) and gives the key a fresh lease, as the owner's binding would have.
 */
async function fetchKeyAndForgetRecord(t: TestApi, post: () => Promise<string>): Promise<{ requestId: string; recordKey: string }> {
  const requestId = await post();
  const recordKey = t.keys('news').request(requestId);
  await t.redis.rename(recordKey, `${recordKey}:hidden`);
  const keyHash = createHash('sha256').update('cms').update('\0').update('slow-owner').digest('hex');
  const idem = t.keys('news').idempotency(keyHash);
  const [fingerprint, id] = ((await t.redis.get(idem)) ?? '').split(' ');
  await t.redis.set(idem, `${fingerprint} ${id} ${Date.now() + 10_000}`, 'EX', 600);
  return { requestId, recordKey };
}

import { createHash } from 'node:crypto';
import { INGEST_JOB_OPTIONS } from '@refresh/store';
import { KEYS, bearer, getJson, postJson, postText, startTestApi, type TestApi } from './helpers';

interface Accepted {
  request_id: string;
  status_url: string;
  received: number;
}

describe('accepting refresh requests', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  it('when a caller posts JSON asset ids and urls, then 202 names the request, which is recorded, staged and queued', async () => {
    const res = await postJson(t, 'news', {
      asset_ids: ['a1', 'a2', 'a1'],
      urls: ['https://cdn.example.com/v/1.mp4'],
      priority: 'high',
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as Accepted;
    expect(body).toEqual({
      request_id: expect.stringMatching(/^news\.[0-9a-f]{16}$/), status_url: `/v1/refresh-requests/${body.request_id}`, received: 4,
      estimated_completion_at: expect.any(String), budget_days_needed: 1,
    });
    expect(res.headers.get('location')).toBe(body.status_url);

    const k = t.keys('news');
    const request = await t.redis.hgetall(k.request(body.request_id));
    expect(request).toMatchObject({ priority: 'high', received: '4', ingested: '0', done: '0' });
    expect(await t.redis.lrange(k.requestStage(body.request_id), 0, -1)).toEqual([
      'a:a1', 'a:a2', 'a:a1', 'u:https://cdn.example.com/v/1.mp4',
    ]);

    const job = await t.queue.getJob(body.request_id);
    expect(job?.name).toBe('ingest');
    expect(job?.data).toEqual({ tenant: 'news', requestId: body.request_id, priority: 'high' });
    expect(job?.opts.attempts).toBe(INGEST_JOB_OPTIONS.attempts);
  });

  it('when a text/plain upload of 25,000 lines arrives in odd chunks with \\r\\n and no final newline, then all 25,000 are received and staged in order', async () => {
    const lines = Array.from({ length: 25_000 }, (_, i) => (i % 3 === 0 ? `https://cdn.example.com/p/${i}.ts?x=1` : `asset_${i}`));
    const text = lines.map((l, i) => l + (i === lines.length - 1 ? '' : i % 2 ? '\r\n' : '\n')).join('');
    const bytes = Buffer.from(`\n${text}`); // a leading empty line is skipped
    // chunks of 7,777 bytes split lines (and "\r\n" pairs) across chunk boundaries
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7_777) controller.enqueue(bytes.subarray(i, i + 7_777));
        controller.close();
      },
    });
    const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests?priority=low`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', ...bearer(KEYS.cms) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Accepted;
    expect(body.received).toBe(25_000);

    const k = t.keys('news');
    expect(await t.redis.llen(k.requestStage(body.request_id))).toBe(25_000);
    const staged = await t.redis.lrange(k.requestStage(body.request_id), 24_997, -1);
    expect(staged).toEqual(lines.slice(24_997).map((l) => (l.includes('://') ? `u:${l}` : `a:${l}`)));
    expect(await t.redis.hget(k.request(body.request_id), 'priority')).toBe('low');
    expect((await t.queue.getJob(body.request_id))?.data.priority).toBe('low');
  });

  it('when the same Idempotency-Key comes back with the same body, then the original request id is answered and nothing new is queued', async () => {
    const headers = { 'idempotency-key': 'order-2024-0001' };
    const payload = { asset_ids: ['idem1', 'idem2'] };
    const first = (await (await postJson(t, 'news', payload, headers)).json()) as Accepted;
    const jobsBefore = await t.jobCount();
    const keysBefore = (await t.storeKeys()).sort();

    const again = await postJson(t, 'news', payload, headers);
    expect(again.status).toBe(202);
    // the same request; its estimate is read again, as of now
    expect(await again.json()).toEqual({ ...first, estimated_completion_at: expect.any(String) });
    expect(await t.jobCount()).toBe(jobsBefore);
    expect((await t.storeKeys()).sort()).toEqual(keysBefore);
  });

  it('when an Idempotency-Key names a request that was never recorded, then the new request takes the key over', async () => {
    const headers = { 'idempotency-key': 'orphaned-key' };
    const payload = { asset_ids: ['orphan1'] };
    // an API that died between remembering the key and queueing its request left this behind
    // keys are stored scoped by the caller that sent them (idempotency.ts)
    const keyHash = createHash('sha256').update('cms').update('\0').update('orphaned-key').digest('hex');
    const first = (await (await postJson(t, 'news', payload, headers)).json()) as Accepted;
    const fingerprint = ((await t.redis.get(t.keys('news').idempotency(keyHash))) ?? '').split(' ')[0];
    await t.redis.set(t.keys('news').idempotency(keyHash), `${fingerprint} news.00000000deadbeef`);
    const again = (await (await postJson(t, 'news', payload, headers)).json()) as Accepted;
    expect(again.request_id).not.toBe('news.00000000deadbeef');
    expect(again.request_id).not.toBe(first.request_id);
    const status = await getJson(t, again.status_url);
    expect(status.status).toBe(200);
  });

  it('when another caller of the tenant sends the same Idempotency-Key, then it names a request of its own, not a conflict nor the first caller\'s', async () => {
    const twoCallers = await startTestApi({
      callers: [
        { id: 'cms', apiKeySha256: createHash('sha256').update(KEYS.cms).digest('hex'), tenants: ['news'] },
        { id: 'feeds', apiKeySha256: createHash('sha256').update('feeds-key').digest('hex'), tenants: ['news'] },
      ],
    });
    try {
      const headers = { 'idempotency-key': 'nightly-2026-12-05' };
      const mine = await postJson(twoCallers, 'news', { asset_ids: ['cms1'] }, headers);
      expect(mine.status).toBe(202);
      const theirs = await postJson(twoCallers, 'news', { asset_ids: ['feeds1'] }, { ...headers, ...bearer('feeds-key') });
      expect(theirs.status).toBe(202);
      const [a, b] = [(await mine.json()) as Accepted, (await theirs.json()) as Accepted];
      expect(b.request_id).not.toBe(a.request_id);
      // and each caller's retry still finds its own
      const retried = await postJson(twoCallers, 'news', { asset_ids: ['feeds1'] }, { ...headers, ...bearer('feeds-key') });
      expect(((await retried.json()) as Accepted).request_id).toBe(b.request_id);
    } finally {
      await twoCallers.close();
    }
  });

  it('when the same Idempotency-Key comes back with another body, then 409', async () => {
    const headers = { 'idempotency-key': 'order-2024-0002' };
    expect((await postJson(t, 'news', { asset_ids: ['x1'] }, headers)).status).toBe(202);
    const res = await postJson(t, 'news', { asset_ids: ['x2'] }, headers);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error_code: 'RFS.0007' });
  });

  it('when a text upload is retried with its key but another priority, then it is a conflict, not a replay', async () => {
    const headers = { 'idempotency-key': 'text-1' };
    expect((await postText(t, 'news', 'abc\n', '?priority=high', headers)).status).toBe(202);
    expect((await postText(t, 'news', 'abc\n', '?priority=low', headers)).status).toBe(409);
  });
});

import { INGEST_JOB_OPTIONS } from '@refresh/store';
import { KEYS, bearer, expectError, postDropIn, postJson, startTestApi, xAuthToken, type TestApi } from './helpers';

/**
 * A publishing system that calls VOD's RefreshAsset switches to the drop-in endpoint by changing
 * its base URL and token: same path, same body, and the request is taken in exactly like one
 * posted to the native endpoint.
 */
describe('accepting refresh requests on the drop-in endpoint', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  it("when VOD's body is posted to VOD's path with the key as X-Auth-Token, then 202 names the task, which is recorded, staged and queued", async () => {
    const res = await postDropIn(t, 'p1', { asset_id_list: ['d1', 'd2', 'd1'], urls: ['https://cdn.example.com/v/1.mp4'] });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { task_id: string };
    expect(body).toEqual({ task_id: expect.stringMatching(/^news\.[0-9a-f]{16}$/) });
    expect(res.headers.get('location')).toBe(`/v1/p1/asset/refresh?task_id=${body.task_id}`);

    const k = t.keys('news');
    expect(await t.redis.hgetall(k.request(body.task_id))).toMatchObject({ priority: 'normal', received: '4', ingested: '0', done: '0' });
    expect(await t.redis.lrange(k.requestStage(body.task_id), 0, -1)).toEqual(['a:d1', 'a:d2', 'a:d1', 'u:https://cdn.example.com/v/1.mp4']);
    const job = await t.queue.getJob(body.task_id);
    expect(job?.name).toBe('ingest');
    expect(job?.data).toEqual({ tenant: 'news', requestId: body.task_id, priority: 'normal' });
    expect(job?.opts.attempts).toBe(INGEST_JOB_OPTIONS.attempts);
  });

  it('when the same items go to the native and the drop-in endpoint, then both leave the same record, stage and job', async () => {
    const items = { assets: ['same1', 'same2'], urls: ['https://cdn.example.com/same.m3u8'] };
    const native = ((await (await postJson(t, 'news', { asset_ids: items.assets, urls: items.urls, priority: 'high' })).json()) as { request_id: string }).request_id;
    const dropIn = ((await (await postDropIn(t, 'p1', { asset_id_list: items.assets, urls: items.urls, priority: 'high' })).json()) as { task_id: string }).task_id;

    const k = t.keys('news');
    const record = async (id: string) => {
      const { created_at: _createdAt, ...rest } = await t.redis.hgetall(k.request(id));
      return rest;
    };
    expect(await record(dropIn)).toEqual(await record(native));
    expect(await t.redis.lrange(k.requestStage(dropIn), 0, -1)).toEqual(await t.redis.lrange(k.requestStage(native), 0, -1));
    const [nativeJob, dropInJob] = await Promise.all([t.queue.getJob(native), t.queue.getJob(dropIn)]);
    expect({ ...dropInJob?.data, requestId: 'x' }).toEqual({ ...nativeJob?.data, requestId: 'x' });
    expect(dropInJob?.opts.attempts).toBe(nativeJob?.opts.attempts);
  });

  it('when 12,000 URLs come in one call (VOD takes 10), then all are accepted and staged in order', async () => {
    const urls = Array.from({ length: 12_000 }, (_, i) => `https://cdn.example.com/big/${i}.ts`);
    const res = await postDropIn(t, 'p1', { urls });
    expect(res.status).toBe(202);
    const { task_id: id } = (await res.json()) as { task_id: string };
    const k = t.keys('news');
    expect(await t.redis.hget(k.request(id), 'received')).toBe('12000');
    expect(await t.redis.llen(k.requestStage(id))).toBe(12_000);
    expect(await t.redis.lrange(k.requestStage(id), 11_998, -1)).toEqual(['u:https://cdn.example.com/big/11998.ts', 'u:https://cdn.example.com/big/11999.ts']);
    expect((await t.queue.getJob(id))?.data).toMatchObject({ tenant: 'news', requestId: id });
  });

  it('when the key comes as Authorization: Bearer instead, then it is accepted too', async () => {
    const res = await fetch(`${t.url}/v1/p1/asset/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.cms) },
      body: JSON.stringify({ asset_id_list: ['b1'] }),
    });
    expect(res.status).toBe(202);
  });

  it('when both headers come and name the same key, then it is accepted; when they differ, then 401', async () => {
    expect((await postDropIn(t, 'p1', { asset_id_list: ['h1'] }, { ...xAuthToken(KEYS.cms), ...bearer(KEYS.cms) })).status).toBe(202);
    const jobs = await t.jobCount();
    await expectError(await postDropIn(t, 'p1', { asset_id_list: ['h2'] }, { ...xAuthToken(KEYS.cms), ...bearer(KEYS.sportsDesk) }), 401, 'RFS.0004');
    expect(await t.jobCount()).toBe(jobs);
  });

  it("when a VOD client sends Huawei's charset=utf8, then the body is read as the UTF-8 it is", async () => {
    const res = await postDropIn(t, 'p1', { asset_id_list: ['cs1'] }, { 'content-type': 'application/json;charset=utf8' });
    expect(res.status).toBe(202);
  });

  it('when the same Idempotency-Key comes back with the same body, then the first task_id is answered and nothing new is queued', async () => {
    const headers = { 'idempotency-key': 'vod-retry-1' };
    const first = (await (await postDropIn(t, 'p1', { urls: ['https://cdn.example.com/i.mp4'] }, headers)).json()) as { task_id: string };
    const jobs = await t.jobCount();
    const again = await postDropIn(t, 'p1', { urls: ['https://cdn.example.com/i.mp4'] }, headers);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual(first);
    expect(await t.jobCount()).toBe(jobs);
    await expectError(await postDropIn(t, 'p1', { urls: ['https://cdn.example.com/other.mp4'] }, headers), 409, 'RFS.0007');
  });

  it('when the extension field priority is given, then the request is queued at that priority', async () => {
    const { task_id: id } = (await (await postDropIn(t, 'p1', { asset_id_list: ['pr1'], priority: 'low' })).json()) as { task_id: string };
    expect((await t.queue.getJob(id))?.data.priority).toBe('low');
  });
});

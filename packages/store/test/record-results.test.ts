import { createDispatchStore, createRequestStore, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

/** VOD's verdicts land on items and on every request linked to them, once. */
const redis = newRedis();
const prefix = testPrefix('results');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const day = { dayId: '2026-11-23', dailyLimit: 1000, ttlSeconds: 600 };
const TASK = 'e'.repeat(32);
const failure = { code: 'VOD.REFRESH_FAILED', message: 'VOD reported FAILED for this URL' };
const opts = { now: 9000, ttlSeconds: 600, failure };
let seq = 0;

async function submit(tenant: string, items: string[]) {
  const requestId = `${tenant}.res${String(++seq).padStart(8, '0')}`;
  await requests.stage(tenant, requestId, items, 600);
  await requests.create({ tenant, requestId, priority: 'normal', received: items.length, createdAt: 1000 }, 600);
  await store.coalesce(tenant, requestId, 'normal', 0, items.length, items, 1000);
  await store.finishIngest(tenant, requestId, 600);
  return requestId;
}

/** Claims and submits one batch; returns its instance ids by value. */
async function submitBatch(tenant: string, batchId: string) {
  const claim = await store.claim(tenant, batchId, { now: 5000, lingerMs: 0, maxItems: 10, ...day });
  if (claim.action !== 'send') throw new Error(`nothing claimed: ${claim.action}`);
  await store.beginAttempt(tenant, batchId, day);
  await store.finishBatch(tenant, batchId, { type: 'submitted', taskId: TASK }, 6000, 600);
  return Object.fromEntries(claim.values.map((v, i) => [v, claim.ids[i]!]));
}

const states = async (requestId: string) =>
  (await requests.items(requestId, 0, 100)).items.map((i) => [i.value, i.state, i.error?.code ?? null]);

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('recording VOD verdicts', () => {
  it('when VOD gives a verdict for every item, then items and every linked request take it and the requests complete', async () => {
    const a = await submit('t1', ['u:http://x/1', 'u:http://x/2']);
    const b = await submit('t1', ['u:http://x/2', 'u:http://x/3']); // linked to x/2
    const id = await submitBatch('t1', 'b1');
    expect(await requests.get(a)).toMatchObject({ counts: { submitted: 2 } });

    const res = await store.recordResults('t1', 'b1', [
      { id: id['http://x/1']!, verdict: 'completed' },
      { id: id['http://x/2']!, verdict: 'failed_vod' },
      { id: id['http://x/3']!, verdict: 'unknown' },
    ], opts);
    expect(res.recorded).toEqual({ completed: 1, failed_vod: 1, unknown: 1 });
    expect(res.open).toBe(0);
    expect(res.completedRequests.sort()).toEqual([a, b].sort());

    expect((await requests.get(a))?.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 1, failed: 1, unknown: 0, canceled: 0 });
    expect((await requests.get(b))?.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 0, failed: 1, unknown: 1, canceled: 0 });
    expect(await states(b)).toEqual([['http://x/2', 'failed', 'VOD.REFRESH_FAILED'], ['http://x/3', 'unknown', null]]);
    const page = await requests.items(a, 0, 10);
    expect(page.items[0]).toMatchObject({ state: 'completed', task_id: TASK, submitted_at: new Date(6000).toISOString() });
    expect(page.items[1]?.error).toEqual(failure);
    // retention starts with the last verdict
    expect(await redis.ttl(tenantKeys(prefix, 't1').request(a))).toBeGreaterThan(0);
  });

  it('when the same verdicts are recorded again, then nothing changes', async () => {
    const r = await submit('t2', ['a:once']);
    const id = await submitBatch('t2', 'b1');
    const verdicts = [{ id: id['once']!, verdict: 'completed' as const }];
    expect((await store.recordResults('t2', 'b1', verdicts, opts)).recorded.completed).toBe(1);
    const again = await store.recordResults('t2', 'b1', [{ id: id['once']!, verdict: 'failed_vod' }], opts);
    expect(again).toEqual({ recorded: { completed: 0, failed_vod: 0, unknown: 0 }, open: 0, completedRequests: [] });
    expect((await requests.get(r))?.counts).toMatchObject({ submitted: 0, completed: 1, failed: 0 });
  });

  it('when only some items have a verdict, then the rest stay submitted and the request stays open', async () => {
    const r = await submit('t3', ['a:p1', 'a:p2', 'a:p3']);
    const id = await submitBatch('t3', 'b1');
    const res = await store.recordResults('t3', 'b1', [{ id: id['p1']!, verdict: 'completed' }], opts);
    expect(res).toMatchObject({ open: 2, completedRequests: [] });
    expect((await requests.get(r))?.counts).toMatchObject({ submitted: 2, completed: 1 });
    expect(await redis.ttl(tenantKeys(prefix, 't3').request(r))).toBe(-1);
    // an id that is not the batch's is ignored
    const stray = await store.recordResults('t3', 'b1', [{ id: '999999', verdict: 'completed' }], opts);
    expect(stray).toMatchObject({ recorded: { completed: 0, failed_vod: 0, unknown: 0 }, open: 2 });
  });

  it('when a request has a failed batch and a submitted one, then it completes only with the verdict of the second', async () => {
    const r = await submit('t4', ['a:f1', 'a:s1']);
    await store.claim('t4', 'bf', { now: 5000, lingerMs: 0, maxItems: 1, ...day });
    await store.beginAttempt('t4', 'bf', day);
    const id = await submitBatch('t4', 'bs');
    const failed = await store.finishBatch('t4', 'bf', { type: 'failed', code: 'VOD.10053', message: 'bad' }, 7000, 600);
    expect(failed.completedRequests).toEqual([]); // its other item is still submitted
    const res = await store.recordResults('t4', 'bs', [{ id: id['s1']!, verdict: 'completed' }], opts);
    expect(res.completedRequests).toEqual([r]);
    expect((await requests.get(r))?.counts).toMatchObject({ submitted: 0, completed: 1, failed: 1 });
  });

  it("when a request's record is gone, then a verdict does not bring it back", async () => {
    const r = await submit('t5', ['a:gone']);
    const id = await submitBatch('t5', 'b1');
    await redis.del(tenantKeys(prefix, 't5').request(r));
    const res = await store.recordResults('t5', 'b1', [{ id: id['gone']!, verdict: 'completed' }], opts);
    expect(res.recorded.completed).toBe(1);
    expect(await redis.exists(tenantKeys(prefix, 't5').request(r))).toBe(0);
  });

  it('when the batch is unknown, then nothing is recorded', async () => {
    expect(await store.recordResults('t6', 'nope', [{ id: '1', verdict: 'completed' }], opts)).toEqual({
      recorded: { completed: 0, failed_vod: 0, unknown: 0 }, open: 0, completedRequests: [],
    });
  });
});

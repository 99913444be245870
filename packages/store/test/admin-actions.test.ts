import { createAdminStore, createDispatchStore, createRequestStore, pendingCount, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

/** Cancel and requeue-failed (cancel-items.lua, requeue-failed.lua) and how claiming treats their results. */
const redis = newRedis();
const prefix = testPrefix('admin');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const admin = createAdminStore(redis, prefix);
const day = { dayId: '2026-11-23', dailyLimit: 1000, ttlSeconds: 600 };
const claimOpts = { now: 5000, lingerMs: 0, maxItems: 10, ...day };
const cancelOpts = { now: 7000, ttlSeconds: 600 };
let seq = 0;

async function create(tenant: string, received: number, priority: 'high' | 'normal' | 'low' = 'normal') {
  const requestId = `${tenant}.adm${String(++seq).padStart(8, '0')}`;
  await requests.create({ tenant, requestId, priority, received, createdAt: 1000 }, 600);
  return requestId;
}

async function submit(tenant: string, items: string[], priority: 'high' | 'normal' | 'low' = 'normal') {
  const requestId = await create(tenant, items.length, priority);
  await store.coalesce(tenant, requestId, priority, 0, items.length, items, 1000);
  await store.finishIngest(tenant, requestId, 600);
  return requestId;
}

const values = async (tenant: string, batchId: string) => {
  const c = await store.claim(tenant, batchId, claimOpts);
  return c.action === 'send' ? c.values : c.action;
};
const states = async (requestId: string) => (await requests.items(requestId, 0, 100)).items.map((i) => [i.value, i.state]);
const budgetUsed = async (tenant: string) => Number((await redis.get(tenantKeys(prefix, tenant).budget(day.dayId))) ?? 0);

/** Claims everything pending and fails it as VOD refusing the call (finish-batch.lua, X). */
async function failAll(tenant: string, batchId: string, maxItems = 10) {
  const c = await store.claim(tenant, batchId, { ...claimOpts, maxItems });
  if (c.action !== 'send') throw new Error(`nothing claimed: ${c.action}`);
  await store.beginAttempt(tenant, batchId, day);
  return store.finishBatch(tenant, batchId, { type: 'failed', code: 'VOD.10052', message: 'refused' }, 6000, 600);
}

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('canceling a request', () => {
  it('when its items are pending and its own, then they are canceled, never claimed, spend no budget, and the request completes', async () => {
    const r = await submit('c1', ['a:x1', 'a:x2', 'u:http://x/3']);
    const res = await admin.cancel(r, cancelOpts);
    expect(res).toEqual({ status: 'ok', tenant: 'c1', canceled: 3, keptShared: 0, notIngested: 0, completedRequests: [r] });
    expect(await values('c1', 'b1')).toBe('idle');
    expect(await budgetUsed('c1')).toBe(0);
    expect(await pendingCount(redis, tenantKeys(prefix, 'c1'))).toBe(0);
    expect((await requests.get(r))?.counts).toMatchObject({ pending: 0, canceled: 3 });
    expect(await states(r)).toEqual([['x1', 'canceled'], ['x2', 'canceled'], ['http://x/3', 'canceled']]);
    // its retention starts, as when a batch completes a request
    expect(await redis.ttl(tenantKeys(prefix, 'c1').request(r))).toBeGreaterThan(0);
  });

  it('when it is canceled twice, then the second time changes nothing and completes nothing again', async () => {
    const r = await submit('c2', ['a:y1']);
    await admin.cancel(r, cancelOpts);
    expect(await admin.cancel(r, cancelOpts)).toMatchObject({ canceled: 0, keptShared: 0, completedRequests: [] });
    expect((await requests.get(r))?.counts).toMatchObject({ pending: 0, canceled: 1 });
  });

  it('when another request shares a pending item, then it stays pending for both and is sent once for the other', async () => {
    const a = await submit('c3', ['a:shared', 'a:own']);
    const b = await submit('c3', ['a:shared']);
    expect(await admin.cancel(a, cancelOpts)).toMatchObject({ canceled: 1, keptShared: 1, completedRequests: [] });
    expect(await values('c3', 'b1')).toEqual(['shared']);
    expect(await budgetUsed('c3')).toBe(1);
    expect((await requests.get(a))?.counts).toMatchObject({ pending: 0, in_flight: 1, canceled: 1 });
    expect((await requests.get(b))?.counts).toMatchObject({ pending: 0, in_flight: 1 });
  });

  it('when every request sharing an item is canceled, then the item is canceled for all of them', async () => {
    const a = await submit('c4', ['a:s1']);
    const b = await submit('c4', ['a:s1']);
    expect(await admin.cancel(b, cancelOpts)).toMatchObject({ canceled: 0, keptShared: 1 });
    const res = await admin.cancel(a, cancelOpts);
    expect(res).toMatchObject({ canceled: 1, keptShared: 0 });
    if (res.status === 'ok') expect(res.completedRequests.sort()).toEqual([a, b].sort());
    expect((await requests.get(b))?.counts).toMatchObject({ pending: 0, canceled: 1 });
    expect(await values('c4', 'b1')).toBe('idle');
  });

  it('when canceled items sit between live ones in a queue, then a claim skips them and reserves budget only for live items', async () => {
    const a = await submit('c5', ['u:http://l/1']);
    const gone = await submit('c5', ['u:http://g/1', 'u:http://g/2']);
    await submit('c5', ['u:http://l/2']);
    await admin.cancel(gone, cancelOpts);
    expect(await values('c5', 'b1')).toEqual(['http://l/1', 'http://l/2']);
    expect(await budgetUsed('c5')).toBe(2);
    expect(await redis.llen(tenantKeys(prefix, 'c5').queue('url', 'normal'))).toBe(0);
    expect((await requests.get(a))?.counts.in_flight).toBe(1);
  });

  it('when more canceled items head a queue than one claim drops, then the claim asks to come back at once, and the next sends', async () => {
    const gone = await submit('c6', Array.from({ length: 1200 }, (_, i) => `a:dead${i}`));
    await submit('c6', ['a:alive']);
    await admin.cancel(gone, { ...cancelOpts, pageSize: 500 });
    expect(await store.claim('c6', 'b1', claimOpts)).toEqual({ action: 'wait', until: claimOpts.now });
    expect(await values('c6', 'b2')).toEqual(['alive']);
  });

  it('when a request is canceled across several pages, then every pending item is canceled', async () => {
    const r = await submit('c7', Array.from({ length: 25 }, (_, i) => `a:p${i}`));
    expect(await admin.cancel(r, { ...cancelOpts, pageSize: 4 })).toMatchObject({ canceled: 25, completedRequests: [r] });
  });

  it('when items are in flight, then cancel leaves them, and the request completes when they end', async () => {
    const r = await submit('c8', ['a:f1', 'a:f2']);
    await store.claim('c8', 'b1', { ...claimOpts, maxItems: 1 });
    expect(await admin.cancel(r, cancelOpts)).toMatchObject({ canceled: 1, completedRequests: [] });
    await store.beginAttempt('c8', 'b1', day);
    const done = await store.finishBatch('c8', 'b1', { type: 'failed', code: 'X', message: 'm' }, 8000, 600);
    expect(done.completedRequests).toEqual([r]);
    expect(await states(r)).toEqual([['f1', 'failed'], ['f2', 'canceled']]);
  });

  it('when a canceled item is requested again, then a new instance is made and sent', async () => {
    const a = await submit('c9', ['a:again']);
    await admin.cancel(a, cancelOpts);
    const b = await submit('c9', ['a:again']);
    expect(await values('c9', 'b1')).toEqual(['again']);
    expect((await requests.get(b))?.counts.in_flight).toBe(1);
    expect(await states(a)).toEqual([['again', 'canceled']]);
  });

  it('when the request is still being coalesced, then the rest of it is dropped and finishing the ingest completes it', async () => {
    const r = await create('c10', 6);
    await store.coalesce('c10', r, 'normal', 0, 3, ['a:i1', 'a:i2', 'a:i3'], 1000);
    expect(await admin.cancel(r, cancelOpts)).toEqual({ status: 'ok', tenant: 'c10', canceled: 3, keptShared: 0, notIngested: 3, completedRequests: [] });
    expect(await store.coalesce('c10', r, 'normal', 3, 3, ['a:i4', 'a:i5', 'a:i6'], 1000)).toBe('canceled');
    expect(await store.finishIngest('c10', r, 600)).toBe(true);
    expect(await values('c10', 'b1')).toBe('idle');
    expect((await requests.get(r))?.counts).toMatchObject({ pending: 0, canceled: 3 });
  });

  it('when the request does not exist, then cancel says so and writes nothing', async () => {
    expect(await admin.cancel('c11.nosuchrequest0', cancelOpts)).toEqual({ status: 'missing' });
    expect(await redis.exists(tenantKeys(prefix, 'c11').request('c11.nosuchrequest0'))).toBe(0);
  });
});

describe('requeueing failed items', () => {
  it('when items of an open request failed, then they are pending again as new attempts, behind what was pending, and are claimed again', async () => {
    const r = await submit('q1', ['a:f1', 'a:f2', 'a:f3']);
    await failAll('q1', 'b1', 2);
    expect(await admin.requeueFailed(r, { now: 8000 })).toEqual({ status: 'ok', tenant: 'q1', requeued: 2, reopened: false });
    expect((await requests.get(r))?.counts).toMatchObject({ pending: 3, failed: 0 });
    expect(await states(r)).toEqual([['f1', 'pending'], ['f2', 'pending'], ['f3', 'pending']]);
    expect(await values('q1', 'b2')).toEqual(['f3', 'f1', 'f2']);
    // a second requeue finds nothing failed
    expect(await admin.requeueFailed(r, { now: 8000 })).toMatchObject({ requeued: 0 });
  });

  it('when a failed item was shared, then only the requeueing request retries it; the other keeps its outcome', async () => {
    const a = await submit('q2', ['a:sh']);
    const b = await submit('q2', ['a:sh']);
    await failAll('q2', 'b1');
    await store.markRetired('q2', a, 0);
    expect(await admin.requeueFailed(a, { now: 8000 })).toMatchObject({ requeued: 1, reopened: true });
    expect(await states(a)).toEqual([['sh', 'pending']]);
    expect(await states(b)).toEqual([['sh', 'failed']]);
    expect((await requests.get(b))?.counts).toMatchObject({ failed: 1, pending: 0 });
  });

  it('when the failed item is pending again through another request, then the request links to that instance', async () => {
    const a = await submit('q3', ['a:dup']);
    await failAll('q3', 'b1');
    const b = await submit('q3', ['a:dup']);
    await store.markRetired('q3', a, 0);
    expect(await admin.requeueFailed(a, { now: 8000 })).toMatchObject({ requeued: 1 });
    const c = await store.claim('q3', 'b2', claimOpts);
    expect(c).toMatchObject({ action: 'send', values: ['dup'] });
    expect((await requests.get(a))?.counts.in_flight).toBe(1);
    expect((await requests.get(b))?.counts.in_flight).toBe(1);
  });

  it('when the request had completed, then requeue waits for its retire job, then reopens it: keys keep no TTL and the next completion has a new generation', async () => {
    const r = await submit('q4', ['a:ok', 'a:bad']);
    await store.claim('q4', 'b1', { ...claimOpts, maxItems: 1 });
    await store.beginAttempt('q4', 'b1', day);
    await store.finishBatch('q4', 'b1', { type: 'submitted', taskId: 't'.repeat(32) }, 6000, 600);
    await store.recordResults('q4', 'b1', [{ id: (await redis.lindex(tenantKeys(prefix, 'q4').requestItems(r), 0))!, verdict: 'completed' }], { now: 6500, ttlSeconds: 600, failure: { code: 'F', message: 'f' } });
    expect((await failAll('q4', 'b2')).completedRequests).toEqual([r]);
    expect(await admin.requeueFailed(r, { now: 8000 })).toEqual({ status: 'busy' });
    await store.retireRequestItems('q4', r, 600);
    await store.markRetired('q4', r, 0);
    expect(await admin.requeueFailed(r, { now: 8000, pageSize: 1 })).toEqual({ status: 'ok', tenant: 'q4', requeued: 1, reopened: true });
    const k = tenantKeys(prefix, 'q4');
    expect(await redis.ttl(k.request(r))).toBe(-1);
    // the completed item's record, on a page before the one that reopened the request, too
    expect(await redis.ttl(k.instance((await redis.lindex(k.requestItems(r), 0))!))).toBe(-1);
    expect(await store.requestGeneration('q4', r)).toBe(1);
    expect(await admin.generation(r)).toBe(1);
  });

  it('when the request was canceled, then requeue refuses', async () => {
    const r = await submit('q5', ['a:c1', 'a:c2']);
    await store.claim('q5', 'b1', { ...claimOpts, maxItems: 1 });
    await admin.cancel(r, cancelOpts);
    expect(await admin.requeueFailed(r, { now: 8000 })).toEqual({ status: 'canceled' });
    expect(await admin.requeueFailed('q5.nosuchrequest0', { now: 8000 })).toEqual({ status: 'missing' });
  });
});

import { createDispatchStore, createRequestStore, pendingCount, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

const redis = newRedis();
const prefix = testPrefix('store');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const day = { dayId: '2026-11-23', dailyLimit: 25, ttlSeconds: 600 };
const claimOpts = (now: number) => ({ now, lingerMs: 1000, maxItems: 10, ...day });
let seq = 0;

async function submit(tenant: string, items: string[], priority: 'high' | 'normal' | 'low' = 'normal', now = 1000) {
  const requestId = `${tenant}.req${String(++seq).padStart(8, '0')}`;
  await requests.stage(tenant, requestId, items, 600);
  await requests.create({ tenant, requestId, priority, received: items.length, createdAt: now }, 600);
  const res = await store.coalesce(tenant, requestId, priority, 0, items.length, items, now);
  await store.finishIngest(tenant, requestId, 600);
  return { requestId, res };
}

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('coalescing and claiming', () => {
  it('when a request repeats an item, then it collapses, and a second request for a pending item links to it', async () => {
    const a = await submit('t1', ['u:http://x/1', 'u:http://x/1', 'a:asset1']);
    expect(a.res).toEqual({ created: 2, linked: 0, duplicates: 1 });
    const b = await submit('t1', ['u:http://x/1', 'u:http://x/2']);
    expect(b.res).toEqual({ created: 1, linked: 1, duplicates: 0 });
    expect(await pendingCount(redis, tenantKeys(prefix, 't1'))).toBe(3);
    expect((await requests.get(a.requestId))?.counts.pending).toBe(2);
    expect((await requests.get(b.requestId))?.counts.pending).toBe(2);
  });

  it('when an item repeats in a later chunk of the same request, then it collapses, whether still pending or claimed meanwhile', async () => {
    const requestId = `t9.req${String(++seq).padStart(8, '0')}`;
    const items = ['a:first', 'a:second', 'a:third'];
    await requests.stage('t9', requestId, items, 600);
    await requests.create({ tenant: 't9', requestId, priority: 'normal', received: 6, createdAt: 1000 }, 600);
    expect(await store.coalesce('t9', requestId, 'normal', 0, 3, items, 1000)).toEqual({ created: 3, linked: 0, duplicates: 0 });
    // 'first' and 'second' go out before the rest of the request is coalesced
    const claim = await store.claim('t9', 'b1', { ...claimOpts(5000), maxItems: 2 });
    expect(claim).toMatchObject({ action: 'send', values: ['first', 'second'] });
    // the second chunk repeats one claimed item, one pending item, and brings one new item
    expect(await store.coalesce('t9', requestId, 'normal', 3, 3, ['a:first', 'a:third', 'a:fourth'], 6000)).toEqual({ created: 1, linked: 0, duplicates: 2 });
    await store.finishIngest('t9', requestId, 600);
    expect((await requests.items(requestId, 0, 10)).items.map((i) => i.value)).toEqual(['first', 'second', 'third', 'fourth']);
    expect((await requests.get(requestId))?.counts).toMatchObject({ pending: 2, in_flight: 2 });
  });

  it('when a chunk is applied twice, then the second time changes nothing', async () => {
    const { requestId } = await submit('t2', ['a:x1']);
    expect(await store.coalesce('t2', requestId, 'normal', 0, 1, ['a:x1'], 1000)).toBeNull();
    expect((await requests.get(requestId))?.counts.pending).toBe(1);
  });

  it('when fewer than 10 items wait less than the linger, then the claim says when to come back', async () => {
    await submit('t3', ['u:http://y/1', 'u:http://y/2'], 'normal', 5000);
    expect(await store.claim('t3', 'b1', claimOpts(5500))).toEqual({ action: 'wait', until: 6000 });
    const sent = await store.claim('t3', 'b1', claimOpts(6000));
    expect(sent).toMatchObject({ action: 'send', kind: 'url', more: 0, values: ['http://y/1', 'http://y/2'] });
    expect(await store.claim('t3', 'b1', claimOpts(6000))).toEqual({ action: 'existing' });
    expect(await store.claim('t3', 'b2', claimOpts(6000))).toEqual({ action: 'idle' });
  });

  it('when items of both kinds and priorities wait, then high priority goes first and a batch never mixes kinds', async () => {
    await submit('t4', Array.from({ length: 12 }, (_, i) => `u:http://z/${i}`), 'low', 1000);
    await submit('t4', ['a:urgent1', 'a:urgent2'], 'high', 2000);
    const first = await store.claim('t4', 'b1', claimOpts(3000));
    expect(first).toMatchObject({ action: 'send', kind: 'asset_id', values: ['urgent1', 'urgent2'] });
    const second = await store.claim('t4', 'b2', claimOpts(3000));
    expect(second).toMatchObject({ action: 'send', kind: 'url', more: 2 });
    if (second.action === 'send') expect(second.values).toEqual(Array.from({ length: 10 }, (_, i) => `http://z/${i}`));
  });

  it('when the budget runs short, then the batch shrinks to what remains and then the claim reports the budget', async () => {
    await submit('t5', Array.from({ length: 30 }, (_, i) => `a:item${i}`));
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await store.claim('t5', `b${i}`, claimOpts(1000));
      if (c.action === 'send') sizes.push(c.ids.length);
      else sizes.push(-1);
    }
    expect(sizes).toEqual([10, 10, 5, -1]);
    expect(await store.claim('t5', 'b9', claimOpts(1000))).toEqual({ action: 'budget' });
    expect(await redis.get(tenantKeys(prefix, 't5').budget(day.dayId))).toBe('25');
  });

  it('when a batch is submitted, then every linked request counts it and its task id, and none completes before the verdict', async () => {
    const a = await submit('t6', ['a:shared']);
    const b = await submit('t6', ['a:shared', 'a:own']);
    await store.claim('t6', 'b1', claimOpts(5000));
    expect(await store.beginAttempt('t6', 'b1', day)).toBe('ok');
    const finished = await store.finishBatch('t6', 'b1', { type: 'submitted', taskId: 'f'.repeat(32) }, 6000, 600);
    expect(finished.items).toBe(2);
    // submitted is not final: VOD's verdict comes later (record-results.lua)
    expect(finished.completedRequests).toEqual([]);
    // item records keep no TTL until their request is retired
    const firstItem = (await redis.lrange(tenantKeys(prefix, 't6').requestItems(b.requestId), 0, 0))[0]!;
    expect(await redis.ttl(tenantKeys(prefix, 't6').instance(firstItem))).toBe(-1);
    expect(await store.retireRequestItems('t6', b.requestId, 600)).toBe(2);
    expect(await redis.ttl(tenantKeys(prefix, 't6').instance(firstItem))).toBeGreaterThan(0);
    const ra = await requests.get(a.requestId);
    const rb = await requests.get(b.requestId);
    expect(ra?.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 1, completed: 0, failed: 0, unknown: 0, canceled: 0 });
    expect(ra?.taskIds).toEqual(['f'.repeat(32)]);
    expect(rb?.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 2, completed: 0, failed: 0, unknown: 0, canceled: 0 });
    const page = await requests.items(b.requestId, 0, 10);
    expect(page.items.map((i) => [i.value, i.state, i.task_id])).toEqual([
      ['shared', 'submitted', 'f'.repeat(32)],
      ['own', 'submitted', 'f'.repeat(32)],
    ]);
  });

  it('when a call never reached VOD, then its budget is held for the retry, or given back when none follows', async () => {
    await submit('t7', ['a:r1', 'a:r2']);
    const budgetKey = tenantKeys(prefix, 't7').budget(day.dayId);
    await store.claim('t7', 'b1', claimOpts(5000));
    expect(await redis.get(budgetKey)).toBe('2');
    await store.beginAttempt('t7', 'b1', day);
    await store.holdBudget('t7', 'b1', day.dayId, false);
    await store.beginAttempt('t7', 'b1', day); // uses the held budget, spends nothing new
    expect(await redis.get(budgetKey)).toBe('2');
    await store.holdBudget('t7', 'b1', day.dayId, true);
    expect(await redis.get(budgetKey)).toBe('0');
  });

  it('when a retry follows a call that may have reached VOD, then it spends budget again, and waits when none is left', async () => {
    await submit('t8', Array.from({ length: 20 }, (_, i) => `a:q${i}`));
    const budgetKey = tenantKeys(prefix, 't8').budget(day.dayId);
    await store.claim('t8', 'b1', claimOpts(5000));
    await store.claim('t8', 'b2', claimOpts(5000));
    expect(await store.beginAttempt('t8', 'b1', day)).toBe('ok');
    expect(await store.beginAttempt('t8', 'b1', day)).toBe('budget'); // 20 + 10 > 25
    expect(await redis.get(budgetKey)).toBe('20');
    expect(await store.beginAttempt('t8', 'b1', { ...day, dayId: '2026-11-24' })).toBe('ok');
  });

  it('when a claimed batch waits for the next budget day, then every linked request sees its items deferred until the wait ends, and no budget moves', async () => {
    const a = await submit('t10', ['a:shared']);
    const b = await submit('t10', ['a:shared', 'a:own', 'a:later']);
    const k = tenantKeys(prefix, 't10');
    await store.claim('t10', 'b1', { ...claimOpts(5000), maxItems: 2 });
    expect(await store.beginAttempt('t10', 'b1', day)).toBe('ok');
    const budgetBefore = await redis.get(k.budget(day.dayId));
    const batchBefore = await redis.hmget(k.batch('b1'), 'st', 'res', 'day', 'attempts');

    const resetsAt = 86_400_000;
    expect(await store.deferBatch('t10', 'b1', resetsAt)).toBe(2);
    // a second mark (a rerun of the job) only moves the instant
    expect(await store.deferBatch('t10', 'b1', resetsAt + 1)).toBe(0);
    expect((await store.batch('t10', 'b1'))?.waitingUntil).toBe(resetsAt + 1);
    expect((await requests.get(a.requestId))?.counts).toMatchObject({ pending: 0, deferred: 1, in_flight: 0 });
    expect((await requests.get(b.requestId))?.counts).toMatchObject({ pending: 1, deferred: 2, in_flight: 0 });
    expect((await requests.items(b.requestId, 0, 10)).items.map((i) => [i.value, i.state])).toEqual([
      ['shared', 'deferred'], ['own', 'deferred'], ['later', 'pending'],
    ]);
    expect(await redis.get(k.budget(day.dayId))).toBe(budgetBefore);
    expect(await redis.hmget(k.batch('b1'), 'st', 'res', 'day', 'attempts')).toEqual(batchBefore);

    expect(await store.endDeferral('t10', 'b1')).toBe(2);
    expect(await store.endDeferral('t10', 'b1')).toBe(0);
    expect((await store.batch('t10', 'b1'))?.waitingUntil).toBeUndefined();
    expect((await requests.get(b.requestId))?.counts).toMatchObject({ pending: 1, deferred: 0, in_flight: 2 });
    expect((await requests.items(b.requestId, 0, 10)).items.map((i) => i.state)).toEqual(['in_flight', 'in_flight', 'pending']);
    expect(await redis.get(k.budget(day.dayId))).toBe(budgetBefore);
  });

  it('when a batch is finished while still marked waiting (an older worker in a rollout), then its items leave the deferred count too', async () => {
    const a = await submit('t12', ['a:x', 'a:y']);
    await store.claim('t12', 'b1', claimOpts(5000));
    await store.deferBatch('t12', 'b1', 86_400_000);
    await store.beginAttempt('t12', 'b1', day);
    await store.finishBatch('t12', 'b1', { type: 'submitted', taskId: 'f'.repeat(32) }, 6000, 600);
    expect((await requests.get(a.requestId))?.counts).toMatchObject({ deferred: 0, in_flight: 0, submitted: 2 });
  });

  it('when there is no batch under the id, or it is done, then marking it waiting changes nothing and creates no key', async () => {
    const { requestId } = await submit('t11', ['a:one']);
    const k = tenantKeys(prefix, 't11');
    expect(await store.deferBatch('t11', 'none', 86_400_000)).toBe(0);
    expect(await redis.exists(k.batch('none'))).toBe(0);
    await store.claim('t11', 'b1', claimOpts(5000));
    await store.beginAttempt('t11', 'b1', day);
    await store.finishBatch('t11', 'b1', { type: 'submitted', taskId: 'f'.repeat(32) }, 6000, 600);
    expect(await store.deferBatch('t11', 'b1', 86_400_000)).toBe(0);
    expect((await requests.get(requestId))?.counts).toMatchObject({ deferred: 0, in_flight: 0, submitted: 1 });
  });
});

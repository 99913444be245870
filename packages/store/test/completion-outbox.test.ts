import { createAdminStore, createDispatchStore, createRequestStore, tenantKeys, type PendingCompletion } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

/**
 * The completion outbox (keys.ts `completions`): every script that completes a request records
 * the completion in the same step, and mark-retired.lua takes it out. What is left in it is
 * what a worker that died between the two never reported.
 */
const redis = newRedis();
const prefix = testPrefix('outbox');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const admin = createAdminStore(redis, prefix);
const day = { dayId: '2026-11-23', dailyLimit: 1000, ttlSeconds: 600 };
const TASK = 'f'.repeat(32);
let seq = 0;

async function create(tenant: string, received: number) {
  const requestId = `${tenant}.box${String(++seq).padStart(8, '0')}`;
  await requests.create({ tenant, requestId, priority: 'normal', received, createdAt: 1000 }, 600);
  return requestId;
}

async function submit(tenant: string, items: string[]) {
  const requestId = await create(tenant, items.length);
  await store.coalesce(tenant, requestId, 'normal', 0, items.length, items, 1000);
  await store.finishIngest(tenant, requestId, 600, 1500);
  return requestId;
}

async function claim(tenant: string, batchId: string, now = 5000) {
  const c = await store.claim(tenant, batchId, { now, lingerMs: 0, maxItems: 10, ...day });
  if (c.action !== 'send') throw new Error(`nothing claimed: ${c.action}`);
  await store.beginAttempt(tenant, batchId, day);
  return c;
}

const failBatch = (tenant: string, batchId: string, now: number) =>
  store.finishBatch(tenant, batchId, { type: 'failed', code: 'VOD.10052', message: 'refused' }, now, 600);

async function outbox(tenant: string, before = Number.MAX_SAFE_INTEGER): Promise<PendingCompletion[]> {
  const all: PendingCompletion[] = [];
  for await (const page of store.completionsBefore(tenant, before)) all.push(...page);
  return all;
}

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('the completion outbox', () => {
  it('when a batch outcome completes requests, then each enters its tenant\'s outbox with its generation and the instant, in the same step', async () => {
    const a = await submit('o1', ['a:x1']);
    const b = await submit('o1', ['a:x1', 'a:x2']); // x1 shared with a
    await claim('o1', 'b1');
    const open = await submit('o1', ['a:x3']);
    await failBatch('o1', 'b1', 6000);
    expect((await outbox('o1')).sort((x, y) => x.requestId.localeCompare(y.requestId))).toEqual([
      { requestId: a, gen: 0, completedAt: 6000 },
      { requestId: b, gen: 0, completedAt: 6000 },
    ]);
    // the one whose item is still pending is not complete
    expect((await outbox('o1')).map((c) => c.requestId)).not.toContain(open);
    // a rerun of the same outcome completes nothing and adds nothing
    expect(await failBatch('o1', 'b1', 7000)).toEqual({ items: 0, completedRequests: [] });
    expect((await outbox('o1')).map((c) => c.completedAt)).toEqual([6000, 6000]);
    // the entry lives in the tenant's slot, with its other keys
    expect(tenantKeys(prefix, 'o1').completions).toMatch(/\{o1\}/);
  });

  it('when a submitted batch is only accepted, then nothing completes; VOD\'s verdicts complete the request and it enters the outbox then', async () => {
    const r = await submit('o2', ['u:http://x/1', 'u:http://x/2']);
    const c = await claim('o2', 'b1');
    await store.finishBatch('o2', 'b1', { type: 'submitted', taskId: TASK }, 6000, 600);
    expect(await outbox('o2')).toEqual([]);
    const failure = { code: 'F', message: 'failed' };
    await store.recordResults('o2', 'b1', [{ id: c.ids[0]!, verdict: 'completed' }], { now: 7000, ttlSeconds: 600, failure });
    expect(await outbox('o2')).toEqual([]);
    await store.recordResults('o2', 'b1', [{ id: c.ids[1]!, verdict: 'failed_vod' }], { now: 8000, ttlSeconds: 600, failure });
    expect(await outbox('o2')).toEqual([{ requestId: r, gen: 0, completedAt: 8000 }]);
  });

  it('when a request completes as its ingest finishes or as an admin cancels it, then it enters the outbox', async () => {
    // canceled while coalescing: finishing the ingest completes it
    const coalescing = await create('o3', 4);
    await store.coalesce('o3', coalescing, 'normal', 0, 2, ['a:c1', 'a:c2'], 1000);
    expect((await admin.cancel(coalescing, { now: 3000, ttlSeconds: 600 })).status).toBe('ok');
    expect(await outbox('o3')).toEqual([]);
    expect(await store.finishIngest('o3', coalescing, 600, 3500)).toBe(true);
    // coalesced, then canceled: the cancel completes it
    const waiting = await submit('o3', ['a:c3']);
    await admin.cancel(waiting, { now: 4000, ttlSeconds: 600 });
    expect(await outbox('o3')).toEqual([
      { requestId: coalescing, gen: 0, completedAt: 3500 },
      { requestId: waiting, gen: 0, completedAt: 4000 },
    ]);
  });

  it('when its retire job marks it retired, then the completion leaves the outbox and requeue may reopen the request', async () => {
    const r = await submit('o4', ['a:bad']);
    await claim('o4', 'b1');
    await failBatch('o4', 'b1', 6000);
    expect(await store.completionState('o4', r, 0)).toBe('due');
    expect(await admin.requeueFailed(r, { now: 7000 })).toEqual({ status: 'busy' });
    await store.markRetired('o4', r, 0);
    expect(await outbox('o4')).toEqual([]);
    expect(await store.completionState('o4', r, 0)).toBe('retired');
    expect(await admin.requeueFailed(r, { now: 7000 })).toMatchObject({ status: 'ok', reopened: true });
  });

  it('when a retire job of an earlier completion runs again after the request was reopened, then it changes nothing of the later completions', async () => {
    const r = await submit('o5', ['a:again']);
    await claim('o5', 'b1');
    await failBatch('o5', 'b1', 6000);
    await store.markRetired('o5', r, 0);
    await admin.requeueFailed(r, { now: 7000 });
    expect(await store.completionState('o5', r, 0)).toBe('superseded');

    // completion 1: its own outbox entry, untouched by a late mark of completion 0
    await claim('o5', 'b2', 7500);
    await failBatch('o5', 'b2', 8000);
    await store.markRetired('o5', r, 0);
    expect(await outbox('o5')).toEqual([{ requestId: r, gen: 1, completedAt: 8000 }]);
    expect(await store.completionState('o5', r, 1)).toBe('due');
    expect(await admin.requeueFailed(r, { now: 9000 })).toEqual({ status: 'busy' });

    // once completion 1 is retired, a late mark of completion 0 does not undo it
    await store.markRetired('o5', r, 1);
    await store.markRetired('o5', r, 0);
    expect(await store.completionState('o5', r, 1)).toBe('retired');
    expect(await outbox('o5')).toEqual([]);
    expect(await admin.requeueFailed(r, { now: 9000 })).toMatchObject({ status: 'ok', reopened: true });
  });

  it('when the request record is gone, then its retire job finds it gone and still clears its outbox entry', async () => {
    const r = await submit('o6', ['a:gone']);
    await claim('o6', 'b1');
    await failBatch('o6', 'b1', 6000);
    await redis.del(tenantKeys(prefix, 'o6').request(r));
    expect(await store.completionState('o6', r, 0)).toBe('gone');
    await store.markRetired('o6', r, 0);
    expect(await outbox('o6')).toEqual([]);
    expect(await redis.exists(tenantKeys(prefix, 'o6').request(r))).toBe(0);
  });

  it('when a page of entries is sorted for the sweep, then the due ones come back in order and the others only leave the outbox', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await submit('o8', [`a:s${i}`]));
      await claim('o8', `b${i}`);
      await failBatch('o8', `b${i}`, 6000 + i);
    }
    const [due1, retired, gone, due2] = ids as [string, string, string, string];
    // retired by a worker of an earlier version, whose mark left the entry
    await store.markRetired('o8', retired, 0);
    await redis.zadd(tenantKeys(prefix, 'o8').completions, 6001, `${retired}:0`);
    await redis.del(tenantKeys(prefix, 'o8').request(gone));
    const page = await outbox('o8');
    expect(page.map((c) => c.requestId)).toEqual(ids);

    expect(await store.dueCompletions('o8', page)).toEqual([page[0], page[3]]);
    expect((await outbox('o8')).map((c) => c.requestId)).toEqual([due1, due2]);
    expect(await redis.exists(tenantKeys(prefix, 'o8').request(gone))).toBe(0);
    expect(await store.completionState('o8', due1, 0)).toBe('due');
  });

  it('when entries are read before an instant, then only older ones come, oldest first, a page at a time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await submit('o7', [`a:p${i}`]));
      await claim('o7', `b${i}`);
      await failBatch('o7', `b${i}`, 10_000 - i * 1000);
    }
    const pages: PendingCompletion[][] = [];
    for await (const page of store.completionsBefore('o7', 9000, 2)) pages.push(page);
    // completed at 10000, 9000, 8000, 7000, 6000: before 9000 are the last three
    expect(pages.map((p) => p.map((c) => c.completedAt))).toEqual([[6000, 7000], [8000]]);
    expect(pages.flat().map((c) => c.requestId)).toEqual([ids[4], ids[3], ids[2]]);
  });
});

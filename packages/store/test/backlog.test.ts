import { createDispatchStore, createRequestStore, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

// a second connection stands for a second API replica
const redis = newRedis();
const other = newRedis();
const prefix = testPrefix('backlog');
const requests = createRequestStore(redis, prefix);
const otherRequests = createRequestStore(other, prefix);
const dispatch = createDispatchStore(redis, prefix);
const T0 = Date.parse('2030-03-10T04:00:00Z');
const keys = (tenant: string) => tenantKeys(prefix, tenant);

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await Promise.all([redis.quit(), other.quit()]);
});

const record = (tenant: string, n: number, received: number) =>
  ({ tenant, requestId: `${tenant}.req${String(n).padStart(8, '0')}`, priority: 'normal' as const, received, createdAt: T0 });

/** Stages `lines` and records the request under `cap`; returns the admission. */
async function submit(tenant: string, n: number, lines: string[], cap?: number, store = requests) {
  const r = record(tenant, n, lines.length);
  await store.stage(tenant, r.requestId, lines, 600);
  const admission = await store.create(r, 600, cap);
  return { ...admission, requestId: r.requestId };
}

describe("a tenant's backlog", () => {
  it('when requests are recorded, coalesced and finished, then the backlog counts their lines until coalesced and their pending items after', async () => {
    const first = await submit('t1', 1, ['a:x', 'a:y', 'a:x', 'a:z']);
    expect(first).toMatchObject({ admitted: true, backlog: 0 });
    expect(await requests.backlog('t1')).toBe(4);

    // the first chunk of 2 lines moves into the pending index; the rest still waits
    await dispatch.coalesce('t1', first.requestId, 'normal', 0, 2, ['a:x', 'a:y'], T0);
    expect(await requests.backlog('t1')).toBe(2 + 2);
    // a duplicate collapses: 4 lines are 3 pending items
    await dispatch.coalesce('t1', first.requestId, 'normal', 2, 2, ['a:x', 'a:z'], T0);
    expect(await requests.backlog('t1')).toBe(3);
    await dispatch.finishIngest('t1', first.requestId, 600);
    expect(await redis.get(keys('t1').staged)).toBe('0');
    expect(await requests.backlog('t1')).toBe(3);
  });

  it('when a request is finished before all its lines were coalesced, then the rest leaves the backlog once', async () => {
    const r = await submit('t2', 1, ['a:1', 'a:2', 'a:3']);
    await dispatch.coalesce('t2', r.requestId, 'normal', 0, 1, ['a:1'], T0);
    await dispatch.finishIngest('t2', r.requestId, 600);
    await dispatch.finishIngest('t2', r.requestId, 600);
    expect(await redis.get(keys('t2').staged)).toBe('0');
    expect(await requests.backlog('t2')).toBe(1);
  });

  it('when the API discards a request it had recorded, then its lines leave the backlog; discarding one never recorded changes nothing', async () => {
    const kept = await submit('t3', 1, ['a:1', 'a:2']);
    const dropped = await submit('t3', 2, ['a:3', 'a:4', 'a:5']);
    expect(await requests.backlog('t3')).toBe(5);
    await requests.discard('t3', dropped.requestId);
    await requests.discard('t3', 't3.neverrecorded');
    expect(await requests.backlog('t3')).toBe(2);
    expect(await redis.exists(keys('t3').request(dropped.requestId), keys('t3').requestStage(dropped.requestId))).toBe(0);
    expect(await redis.exists(keys('t3').request(kept.requestId))).toBe(1);
  });

  it('when a request would take the backlog over the cap, then it is refused with the backlog and nothing is written', async () => {
    expect(await submit('t4', 1, ['a:1', 'a:2', 'a:3'], 5)).toMatchObject({ admitted: true, backlog: 0 });
    const refused = await submit('t4', 2, ['a:4', 'a:5', 'a:6'], 5);
    expect(refused).toMatchObject({ admitted: false, backlog: 3 });
    expect(await redis.exists(keys('t4').request(refused.requestId))).toBe(0);
    // the stage is the caller's to discard; its TTL was not extended to the retention period
    expect(await redis.ttl(keys('t4').requestStage(refused.requestId))).toBeLessThanOrEqual(600);
    expect(await requests.backlog('t4')).toBe(3);
    // exactly at the cap is still room
    expect(await submit('t4', 3, ['a:4', 'a:5'], 5)).toMatchObject({ admitted: true, backlog: 3 });
  });

  it('when two replicas record many requests at once, then together they never pass the cap', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `a:c${i}`);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => submit('t5', i, lines, 95, i % 2 ? otherRequests : requests)));
    expect(results.filter((r) => r.admitted)).toHaveLength(9);
    expect(await requests.backlog('t5')).toBe(90);
  });

  it('when lines are coalesced that were never counted (recorded before the counter existed), then the counter stops at zero', async () => {
    const r = await submit('t6', 1, ['a:1', 'a:2']);
    await redis.del(keys('t6').staged);
    await dispatch.coalesce('t6', r.requestId, 'normal', 0, 2, ['a:1', 'a:2'], T0);
    expect(await redis.get(keys('t6').staged)).toBe('0');
    expect(await requests.backlog('t6')).toBe(2);
  });

  it('when uploads stream on two replicas, then their chunks count as they arrive, a chunk past the cap is refused, admission moves the lines over, and a dead API\'s lines leave with its lease', async () => {
    const lease = { ttlSeconds: 600, maxBacklog: 10, leaseMs: 60_000 };
    const a = record('t9', 1, 6);
    const b = record('t9', 2, 6);
    expect(await requests.stageCounted('t9', a.requestId, ['a:1', 'a:2', 'a:3', 'a:4'], { ...lease, now: T0 })).toEqual({ admitted: true, backlog: 0 });
    expect(await otherRequests.stageCounted('t9', b.requestId, ['a:5', 'a:6', 'a:7', 'a:8'], { ...lease, now: T0 })).toEqual({ admitted: true, backlog: 4 });
    expect(await requests.backlog('t9')).toBe(8);
    // 8 + 3 > 10: refused, nothing written
    expect(await requests.stageCounted('t9', a.requestId, ['a:9', 'a:10', 'a:11'], { ...lease, now: T0 })).toEqual({ admitted: false, backlog: 8 });
    expect(await redis.llen(keys('t9').requestStage(a.requestId))).toBe(4);

    // a's API records it with its 4 lines: counted once, now in the staged counter
    expect(await requests.create({ ...a, received: 4 }, 600, 10, T0)).toMatchObject({ admitted: true, backlog: 4 });
    expect(await requests.backlog('t9')).toBe(8);

    // b's API died mid-upload, so nobody renews b's lease; a renewal for a, no longer arriving,
    // adds nothing back
    await requests.renewUpload('t9', a.requestId, T0 + 120_000);
    expect(await redis.zscore(keys('t9').uploadLeases, a.requestId)).toBeNull();
    const later = T0 + 60_001;
    expect(await requests.stageCounted('t9', 't9.req00000003', ['a:12'], { ...lease, now: later })).toEqual({ admitted: true, backlog: 4 });
    expect(await requests.backlog('t9')).toBe(5);
  });

  it("when uploads stage long lines, then their bytes count against the tenant's staging cap as they arrive, move to the request on admission, and leave as they are coalesced or the request ends", async () => {
    const lease = { ttlSeconds: 600, maxBacklog: 1_000, leaseMs: 60_000, maxStagedBytes: 100 };
    const line = (i: number) => `u:https://x.example/${String(i).padStart(20, '0')}`; // 40 bytes
    const bytes = async () => Number((await redis.get(keys('t10').stagedBytes)) ?? 0);
    const a = record('t10', 1, 3);
    const b = record('t10', 2, 1);
    expect(await requests.stageCounted('t10', a.requestId, [line(1), line(2)], { ...lease, now: T0 })).toEqual({ admitted: true, backlog: 0 });
    // 80 + 40 > 100: refused for its bytes, naming the tenant's staged bytes and the chunk's, nothing written
    expect(await otherRequests.stageCounted('t10', b.requestId, [line(3)], { ...lease, now: T0 }))
      .toEqual({ admitted: false, backlog: -1, stagedBytes: 80, incomingBytes: 40 });
    expect(await redis.llen(keys('t10').requestStage(b.requestId))).toBe(0);

    // admission moves a's 80 bytes to the staged counter (and the request's `sb`); coalescing
    // its first line takes 40 off, and finishing it early the rest
    await requests.create({ ...a, received: 2 }, 600, 1_000, T0);
    expect(await bytes()).toBe(80);
    await dispatch.coalesce('t10', a.requestId, 'normal', 0, 1, [line(1)], T0, 0, '2030-03-10', undefined, 40);
    expect(await bytes()).toBe(40);
    await dispatch.finishIngest('t10', a.requestId, 600);
    expect(await bytes()).toBe(0);

    // a request the API discards gives its bytes back, whether recorded or still arriving
    expect(await requests.stageCounted('t10', b.requestId, [line(3)], { ...lease, now: T0 })).toEqual({ admitted: true, backlog: 1 });
    await requests.discard('t10', b.requestId);
    expect(await redis.hlen(keys('t10').uploadBytes)).toBe(0);
    expect(await bytes()).toBe(0);
  });
});

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
});

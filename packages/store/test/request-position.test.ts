import { createDispatchStore, createRequestStore } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

const redis = newRedis();
const prefix = testPrefix('position');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const claimOpts = (now: number) => ({ now, lingerMs: 0, maxItems: 10, dayId: '2026-11-23', dailyLimit: 100_000, ttlSeconds: 600 });
let seq = 0;

const assets = (n: number, base: string) => Array.from({ length: n }, (_, i) => `a:${base}${i}`);
const urls = (n: number, base: string) => Array.from({ length: n }, (_, i) => `u:http://x/${base}/${i}`);

/** What the API and the ingest job do for a request, in one chunk (or only staged, when `coalesce` is false). */
async function submit(tenant: string, items: string[], priority: 'high' | 'normal' | 'low' = 'normal', coalesce = true) {
  const requestId = `${tenant}.req${String(++seq).padStart(8, '0')}`;
  await requests.stage(tenant, requestId, items, 600);
  await requests.create({ tenant, requestId, priority, received: items.length, createdAt: 1000 }, 600);
  if (coalesce) {
    await store.coalesce(tenant, requestId, priority, 0, items.length, items, 1000);
    await store.finishIngest(tenant, requestId, 600);
  }
  return requestId;
}
const DAY = '2026-11-23';
const ahead = async (requestId: string) => (await requests.position(requestId, DAY))?.itemsAhead;

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe("a request's position in its tenant's queues", () => {
  it('when requests queue at one priority, then each counts everything queued before its last item, both kinds, its own included', async () => {
    const first = await submit('t1', assets(30, 'first'));
    const second = await submit('t1', [...urls(5, 'second'), ...assets(5, 'second')]);
    const third = await submit('t1', urls(7, 'third'));
    expect(await ahead(first)).toBe(30);
    expect(await ahead(second)).toBe(40);
    expect(await requests.position(third, DAY)).toEqual({ itemsAhead: 47, exact: true, used: 0, priority: 'normal' });
  });

  it('when a high-priority request comes after a large low-priority backlog, then only the higher and earlier items count', async () => {
    const backlog = await submit('t2', assets(500, 'bulk'), 'low');
    const normal = await submit('t2', urls(20, 'n'), 'normal');
    const urgent = await submit('t2', assets(3, 'urgent'), 'high');
    expect(await ahead(urgent)).toBe(3);
    expect(await ahead(normal)).toBe(23);
    expect(await ahead(backlog)).toBe(523);
  });

  it('when batches go out, then the position shrinks with them, and is 0 once nothing of the request is pending', async () => {
    const a = await submit('t3', assets(25, 'a'));
    const b = await submit('t3', assets(12, 'b'));
    await store.claim('t3', 'b1', claimOpts(5000));
    expect(await ahead(b)).toBe(27);
    await store.claim('t3', 'b2', claimOpts(5000));
    await store.claim('t3', 'b3', claimOpts(5000));
    // the budget the claims reserved comes with the position, read at the same moment
    expect(await requests.position(a, DAY)).toEqual({ itemsAhead: 0, exact: true, used: 30, priority: 'normal' });
    expect(await ahead(b)).toBe(7);
  });

  it('when a batch of the request waits for the next budget day, then its items still count: they need their call and its budget', async () => {
    const a = await submit('t6', assets(15, 'a'));
    await store.claim('t6', 'b1', claimOpts(5000));
    await store.deferBatch('t6', 'b1', 86_400_000);
    expect(await ahead(a)).toBe(15);
    await store.claim('t6', 'b2', claimOpts(5000));
    // nothing of it pending any more: only the waiting batch
    expect(await requests.position(a, DAY)).toEqual({ itemsAhead: 10, exact: true, used: 15, priority: 'normal' });
    await store.endDeferral('t6', 'b1');
    expect(await ahead(a)).toBe(0);
  });

  it('when a request is still being coalesced, then its lines not yet queued count after everything at its priority', async () => {
    await submit('t4', assets(10, 'before'));
    const staged = await submit('t4', urls(40, 'later'), 'normal', false);
    expect(await requests.position(staged, DAY)).toMatchObject({ itemsAhead: 50, exact: false });
  });

  it('when only items shared with an earlier request are left, then it counts everything at its priority and above', async () => {
    const first = await submit('t5', assets(10, 's'));
    const sharing = await submit('t5', assets(10, 's'));
    await submit('t5', assets(5, 'after'));
    expect(await ahead(first)).toBe(10);
    expect(await requests.position(sharing, DAY)).toMatchObject({ itemsAhead: 15, exact: false });
  });

  it('when the request id is not a request id, then there is no position', async () => {
    expect(await requests.position('nonsense', DAY)).toBeNull();
  });

  it('when nothing of a high-priority request is pending any more, then its position still says it is high', async () => {
    const urgent = await submit('t9', assets(2, 'u'), 'high');
    expect(await store.claim('t9', 'b1', claimOpts(5000))).toMatchObject({ action: 'send' });
    expect(await requests.position(urgent, DAY)).toEqual({ itemsAhead: 0, exact: true, used: 2, priority: 'high' });
  });
});


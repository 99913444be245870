import { Queue } from 'bullmq';
import { QUEUE_NAMES, createDispatchStore, createMetricsStore, createRequestStore, createTenantGate, queuePrefix, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

const redis = newRedis();
const prefix = testPrefix('metrics-store');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const metrics = createMetricsStore(redis, prefix, () => undefined);
const dayId = '2026-11-23';
let seq = 0;

async function submit(tenant: string, items: string[], priority: 'high' | 'normal' | 'low', now: number) {
  const requestId = `${tenant}.req${String(++seq).padStart(8, '0')}`;
  await requests.stage(tenant, requestId, items, 600);
  await requests.create({ tenant, requestId, priority, received: items.length, createdAt: now }, 600);
  await store.coalesce(tenant, requestId, priority, 0, items.length, items, now);
}

afterAll(async () => {
  await metrics.close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('metrics store', () => {
  it('when nothing was ever queued, then zeros, no oldest item and zero jobs in every state', async () => {
    const r = await metrics.read([{ id: 'empty', dayId }]);
    expect(r.tenants.get('empty')).toEqual({ used: 0, pending: { high: 0, normal: 0, low: 0 }, oldestPendingAt: null, paused: null, unretired: 0, oldestUnretiredAt: null, charges: {}, held: 0, scheduled: 0 });
    expect(Object.values(r.jobs.ingest).every((n) => n === 0)).toBe(true);
    expect(Object.keys(r.jobs.dispatch).sort()).toEqual(['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children']);
  });

  it('when both kinds wait at several priorities, then pending sums kinds per priority and the oldest is the oldest head', async () => {
    await submit('t1', ['u:http://x/1', 'a:a1'], 'normal', 5000);
    await submit('t1', ['u:http://x/2', 'u:http://x/3', 'a:a2'], 'high', 7000);
    await submit('t1', ['a:a3'], 'low', 3000);
    await redis.set(tenantKeys(prefix, 't1').budget(dayId), 42);
    const r = await metrics.read([{ id: 't1', dayId }, { id: 'empty', dayId }]);
    expect(r.tenants.get('t1')).toEqual({ used: 42, pending: { high: 3, normal: 2, low: 1 }, oldestPendingAt: 3000, paused: null, unretired: 0, oldestUnretiredAt: null, charges: {}, held: 0, scheduled: 0 });
    expect(r.tenants.get('empty')?.used).toBe(0);
  });

  it('when a tenant is paused, then its reading carries the pause and the others none', async () => {
    const pause = { reason: 'account' as const, code: 'VOD.10055', message: 'in arrears', since: 1000, probeAt: 61_000 };
    await createTenantGate(redis, prefix).pause('t3', pause);
    const r = await metrics.read([{ id: 't3', dayId }, { id: 'empty', dayId }]);
    expect(r.tenants.get('t3')?.paused).toEqual(pause);
    expect(r.tenants.get('empty')?.paused).toBeNull();
  });

  it('when completed requests wait for their retire jobs, then the reading counts them and gives the oldest completion', async () => {
    for (const [at, items] of [[4000, ['a:o1']], [2000, ['a:o2']], [8000, ['a:o3']]] as const) {
      await submit('t4', [...items], 'normal', 1000);
      const requestId = `t4.req${String(seq).padStart(8, '0')}`;
      await store.finishIngest('t4', requestId, 600);
      await store.claim('t4', `b${at}`, { now: at, lingerMs: 0, maxItems: 10, dayId, dailyLimit: 100, ttlSeconds: 600 });
      await store.finishBatch('t4', `b${at}`, { type: 'failed', code: 'VOD.10052', message: 'refused' }, at, 600);
    }
    const before = await metrics.read([{ id: 't4', dayId }]);
    expect(before.tenants.get('t4')).toMatchObject({ unretired: 3, oldestUnretiredAt: 2000 });
    await store.markRetired('t4', `t4.req${String(seq - 1).padStart(8, '0')}`, 0);
    expect((await metrics.read([{ id: 't4', dayId }])).tenants.get('t4')).toMatchObject({ unretired: 2, oldestUnretiredAt: 4000 });
  });

  it('when a batch is read back, then each item carries the time it was queued', async () => {
    await submit('t2', ['a:b1', 'a:b2'], 'normal', 9000);
    const claim = await store.claim('t2', 'batch-1', { now: 20_000, lingerMs: 1000, maxItems: 10, dayId, dailyLimit: 100, ttlSeconds: 600 });
    expect(claim.action).toBe('send');
    const batch = await store.batch('t2', 'batch-1');
    expect(batch?.values).toEqual(['b1', 'b2']);
    expect(batch?.enqueuedAt).toEqual([9000, 9000]);
  });

  it('when jobs are waiting and delayed, then the counts say so per queue', async () => {
    const connection = newRedis();
    const q = new Queue(QUEUE_NAMES.dispatch, { connection, prefix: queuePrefix(prefix) });
    try {
      await q.add('dispatch', { tenant: 't1' });
      await q.add('dispatch', { tenant: 't1' }, { delay: 60_000 });
      const r = await metrics.read([]);
      expect(r.jobs.dispatch).toMatchObject({ waiting: 1, delayed: 1, active: 0 });
      expect(r.jobs.ingest.waiting).toBe(0);
    } finally {
      await q.close();
      await connection.quit();
    }
  });
});

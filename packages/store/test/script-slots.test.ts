import {
  createAdminStore, createAuthFailures, createCallerRate, createCallerUploads, createDispatchStore, createMetricsStore, createRequestStore, createTenantGate,
  createTokenStore, isCluster, PACK_BUCKET, parsePacked, tenantKeys,
} from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';
import { LUA_FILES, recordScriptCalls, slotViolation } from './script-slots';

/**
 * Redis Cluster runs a script only when its keys live in one slot. Every store function is
 * called here for one tenant, and every script call it sends is checked: its KEYS, and the key
 * prefixes it builds undeclared keys from, hash to one slot. Runs on the shared Redis and again
 * on a three-master cluster (`npm run test:cluster`).
 */
const redis = newRedis();
const calls = recordScriptCalls(redis);
const prefix = testPrefix('slots');
const requests = createRequestStore(redis, prefix);
const dispatch = createDispatchStore(redis, prefix);
const admin = createAdminStore(redis, prefix);
const gate = createTenantGate(redis, prefix);
const tokens = createTokenStore(redis, prefix);
const callers = createCallerRate(redis, prefix);
const uploads = createCallerUploads(redis, prefix);
const authFailures = createAuthFailures(redis, prefix);
const metrics = createMetricsStore(redis, prefix, () => undefined);
const day = { dayId: '2026-11-23', dailyLimit: 1000, ttlSeconds: 600 };

afterAll(async () => {
  await metrics.close();
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

/** A request's whole life for tenant `t`, through every store function that runs a script. */
async function everyScript(t: string): Promise<void> {
  const r1 = `${t}.slots0000001`;
  const r2 = `${t}.slots0000002`;
  await requests.create({ tenant: t, requestId: r1, priority: 'normal', received: 3, createdAt: 1000 }, 600, 100);
  await requests.stage(t, r1, ['a:x1', 'a:x2', 'u:http://x/3'], 600);
  await dispatch.coalesce(t, r1, 'normal', 0, 3, ['a:x1', 'a:x2', 'u:http://x/3'], 1000);
  await dispatch.finishIngest(t, r1, 600);
  await requests.position(r1, day.dayId);
  await metrics.read([{ id: t, dayId: day.dayId }]);
  await dispatch.claim(t, 'b1', { now: 5000, lingerMs: 0, maxItems: 10, ...day });
  await dispatch.beginAttempt(t, 'b1', day);
  await dispatch.holdBudget(t, 'b1', day.dayId, false);
  await dispatch.deferBatch(t, 'b1', 86_400_000);
  await dispatch.endDeferral(t, 'b1');
  await dispatch.splitBatch(t, 'b1', 5500);
  await dispatch.finishBatch(t, 'b1', { type: 'submitted', taskId: 'task-1' }, 6000, 600);
  await dispatch.recordResults(t, 'b1', [{ id: '1', verdict: 'failed_vod' }], { now: 7000, ttlSeconds: 600, failure: { code: 'X', message: 'm' } });
  await admin.requeueFailed(r1, { now: 8000 });
  await admin.cancel(r1, { now: 9000, ttlSeconds: 600 });
  await dispatch.markRetired(t, r1, 0);
  await requests.markWebhookDelivered(r1, 9500);
  await requests.create({ tenant: t, requestId: r2, priority: 'low', received: 1, createdAt: 1000 }, 600);
  await requests.discard(t, r2);
  await gate.claimProbe(t, 1000, 2000);
  await gate.throttle(t, Date.now() + 1000);
  await gate.acquireCallSlot(t, Date.now(), 5);
  await gate.markQuotaSpent(t, day.dayId, day.dailyLimit, 600);
  await tokens.unlock(t, 'owner-1');
  await tokens.invalidate(t, 'token-1');
  await callers.take('cms', Date.now(), 5, 10);
  await authFailures.count('2001:db8:1:2::/64', 60_000);
  // an upload still arriving: one of its caller's open uploads, its chunks counted in the backlog
  const r3 = `${t}.slots0000003`;
  await uploads.open('cms', r3, { now: 1000, leaseMs: 60_000, limit: 4 });
  await requests.stageCounted(t, r3, ['a:y1', 'a:y2'], { ttlSeconds: 600, maxBacklog: 100, now: 1000, leaseMs: 60_000 });
  await requests.discard(t, r3);
  await uploads.close('cms', r3);
  await requests.rememberIdempotencyKey(t, 'f'.repeat(64), 'body-hash', r1, 600, { now: 1000, ms: 10_000 });
}

describe('hash slots of the scripts', () => {
  it('when every store function runs for a tenant, then each script call keeps its keys and key prefixes in one slot', async () => {
    await everyScript('news');
    const seen = new Set(calls.map((c) => c.script));
    expect(LUA_FILES.filter((f) => !seen.has(f))).toEqual([]);
    expect(calls.map((c) => slotViolation(c, prefix)).filter(Boolean)).toEqual([]);
  });

  it('when a call passes a key prefix of another tenant, then the check reports it', () => {
    const k = tenantKeys(prefix, 'news');
    const other = tenantKeys(prefix, 'sports');
    expect(slotViolation({ script: 'finish-batch.lua', keys: [k.batch('b1')], argv: ['S', other.instancePrefix] }, prefix)).toMatch(/2 slots/);
    expect(slotViolation({ script: 'finish-batch.lua', keys: [k.batch('b1')], argv: ['S', k.instancePrefix] }, prefix)).toBeNull();
  });

  it('when a script writes instance keys it was given only as a prefix, then they read back from the tenant\'s slot, on a cluster too', async () => {
    const r = 'sports.slots0000003';
    const k = tenantKeys(prefix, 'sports');
    await requests.create({ tenant: 'sports', requestId: r, priority: 'high', received: 1, createdAt: 1000 }, 600);
    expect(await dispatch.coalesce('sports', r, 'high', 0, 1, ['a:clip'], 1000)).toEqual({ created: 1, linked: 0, duplicates: 0 });
    // coalesce-items.lua declares the pending index and queues; the bucket `i:p:<n>` its packed
    // instance goes to it builds from ARGV's prefix, undeclared
    const [id] = await redis.lrange(k.queue('asset_id', 'high'), 0, 0);
    expect(parsePacked(await redis.lindex(k.packedBucket(id!), Number(id) % PACK_BUCKET))?.v).toBe('a:clip');
    expect(isCluster(redis)).toBe(Boolean(process.env.REDIS_CLUSTER_NODES));
  });
});

import { createHash } from 'node:crypto';
import { budgetDay } from '@refresh/core';
import {
  QUEUE_NAMES, createDispatchStore, createRedis, createTenantGate, queuePrefix, retireJobEntry, retireJobId, webhookJobId,
} from '@refresh/store';
import { Queue } from 'bullmq';
import { PROJECT, REDIS_TARGET, eventually, startReceiver, startSimulator, testConfig, testWorld, value, type Simulator } from './harness';

const SECRET = 'outbox-webhook-secret-0123456789abcdef';
const ADMIN_KEY = 'outbox-admin-key';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A request's completion is reported even when the worker that completed it died before adding
 * its retire job. The scripts that complete a request put it in its tenant's completion outbox in
 * the same step; workers sweep the outbox and add the retire jobs that are missing. The crash
 * window is reproduced by running the completing store step as the dying worker did, without
 * the step after it; then a real worker, the simulator and a webhook receiver over HTTP take over.
 */
describe('completion outbox', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;
  /** the completions queue, which holds the retire jobs (named for the ingest queue, where they were once) */
  let ingest: Queue;
  let webhooks: Queue;
  const stops: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    const started = await startSimulator({ taskDurationMs: 100, faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 } });
    sim = started.sim;
    simUrl = started.url;
    world = testWorld('outbox');
    const connection = createRedis(REDIS_TARGET, 'worker', () => undefined);
    ingest = new Queue(QUEUE_NAMES.completions, { connection, prefix: queuePrefix(world.prefix) });
    webhooks = new Queue(QUEUE_NAMES.webhooks, { connection, prefix: queuePrefix(world.prefix) });
    world.onClose(async () => {
      await Promise.all([ingest.close(), webhooks.close()]);
      await connection.quit();
    });
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
    for (const stop of stops.splice(0)) await stop();
  });

  /** Callers `cms` may call back `hookHost`; admin actions are on. `sweepMs` absent: the default. */
  const configFor = (hookHost: string, sweepMs?: number) =>
    testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], {
      callers: [{ id: 'cms', apiKeySha256: 'c'.repeat(64), tenants: ['news'], webhook: { secret: SECRET, allowedHosts: [hookHost] } }],
      admin: { apiKeySha256: sha(ADMIN_KEY) },
      batching: { lingerMs: 100 },
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
      webhooks: { maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200, timeoutMs: 2000 },
      worker: { concurrency: 8, stalledIntervalMs: 1000, lockDurationMs: 2000, ...(sweepMs !== undefined && { completionSweepMs: sweepMs }) },
    });
  const receiver = async () => {
    const r = await startReceiver();
    stops.push(r.stop);
    return r;
  };
  /** The API, once its fail-fast Redis connection is up (before that it answers 503). */
  const readyApi = async (config: ReturnType<typeof configFor>) => {
    const url = await world.api(config);
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200 || undefined, 'API ready');
    return url;
  };
  const requeue = (api: string, id: string) =>
    fetch(`${api}/v1/admin/refresh-requests/${id}/requeue-failed`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const retireDone = (id: string, gen: number) =>
    eventually(async () => {
      if ((await ingest.getJobState(retireJobId(id, gen))) !== 'completed') return undefined;
      return ingest.getJob(retireJobId(id, gen));
    }, `retire job ${gen} of ${id} to complete`);
  const outboxSize = () => world.redis.zcard(world.keys('news').completions);
  const deliveredIds = (hook: Awaited<ReturnType<typeof receiver>>) => hook.received.map((r) => String(r.headers['refresh-webhook-id']));

  /**
   * Coalesces the request with a worker that has dispatching held, then stops that worker and
   * claims the items the way its dispatch job would have: they are in flight in `batchId`,
   * and no worker is left holding them.
   */
  async function claimedByADeadWorker(config: ReturnType<typeof configFor>, requestId: string, batchId: string) {
    await world.dispatchQueue.pause();
    const first = await world.worker(config);
    await eventually(async () => (await world.requests.get(requestId))?.ingestDone, 'request coalesced');
    await first.stop();
    await world.dispatchQueue.obliterate({ force: true });
    await world.dispatchQueue.resume();
    const store = createDispatchStore(world.redis, world.prefix);
    const day = budgetDay(Date.now(), 'Asia/Shanghai');
    const budget = { dayId: day.dayId, dailyLimit: 1000, ttlSeconds: 600 };
    const claim = await store.claim('news', batchId, { now: Date.now(), lingerMs: 0, maxItems: 10, ...budget });
    if (claim.action !== 'send') throw new Error(`nothing claimed: ${claim.action}`);
    await store.beginAttempt('news', batchId, budget);
    return { store, claim };
  }

  it('when a worker died between completing a request and adding its retire job, then the next worker retires it at start, its webhook goes out once, and requeue-failed works', async () => {
    const hook = await receiver();
    const config = configFor(hook.host);
    const id = await world.submit('news', ['a:ghost-1', 'a:ghost-2'], 'normal', Date.now(), { url: hook.url, caller: 'cms' });
    const { store } = await claimedByADeadWorker(config, id, 'died-1');

    // the dead worker's last step: VOD refused the batch, recorded a minute ago (finish-batch.lua
    // via dispatch-processor's finish()); it died before relaying the outbox
    const completedAt = Date.now() - 60_000;
    const finished = await store.finishBatch('news', 'died-1', { type: 'failed', code: 'VOD.10062', message: 'The media asset does not exist.' }, completedAt, 600);
    expect(finished.completedRequests).toEqual([id]);
    // a rerun of that step reports nothing: the completion exists only in the outbox
    expect((await store.finishBatch('news', 'died-1', { type: 'failed', code: 'VOD.10062', message: 'again' }, Date.now(), 600)).completedRequests).toEqual([]);
    expect(await ingest.getJob(retireJobId(id, 0))).toBeUndefined();

    const api = await readyApi(config);
    // until the completion is retired, requeue refuses
    expect((await requeue(api, id)).status).toBe(409);

    // the next worker's start-up sweep adds the missing job before start() returns
    await world.worker(config);
    expect(await ingest.getJob(retireJobId(id, 0))).toBeDefined();
    const retire = await retireDone(id, 0);
    expect(retire?.returnvalue).toMatchObject({ retired: 2, webhook: true });
    const webhook = await eventually(async () => ((await webhooks.getJobState(webhookJobId(id))) === 'completed' ? webhooks.getJob(webhookJobId(id)) : undefined), 'webhook delivered');
    expect(webhook?.returnvalue).toEqual({ outcome: 'delivered' });
    expect(deliveredIds(hook)).toEqual([`completed.${id}`]);
    const summary = JSON.parse(hook.received[0]!.body) as { status: string; counts: Record<string, number>; completed_at: string };
    expect(summary).toMatchObject({ status: 'completed', counts: { failed: 2, completed: 0 } });
    // the instant the dead worker recorded, carried by the outbox
    expect(summary.completed_at).toBe(new Date(completedAt).toISOString());
    expect(await outboxSize()).toBe(0);

    // requeue works now: VOD accepts the items this time, and the second completion is reported too
    const res = await requeue(api, id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ requeued: 2, status: 'in_progress' });
    await eventually(async () => (await world.requests.get(id))?.counts.completed === 2, 'requeued items completed');
    await retireDone(id, 1);
    await eventually(async () => hook.received.length === 2 || undefined, 'second completion webhook');
    expect(deliveredIds(hook)).toEqual([`completed.${id}`, `completed.${id}.g1`]);
    expect(sim.calls().flatMap((c) => c.items).sort()).toEqual(['ghost-1', 'ghost-2']);
    expect(await outboxSize()).toBe(0);
  });

  it('when a replica dies after recording the verdicts that complete a request, then a running worker\'s sweep reports it', async () => {
    const hook = await receiver();
    const config = configFor(hook.host, 200);
    const id = await world.submit('news', ['u:http://cdn.example.com/outbox/1.m3u8'], 'high', Date.now(), { url: hook.url, caller: 'cms' });
    const { store, claim } = await claimedByADeadWorker(config, id, 'died-2');
    const w = await world.worker(config);

    // the dying replica: VOD accepted the batch, then its poll recorded the verdict
    // (record-results.lua via result-processor), and it died before relaying the outbox
    await store.finishBatch('news', 'died-2', { type: 'submitted', taskId: 'd'.repeat(32) }, Date.now(), 600);
    const failure = { code: 'VOD.REFRESH_FAILED', message: 'failed' };
    const res = await store.recordResults('news', 'died-2', [{ id: claim.ids[0]!, verdict: 'completed' }], { now: Date.now(), ttlSeconds: 600, failure });
    expect(res.completedRequests).toEqual([id]);

    // the running worker's periodic sweep finds it once the grace is over
    await retireDone(id, 0);
    await eventually(async () => hook.received.length === 1 || undefined, 'webhook delivered');
    expect(deliveredIds(hook)).toEqual([`completed.${id}`]);
    await eventually(async () => (await outboxSize()) === 0 || undefined, 'outbox emptied');
    expect(await w.sweepCompletions()).toBe(0);
  });

  it('when the sweep finds completions whose retire jobs are still queued, then it adds nothing, and each webhook goes out once', async () => {
    const hook = await receiver();
    const w = await world.worker(configFor(hook.host, 100));
    const ids = [
      await world.submit('news', ['a:normal-1', 'a:normal-2'], 'high', Date.now(), { url: hook.url, caller: 'cms' }),
      await world.submit('news', ['u:http://cdn.example.com/outbox/n.m3u8'], 'normal', Date.now(), { url: hook.url, caller: 'cms' }),
    ];
    for (const id of ids) await eventually(async () => (await world.requests.get(id))?.ingestDone, 'request coalesced');
    // retire jobs wait (as behind a busy completions queue) while the requests complete normally
    await ingest.pause();
    await eventually(async () => (await outboxSize()) === 2 || undefined, 'both requests completed');
    // the normal path relays each completion just after the script that completed the request
    for (const id of ids) {
      await eventually(async () => (await ingest.getJobState(retireJobId(id, 0))) === 'waiting' || undefined, 'retire job queued');
    }
    // past the grace, sweeps (the worker's own, every 100 ms, and this one) find both: same job ids
    await eventually(async () => (await w.sweepCompletions()) === 2 || undefined, 'a sweep to find both completions');
    expect((await ingest.getJobs(['waiting', 'delayed', 'active', 'completed'])).filter((j) => j.name === 'retire')).toHaveLength(2);
    const waiting = await w.metrics.registry.metrics();
    expect(value(waiting, 'refresh_completion_outbox_requests', { tenant: 'news' })).toBe(2);
    expect(value(waiting, 'refresh_completion_outbox_oldest_age_seconds', { tenant: 'news' })).toBeGreaterThanOrEqual(0.1);

    await ingest.resume();
    for (const id of ids) expect((await retireDone(id, 0))?.returnvalue).toMatchObject({ webhook: true });
    await eventually(async () => {
      const states = await Promise.all(ids.map((id) => webhooks.getJobState(webhookJobId(id))));
      return states.every((state) => state === 'completed') || undefined;
    }, 'webhook jobs finished');
    expect(await outboxSize()).toBe(0);
    expect(await w.sweepCompletions()).toBe(0);
    const drained = await w.metrics.registry.metrics();
    expect(value(drained, 'refresh_completion_outbox_requests', { tenant: 'news' })).toBe(0);
    expect(value(drained, 'refresh_completion_outbox_oldest_age_seconds', { tenant: 'news' })).toBe(0);
    expect(deliveredIds(hook).sort()).toEqual(ids.map((id) => `completed.${id}`).sort());
  });

  it('when a worker of an earlier version retired a completion but left its outbox entry, then the sweep clears the entry and adds no job', async () => {
    const config = configFor('hooks.example.com');
    const id = await world.submit('news', ['a:old-1']);
    const { store } = await claimedByADeadWorker(config, id, 'old-1');
    await store.finishBatch('news', 'old-1', { type: 'failed', code: 'VOD.10062', message: 'refused' }, Date.now() - 60_000, 600);
    // what mark-retired.lua did before the outbox: the mark, and nothing else
    await world.redis.hset(world.keys('news').request(id), 'retired', 0);
    expect(await outboxSize()).toBe(1);

    await world.worker(config);
    expect(await outboxSize()).toBe(0);
    expect(await ingest.getJob(retireJobId(id, 0))).toBeUndefined();
  });

  it('when a retire job of an earlier completion runs again after the request was reopened, then it leaves the open request\'s records alone', async () => {
    sim.rejectItems(PROJECT.projectId, ['refused-1'], { status: 400, code: 'VOD.10062', message: 'The media asset does not exist.' });
    const config = configFor('hooks.example.com');
    await world.worker(config);
    const api = await readyApi(config);
    const id = await world.submit('news', ['a:refused-1']);
    await retireDone(id, 0);

    // held back so that the requeued item stays pending: the request is open
    await createTenantGate(world.redis, world.prefix).pause('news', {
      reason: 'account', code: 'TEST', message: 'held back by the test', since: Date.now(), probeAt: Date.now() + 3_600_000,
    });
    expect((await requeue(api, id)).status).toBe(200);
    const k = world.keys('news');
    expect(await world.redis.ttl(k.request(id))).toBe(-1);

    // as a sweep that read the outbox before the first run finished, after that job was removed
    await (await ingest.getJob(retireJobId(id, 0)))!.remove();
    const again = retireJobEntry('news', id, 0, Date.now());
    await ingest.add(again.name, again.data, again.opts);
    const rerun = await retireDone(id, 0);
    expect(rerun?.returnvalue).toMatchObject({ retired: 0, skipped: 'superseded' });
    expect(await world.redis.ttl(k.request(id))).toBe(-1);
    const [instance] = await world.redis.lrange(k.requestItems(id), 0, 0);
    expect(await world.redis.ttl(k.instance(instance!))).toBe(-1);
  });
});

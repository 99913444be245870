import { createHash } from 'node:crypto';
import type { AppConfig } from '@refresh/config';
import { QUEUE_NAMES, createRedis, createTenantGate, dispatchJobOptions, queuePrefix, retireJobId } from '@refresh/store';
import { createApi } from '@refresh/ingest-api';
import { Queue } from 'bullmq';
import { PROJECT, REDIS_TARGET, eventually, silent, startSimulator, testConfig, testWorld, type Simulator } from './harness';

const API_KEY = 'admin-e2e-caller';
const ADMIN_KEY = 'admin-e2e-admin';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

type View = { status: string; counts: Record<string, number> };

/**
 * An operator's view: requests go in through the real API, the real worker sends them to the
 * simulator, and the admin endpoints cancel or retry them. The worker is held back where a test
 * needs items to stay pending (the tenant is paused, or the worker starts later), never by sleeping.
 */
describe('admin actions end to end', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;
  let config: AppConfig;
  /** the completions queue, which holds the retire jobs (named for the ingest queue, where they were once) */
  let ingest: Queue;

  beforeEach(async () => {
    const started = await startSimulator({ taskDurationMs: 200, faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 } });
    sim = started.sim;
    world = testWorld('admin');
    config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url }], {
      callers: [{ id: 'cms', apiKeySha256: sha(API_KEY), tenants: ['news'] }],
      admin: { apiKeySha256: sha(ADMIN_KEY) },
      batching: { lingerMs: 100 },
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
    });
    const redis = createRedis(REDIS_TARGET, 'worker', () => undefined);
    const queueRedis = createRedis(REDIS_TARGET, 'worker', () => undefined);
    const ingestQueue = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(world.prefix) });
    const dispatch = new Queue(QUEUE_NAMES.dispatch, { connection: queueRedis, prefix: queuePrefix(world.prefix) });
    ingest = new Queue(QUEUE_NAMES.completions, { connection: queueRedis, prefix: queuePrefix(world.prefix) });
    const app = createApi({ config, redis, queues: { ingest: ingestQueue, dispatch, completions: ingest }, logger: silent });
    api = (await app.start(0, '127.0.0.1')).url;
    world.onClose(async () => {
      await app.stop();
      await Promise.all([ingestQueue.close(), dispatch.close(), ingest.close()]);
      await Promise.all([redis.quit(), queueRedis.quit()]);
    });
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const caller = { authorization: `Bearer ${API_KEY}` };
  const post = async (body: unknown) => {
    const r = await fetch(`${api}/v1/tenants/news/refresh-requests`, { method: 'POST', headers: { ...caller, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(202);
    return ((await r.json()) as { request_id: string }).request_id;
  };
  const status = async (id: string) => (await (await fetch(`${api}/v1/refresh-requests/${id}`, { headers: caller })).json()) as View;
  const completed = (id: string) => eventually(async () => { const s = await status(id); return s.status === 'completed' ? s : undefined; }, `${id} completed`);
  const admin = async (id: string, action: 'cancel' | 'requeue-failed') => {
    const r = await fetch(`${api}/v1/admin/refresh-requests/${id}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> & View };
  };
  const budgetUsed = async () => ((await (await fetch(`${api}/v1/tenants/news/budget`, { headers: caller })).json()) as { used: number }).used;
  const sent = () => sim.calls().flatMap((c) => c.items).sort();

  it('when pending items are canceled, then none is ever sent nor spends budget, and an item shared with another request goes out once, for it', async () => {
    const gate = createTenantGate(world.redis, world.prefix);
    await world.worker(config);
    // paused: items are coalesced and wait, dispatch jobs wait in place
    await gate.pause('news', { reason: 'account', code: 'TEST', message: 'held back by the test', since: Date.now(), probeAt: Date.now() + 3_600_000 });
    const u = (n: number) => `https://cdn.example.com/admin/${n}.m3u8`;
    const mine = await post({ urls: [u(1), u(2), u(3), u(4)] });
    const other = await post({ urls: [u(4), u(5)] });
    await eventually(async () => (await status(mine)).counts.pending === 4 && (await status(other)).counts.pending === 2, 'both coalesced');

    const res = await admin(mine, 'cancel');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ canceled: 3, kept_shared: 1, not_ingested: 0, status: 'in_progress', counts: { pending: 1, canceled: 3 } });
    expect((await admin(mine, 'cancel')).body).toMatchObject({ canceled: 0, kept_shared: 1 });

    await gate.resume('news');
    await world.dispatchQueue.add('dispatch', { tenant: 'news' }, dispatchJobOptions(3));
    expect((await completed(other)).counts).toMatchObject({ completed: 2 });
    expect((await completed(mine)).counts).toMatchObject({ completed: 1, canceled: 3, pending: 0 });
    expect(sent()).toEqual([u(4), u(5)]);
    expect(await budgetUsed()).toBe(2);
    const items = (await (await fetch(`${api}/v1/refresh-requests/${mine}/items`, { headers: caller })).json()) as { items: Array<{ state: string }> };
    expect(items.items.map((i) => i.state)).toEqual(['canceled', 'canceled', 'canceled', 'completed']);
  });

  it('when a request is canceled before its ingest ran, then the worker drops it, completes it, and sends nothing of it', async () => {
    const doomed = await post({ asset_ids: ['d1', 'd2', 'd3'] });
    expect((await admin(doomed, 'cancel')).body).toMatchObject({ canceled: 0, not_ingested: 3 });
    await world.worker(config);
    expect((await completed(doomed)).counts).toMatchObject({ pending: 0, in_flight: 0, canceled: 0, completed: 0 });
    // a later request goes out alone: the dispatcher ran and had nothing else to send
    const later = await post({ asset_ids: ['later'] });
    await completed(later);
    expect(sent()).toEqual(['later']);
    expect(await budgetUsed()).toBe(1);
    // the canceled request's completion was recorded once (retire job); BullMQ marks the job
    // completed only after it ran, a step after the status read above: waited for, not raced
    expect(await eventually(async () => (await (await ingest.getJob(retireJobId(doomed, 0)))?.isCompleted()) || undefined, 'first retire')).toBe(true);
  });

  it('when VOD refused or failed items, then requeue sends them again and the request completes a second time', async () => {
    sim.failItems(['https://cdn.example.com/admin/bad.m3u8']);
    sim.rejectItems(PROJECT.projectId, ['refused-asset'], { status: 400, code: 'VOD.10062', message: 'The media asset does not exist.' });
    await world.worker(config);
    const id = await post({ urls: ['https://cdn.example.com/admin/good.m3u8', 'https://cdn.example.com/admin/bad.m3u8'], asset_ids: ['refused-asset'] });
    expect((await completed(id)).counts).toMatchObject({ completed: 1, failed: 2 });

    // VOD accepts everything from now on
    sim.reset();
    // right after completion the retire job may still be running: the answer is then 409, retry
    const res = await eventually(async () => { const r = await admin(id, 'requeue-failed'); return r.status === 200 ? r : undefined; }, 'requeue accepted');
    expect(res.body).toMatchObject({ requeued: 2, status: 'in_progress', counts: { pending: 2, failed: 0, completed: 1 } });
    const again = await completed(id);
    expect(again.counts).toMatchObject({ completed: 3, failed: 0, pending: 0 });
    expect(sent()).toEqual(['https://cdn.example.com/admin/bad.m3u8', 'refused-asset']);
    // each completion had its own retire job
    expect(await eventually(async () => (await (await ingest.getJob(retireJobId(id, 1)))?.isCompleted()) || undefined, 'second retire')).toBe(true);
    expect(await eventually(async () => (await (await ingest.getJob(retireJobId(id, 0)))?.isCompleted()) || undefined, 'first retire')).toBe(true);
    // nothing is failed any more: a second requeue changes nothing
    expect((await admin(id, 'requeue-failed')).body).toMatchObject({ requeued: 0, status: 'completed' });
  });
});

import { verifyWebhook } from '@refresh/core';
import { QUEUE_NAMES, createAdminStore, createCompletionStore, createRedis, queuePrefix, relayCompletions, webhookJobId } from '@refresh/store';
import { Queue } from 'bullmq';
import { REDIS_TARGET, eventually, startReceiver, startSimulator, testConfig, testWorld, urls, value, type Simulator } from './harness';

const SECRET = 'cms-webhook-secret-0123456789abcdef';

/**
 * Completion webhooks through real HTTP: the worker follows a request to VOD's verdict on the
 * simulator, then POSTs the signed summary to a receiver on 127.0.0.1.
 */
describe('completion webhooks', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;
  let webhooks: Queue;
  /** the completions queue, which holds the retire jobs (named for the ingest queue, where they were once) */
  let ingest: Queue;
  const stops: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    const started = await startSimulator({ taskDurationMs: 100, faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 } });
    sim = started.sim;
    simUrl = started.url;
    world = testWorld('webhooks');
    const connection = createRedis(REDIS_TARGET, 'worker', () => undefined);
    webhooks = new Queue(QUEUE_NAMES.webhooks, { connection, prefix: queuePrefix(world.prefix) });
    ingest = new Queue(QUEUE_NAMES.completions, { connection, prefix: queuePrefix(world.prefix) });
    world.onClose(async () => {
      await Promise.all([webhooks.close(), ingest.close()]);
      await connection.quit();
    });
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
    for (const stop of stops.splice(0)) await stop();
  });

  /** A worker whose caller `cms` signs with SECRET and may call `allowedHosts`. */
  const workerAllowing = (allowedHosts: string[], maxAttempts = 3) =>
    world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], {
      callers: [{ id: 'cms', apiKeySha256: 'a'.repeat(64), tenants: ['news'], webhook: { secret: SECRET, allowedHosts } }],
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
      webhooks: { maxAttempts, backoffBaseMs: 50, backoffMaxMs: 200, timeoutMs: 2000 },
    }));
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    stops.push(r.stop);
    return r;
  };
  const finished = (requestId: string) =>
    eventually(async () => {
      const state = await webhooks.getJobState(webhookJobId(requestId));
      if (state !== 'completed' && state !== 'failed') return undefined;
      // read after it finished: a job read before holds no return value yet
      const job = await webhooks.getJob(webhookJobId(requestId));
      return job && { state, job };
    }, 'the webhook job to finish');

  it('when an admin cancels a request with a callback, then the webhook counts its canceled items, and the counts add up to its items', async () => {
    const hook = await receiver();
    await workerAllowing([hook.host]);
    // nothing is sent: the items stay pending until the cancel
    await world.dispatchQueue.pause();
    const requestId = await world.submit('news', urls(12), 'normal', Date.now(), { url: hook.url, caller: 'cms' });
    await eventually(async () => (await world.requests.get(requestId))?.ingestDone, 'coalesced');
    const cancel = await createAdminStore(world.redis, world.prefix).cancel(requestId, { now: Date.now(), ttlSeconds: 3600 });
    expect(cancel).toMatchObject({ status: 'ok', canceled: 12, completedRequests: [requestId] });
    // what the API's admin route does after a cancel that completed the request
    await relayCompletions(createCompletionStore(world.redis, world.prefix), ingest, 'news');

    const { state } = await finished(requestId);
    expect(state).toBe('completed');
    const summary = JSON.parse(hook.received[0]!.body) as { counts: Record<string, number>; received: number };
    expect(summary.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0, canceled: 12 });
    expect(summary.received).toBe(12);
  });

  it('when a request with a callback completes, then its receiver gets exactly one POST, signed with the caller\'s secret', async () => {
    const hook = await receiver();
    const w = await workerAllowing([hook.host]);
    const requestId = await world.submit('news', [...urls(3), 'a:asset-1'], 'high', Date.now(), { url: hook.url, caller: 'cms' });

    const { state, job } = await finished(requestId);
    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ outcome: 'delivered' });
    expect(hook.received).toHaveLength(1);
    const [post] = hook.received;
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers['user-agent']).toMatch(/^vod-refresh-webhooks\//);
    expect(post!.headers['refresh-webhook-id']).toBe(`completed.${requestId}`);

    const signature = String(post!.headers['refresh-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, post!.body, signature).ok).toBe(true);
    expect(verifyWebhook('another-secret-0123456789abcdef-xyz', post!.body, signature)).toEqual({ ok: false, reason: 'mismatch' });

    const summary = JSON.parse(post!.body) as Record<string, unknown>;
    expect(summary).toEqual({
      event: 'refresh_request.completed',
      request_id: requestId,
      tenant: 'news',
      status: 'completed',
      counts: { pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 4, failed: 0, unknown: 0, canceled: 0 },
      received: 4,
      task_ids: sim.calls().map((c) => c.taskId).sort(),
      created_at: expect.any(String),
      completed_at: expect.any(String),
    });
    expect(Date.parse(summary.completed_at as string)).toBeGreaterThanOrEqual(Date.parse(summary.created_at as string));

    // completion seen again: the same job id adds nothing, and a job that slipped through sends nothing
    await webhooks.add('webhook', job.data, { jobId: webhookJobId(requestId) });
    const late = await webhooks.add('webhook', job.data, { jobId: `late.${requestId}` });
    await eventually(async () => (await webhooks.getJobState(late.id!)) === 'completed', 'the late duplicate to run');
    expect((await webhooks.getJob(late.id!))?.returnvalue).toEqual({ outcome: 'already_delivered' });
    expect(hook.received).toHaveLength(1);
    expect(value(await w.metrics.registry.metrics(), 'refresh_worker_webhooks_total', { outcome: 'delivered' })).toBe(1);
  });

  it('when the receiver answers 500 twice and then 200, then it gets three attempts of the same delivery and it is delivered', async () => {
    const hook = await receiver((n) => ({ status: n <= 2 ? 500 : 200 }));
    const w = await workerAllowing([hook.host], 5);
    const requestId = await world.submit('news', urls(2), 'normal', Date.now(), { url: hook.url, caller: 'cms' });

    const { state, job } = await finished(requestId);
    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(3);
    expect(hook.received).toHaveLength(3);
    // one delivery: the same id and body each time, freshly signed
    expect(new Set(hook.received.map((r) => r.headers['refresh-webhook-id']))).toEqual(new Set([`completed.${requestId}`]));
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    for (const r of hook.received) expect(verifyWebhook(SECRET, r.body, String(r.headers['refresh-signature'])).ok).toBe(true);
    const text = await w.metrics.registry.metrics();
    expect(value(text, 'refresh_worker_webhooks_total', { outcome: 'retried' })).toBe(2);
    expect(value(text, 'refresh_worker_webhooks_total', { outcome: 'delivered' })).toBe(1);
  });

  it('when the receiver redirects to another host, then the redirect is never followed and the delivery is given up', async () => {
    const elsewhere = await receiver();
    const hook = await receiver(() => ({ status: 302, headers: { location: `${elsewhere.url}?stolen=1` } }));
    const w = await workerAllowing([hook.host, elsewhere.host], 2);
    const requestId = await world.submit('news', urls(1), 'normal', Date.now(), { url: hook.url, caller: 'cms' });

    const { state, job } = await finished(requestId);
    expect(state).toBe('failed');
    expect(job.failedReason).toBe('answered 302 (redirects are not followed)');
    expect(hook.received).toHaveLength(2);
    expect(elsewhere.received).toHaveLength(0);
    const text = await w.metrics.registry.metrics();
    expect(value(text, 'refresh_worker_webhooks_total', { outcome: 'retried' })).toBe(1);
    expect(value(text, 'refresh_worker_webhooks_total', { outcome: 'gave_up' })).toBe(1);
  });

  it('when the allowlist no longer holds the callback host at send time, then nothing is sent', async () => {
    const hook = await receiver();
    // accepted under an older config; the worker runs with the current one
    const w = await workerAllowing(['hooks.example.com']);
    const requestId = await world.submit('news', urls(2), 'normal', Date.now(), { url: hook.url, caller: 'cms' });

    const { state, job } = await finished(requestId);
    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ outcome: 'refused_host' });
    expect(job.attemptsMade).toBe(1);
    expect(hook.received).toHaveLength(0);
    expect(value(await w.metrics.registry.metrics(), 'refresh_worker_webhooks_total', { outcome: 'refused_host' })).toBe(1);
  });

  it('when a request has no callback, then no webhook job is queued for it', async () => {
    await workerAllowing(['hooks.example.com']);
    const requestId = await world.submit('news', urls(1));
    await eventually(async () => (await world.requests.get(requestId))?.counts.completed === 1, 'the request to complete');
    await eventually(async () => (await world.redis.ttl(world.keys('news').request(requestId))) > 0, 'the request to be retired');
    const retire = await eventually(async () => {
      if ((await ingest.getJobState(`retire.${requestId}`)) !== 'completed') return undefined;
      return ingest.getJob(`retire.${requestId}`);
    }, 'the retire job to run');
    expect(retire?.returnvalue).toMatchObject({ webhook: false });
    expect(await webhooks.getJob(webhookJobId(requestId))).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { ERROR_CODES, PAUSE_REASONS, PRIORITIES, budgetDay } from '@refresh/core';
import { JOB_STATES, createMetricsStore, createTenantGate, instanceRows } from '@refresh/store';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createHealthServer } from '../src/ops/health-server';
import { CALL_OUTCOMES, RESULT_VERDICTS, WEBHOOK_OUTCOMES } from '../src/ops/metrics';
import { systemClock } from '../src/clock';
import { registerStateGauges } from '../src/ops/state-gauges';
import { SAVING_REASONS, UNIT_USES } from '../src/ops/ledger-counters';
import { assets, eventually, samples, silent, startSimulator, testConfig, testWorld, urls, value, type Simulator } from './harness';

/**
 * What an operator sees on the worker's /metrics after real traffic: the worker's own counters,
 * and the shared state (budget, backlog, queues) read from Redis at scrape time.
 */
describe('worker metrics', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator());
    world = testWorld('metrics');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const budgetUsed = async (tenant: string, timezone = 'Asia/Shanghai') =>
    Number((await world.redis.get(world.keys(tenant).budget(budgetDay(Date.now(), timezone).dayId))) ?? 0);

  it('when items reach VOD, then items sent, upstream calls, submission delays and the budget used are counted', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const id = await world.submit('news', [...urls(25), ...assets(3)]);
    await eventually(world.settled(id), 'request finished');
    // the counters move in the worker's own process, just after Redis does: wait for them, not race them
    const text = await eventually(async () => {
      const t = await w.metrics.registry.metrics();
      return value(t, 'refresh_worker_submission_delay_seconds_count', { tenant: 'news' }) === 28 ? t : undefined;
    }, 'every submission counted');

    expect(value(text, 'refresh_worker_items_coalesced_total', { tenant: 'news', result: 'created' })).toBe(28);
    expect(value(text, 'refresh_worker_items_sent_total', { tenant: 'news', kind: 'url' })).toBe(25);
    expect(value(text, 'refresh_worker_items_sent_total', { tenant: 'news', kind: 'asset_id' })).toBe(3);
    expect(value(text, 'refresh_worker_upstream_calls_total', { tenant: 'news', outcome: 'accepted' })).toBe(sim.calls().length);
    expect(value(text, 'refresh_worker_upstream_call_duration_seconds_count', { tenant: 'news' })).toBe(sim.calls().length);
    // one observation per item, each no longer than the test has run
    expect(value(text, 'refresh_worker_submission_delay_seconds_count', { tenant: 'news' })).toBe(28);
    expect(value(text, 'refresh_worker_submission_delay_seconds_bucket', { tenant: 'news', le: '60' })).toBe(28);

    expect(value(text, 'refresh_budget_used_items', { tenant: 'news' })).toBe(await budgetUsed('news'));
    expect(value(text, 'refresh_budget_used_items', { tenant: 'news' })).toBe(28);
    expect(value(text, 'refresh_budget_limit_items', { tenant: 'news' })).toBe(1000);
    const { resetsAt } = budgetDay(Date.now(), 'Asia/Shanghai');
    expect(value(text, 'refresh_budget_resets_at_seconds', { tenant: 'news' })).toBe(resetsAt / 1000);
    for (const priority of PRIORITIES) {
      expect(value(text, 'refresh_pending_items', { tenant: 'news', priority })).toBe(0);
      expect(value(text, 'refresh_deferred_items', { tenant: 'news', priority })).toBe(0);
    }
    expect(value(text, 'refresh_oldest_pending_age_seconds', { tenant: 'news' })).toBe(0);
    expect(value(text, 'refresh_tenant_paused', { tenant: 'news', reason: 'none' })).toBe(0);
  });

  it('when the budget is spent, then the items left show as pending and deferred per priority, with their age', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, dailyLimit: 10 }]));
    const first = await world.submit('news', assets(13), 'normal');
    await eventually(async () => sim.calls().length === 1 && ((await world.requests.get(first))?.counts.pending ?? 0) === 3, '10 sent, 3 left');
    const second = await world.submit('news', urls(2), 'high');
    await eventually(async () => (await world.requests.get(second))?.ingestDone, 'second coalesced');
    // BullMQ moves a job to completed (or delayed) only after its processor has returned, a step
    // after the Redis writes waited for above: wait until both queues are still, so that the
    // scrape and the counts read after it see the same jobs
    await eventually(async () => {
      const ingest = await world.ingestQueue.getJobCounts(...JOB_STATES);
      const dispatch = await world.dispatchQueue.getJobCounts(...JOB_STATES);
      const moving = (c: Record<string, number>) => (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
      return ingest.completed === 2 && moving(ingest) === 0 && moving(dispatch) === 0 && (dispatch.delayed ?? 0) >= 1;
    }, 'both ingests completed and the dispatch waiting for the reset');
    const text = await w.metrics.registry.metrics();

    expect(value(text, 'refresh_budget_used_items', { tenant: 'news' })).toBe(10);
    expect(await budgetUsed('news')).toBe(10);
    expect(value(text, 'refresh_pending_items', { tenant: 'news', priority: 'high' })).toBe(2);
    expect(value(text, 'refresh_pending_items', { tenant: 'news', priority: 'normal' })).toBe(3);
    expect(value(text, 'refresh_pending_items', { tenant: 'news', priority: 'low' })).toBe(0);
    expect(value(text, 'refresh_deferred_items', { tenant: 'news', priority: 'high' })).toBe(2);
    expect(value(text, 'refresh_deferred_items', { tenant: 'news', priority: 'normal' })).toBe(3);
    // the oldest is one of the first request's: it was coalesced before the second was sent
    const head = await world.redis.lindex(world.keys('news').queue('asset_id', 'normal'), 0);
    const [row] = await instanceRows(world.redis, world.keys('news'), [head!], ['t']);
    const t = row?.[0];
    const age = value(text, 'refresh_oldest_pending_age_seconds', { tenant: 'news' })!;
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThanOrEqual((Date.now() - Number(t)) / 1000);

    const counts = await world.dispatchQueue.getJobCounts(...JOB_STATES);
    for (const state of JOB_STATES) expect(value(text, 'refresh_queue_jobs', { queue: 'dispatch', state })).toBe(counts[state]);
    expect(value(text, 'refresh_queue_jobs', { queue: 'dispatch', state: 'delayed' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'refresh_queue_jobs', { queue: 'ingest', state: 'completed' })).toBe(2);
  });

  it('when items wait for their linger, then they are pending but not deferred', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], { batching: { lingerMs: 60_000 } }));
    const id = await world.submit('news', urls(3), 'low');
    await eventually(async () => (await world.requests.get(id))?.ingestDone, 'coalesced');
    const text = await w.metrics.registry.metrics();
    expect(value(text, 'refresh_pending_items', { tenant: 'news', priority: 'low' })).toBe(3);
    expect(value(text, 'refresh_deferred_items', { tenant: 'news', priority: 'low' })).toBe(0);
    expect(value(text, 'refresh_oldest_pending_age_seconds', { tenant: 'news' })).toBeGreaterThanOrEqual(0);
    expect(sim.calls()).toHaveLength(0);
  });

  it('when scraped after traffic, then every label value comes from a bounded set, never an item, a request or a batch', async () => {
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }, { id: 'sports', endpoint: simUrl }]);
    const w = await world.worker(config);
    const items = [...urls(12, 'http://cdn.example.com/secret-path'), ...assets(4, 'assetvalue')];
    const id = await world.submit('news', items, 'high');
    await eventually(world.settled(id), 'request finished');
    const text = await w.metrics.registry.metrics();

    for (const leak of ['cdn.example.com', 'secret-path', 'assetvalue', id, ...sim.calls().map((c) => c.taskId)]) {
      expect(text).not.toContain(leak);
    }
    const allowed: Record<string, ReadonlySet<string>> = {
      tenant: new Set(config.tenants.map((t) => t.id)),
      kind: new Set(['asset_id', 'url']),
      result: new Set(['created', 'linked', 'duplicate']),
      outcome: new Set([...CALL_OUTCOMES, ...WEBHOOK_OUTCOMES]),
      priority: new Set(PRIORITIES),
      reason: new Set([...PAUSE_REASONS, ...SAVING_REASONS]),
      use: new Set(UNIT_USES),
      queue: new Set(['ingest', 'dispatch', 'results', 'webhooks']),
      verdict: new Set(RESULT_VERDICTS),
      state: new Set(JOB_STATES),
      caller: new Set([...config.callers.map((c) => c.id), 'unattributed']),
    };
    const ours = samples(text).filter((s) => s.name.startsWith('refresh_'));
    expect(ours.length).toBeGreaterThan(0);
    for (const s of ours) {
      for (const [label, v] of Object.entries(s.labels)) {
        if (label === 'le') continue; // histogram buckets
        expect({ metric: s.name, label, known: allowed[label]?.has(v) ?? false }).toEqual({ metric: s.name, label, known: true });
      }
    }
  });

  it('when scraped over HTTP, then /metrics has the state gauges, and /readyz says ready until the worker stops', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const health = createHealthServer(w.metrics.registry, () => w.ready());
    const port = await health.start(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(value(text, 'refresh_budget_limit_items', { tenant: 'news' })).toBe(1000);
      expect(value(text, 'refresh_queue_jobs', { queue: 'ingest', state: 'waiting' })).toBe(0);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      // any other path: our not-found error, in the API's shape and code
      const unknown = await fetch(`http://127.0.0.1:${port}/nothing-here`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error_code: ERROR_CODES.NOT_FOUND, error_msg: 'not found' });
      await w.stop();
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    } finally {
      await health.stop();
    }
  });

  it('when a metrics token is configured, then /metrics answers 401 without it and 200 with it, and the probes stay open', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const health = createHealthServer(w.metrics.registry, () => w.ready(), createHash('sha256').update('scrape-token').digest('hex'));
    const port = await health.start(0, '127.0.0.1');
    try {
      for (const authorization of [undefined, 'Bearer wrong', 'Basic c2NyYXBlLXRva2Vu']) {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: authorization ? { authorization } : {} });
        const text = await res.text();
        expect({ status: res.status, names_tenant: text.includes('news') }).toEqual({ status: 401, names_tenant: false });
      }
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer scrape-token' } });
      expect(res.status).toBe(200);
      expect(value(await res.text(), 'refresh_budget_limit_items', { tenant: 'news' })).toBe(1000);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await w.stop();
      await health.stop();
    }
  });

  it('when a tenant is paused, then it reports 1 with the reason, the others none, and /readyz stays 200 naming it', async () => {
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }, { id: 'sports', endpoint: simUrl }]);
    const w = await world.worker(config);
    const gate = createTenantGate(world.redis, world.prefix);
    const since = Date.parse('2030-03-10T04:00:00Z');
    await gate.pause('news', { reason: 'credentials', code: 'APIGW.0301', message: 'Incorrect IAM authentication information', since, probeAt: since + 900_000 });
    const health = createHealthServer(w.metrics.registry, () => w.readiness());
    const port = await health.start(0, '127.0.0.1');
    try {
      let text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(value(text, 'refresh_tenant_paused', { tenant: 'news', reason: 'credentials' })).toBe(1);
      expect(value(text, 'refresh_tenant_paused', { tenant: 'news', reason: 'none' })).toBeUndefined();
      expect(value(text, 'refresh_tenant_paused', { tenant: 'sports', reason: 'none' })).toBe(0);

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        details: { paused_tenants: [{ tenant: 'news', reason: 'credentials', since: '2030-03-10T04:00:00.000Z' }] },
      });

      await gate.resume('news');
      text = await w.metrics.registry.metrics();
      expect(value(text, 'refresh_tenant_paused', { tenant: 'news', reason: 'none' })).toBe(0);
      expect(value(text, 'refresh_tenant_paused', { tenant: 'news', reason: 'credentials' })).toBeUndefined();
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({ status: 'ready', details: { paused_tenants: [] } });
    } finally {
      await health.stop();
    }
  });
});

describe('when Redis does not answer a scrape in time', () => {
  let silentServer: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // accepts connections and never answers: a Redis that hangs
    silentServer = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    port = await new Promise((resolve) => silentServer.listen(0, '127.0.0.1', () => resolve((silentServer.address() as { port: number }).port)));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silentServer.close(resolve));
  });

  // Without its own timeout the scrape would wait on the silent Redis for good: the test's timeout
  // (far above timeoutMs, so not a speed claim) is what catches that hang.
  it('then /metrics answers despite the hang, with the config-derived gauges and without the Redis ones', async () => {
    const redis = new Redis(`redis://127.0.0.1:${port}`, { enableReadyCheck: false, maxRetriesPerRequest: null, lazyConnect: false });
    redis.on('error', () => undefined);
    const store = createMetricsStore(redis, 'test-metrics-hang', () => undefined);
    const registry = new Registry();
    const config = testConfig('test-metrics-hang', [{ id: 'news', endpoint: 'http://127.0.0.1:9' }]);
    registerStateGauges(registry, { tenants: config.tenants, store, clock: systemClock(), logger: silent, timeoutMs: 200 });
    try {
      const text = await registry.metrics();
      expect(value(text, 'refresh_budget_limit_items', { tenant: 'news' })).toBe(1000);
      // whether a tenant is paused is read from Redis too: unknown, so left out
      expect(value(text, 'refresh_tenant_paused', { tenant: 'news', reason: 'none' })).toBeUndefined();
      expect(value(text, 'refresh_budget_used_items', { tenant: 'news' })).toBeUndefined();
      expect(samples(text).some((s) => s.name === 'refresh_queue_jobs')).toBe(false);
    } finally {
      redis.disconnect();
      await Promise.race([store.close().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    }
  }, 15_000);
});

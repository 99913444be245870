import { budgetDay } from '@refresh/core';
import { scanKeysUnder } from '@refresh/store';
import { PROJECT, eventually, startSimulator, testConfig, testWorld, urls, assets, type Simulator } from './harness';

/**
 * The refresh pipeline through a real worker, the real Redis and the simulator over HTTP:
 * coalescing, batching, priorities, budget, retries and outcomes.
 */
describe('refresh worker pipeline', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator());
    world = testWorld('pipeline');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  it('when 25 urls with duplicates arrive, then VOD gets batches of 10, 10 and 5 urls and every item has a task id', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const items = [...urls(25), ...urls(5)]; // five repeats collapse
    const id = await world.submit('news', items);
    const r = await eventually(world.settled(id), 'request finished');
    // VOD's verdicts come later (pollInitialDelayMs after acceptance): see result-polling.test.ts
    expect(r.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 25, completed: 0, failed: 0, unknown: 0, canceled: 0 });
    expect(sim.calls().map((c) => c.items.length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    expect(sim.calls().every((c) => c.kind === 'url')).toBe(true);
    expect(new Set(sim.calls().flatMap((c) => c.items)).size).toBe(25);
    expect(r.taskIds.sort()).toEqual(sim.calls().map((c) => c.taskId).sort());
    const page = await world.requests.items(id, 0, 100);
    expect(page.items).toHaveLength(25);
    expect(page.items.every((i) => i.state === 'submitted' && /^[0-9a-f]{32}$/.test(i.task_id ?? ''))).toBe(true);
  });

  it('when urls differ only in scheme/host case, default port or fragment, then they are one item', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const id = await world.submit('news', [
      'u:HTTPS://CDN.Example.com:443/a/B.mp4?x=1#t=10',
      'u:https://cdn.example.com/a/B.mp4?x=1',
      'u:https://cdn.example.com/a/b.mp4?x=1', // path case matters
    ]);
    await eventually(world.settled(id), 'request finished');
    expect(sim.calls().flatMap((c) => c.items).sort()).toEqual([
      'https://cdn.example.com/a/B.mp4?x=1',
      'https://cdn.example.com/a/b.mp4?x=1',
    ]);
  });

  it('when asset ids and urls arrive together, then no call mixes the two kinds', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const id = await world.submit('news', [...urls(7), ...assets(13)]);
    await eventually(world.settled(id), 'request finished');
    for (const c of sim.calls()) expect(['url', 'asset_id']).toContain(c.kind);
    expect(sim.calls().filter((c) => c.kind === 'asset_id').map((c) => c.items.length).sort()).toEqual([10, 3]);
    expect(sim.calls().filter((c) => c.kind === 'url').map((c) => c.items.length)).toEqual([7]);
  });

  it('when an item is pending for the tenant, then a second request links to it and both share its task id', async () => {
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]);
    // dispatching held until both are coalesced: the items are pending, not already sent, by the
    // test's order rather than by the linger outlasting the second ingest
    await world.dispatchQueue.pause();
    const first = await world.submit('news', urls(3));
    const second = await world.submit('news', urls(4)); // 3 shared + 1 new
    await world.worker(config);
    await eventually(async () => (await world.requests.get(first))?.ingestDone && (await world.requests.get(second))?.ingestDone, 'both coalesced');
    await world.dispatchQueue.resume();
    const [a, b] = [await eventually(world.settled(first), 'first'), await eventually(world.settled(second), 'second')];
    expect(sim.calls().flatMap((c) => c.items)).toHaveLength(4);
    expect(a.counts.submitted).toBe(3);
    expect(b.counts.submitted).toBe(4);
    expect(a.taskIds[0]).toBeDefined();
    expect(b.taskIds).toContain(a.taskIds[0]);
  });

  it('when an item was already sent, then a newer request for it is sent again', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const first = await world.submit('news', urls(10));
    await eventually(world.settled(first), 'first');
    const second = await world.submit('news', urls(10));
    await eventually(world.settled(second), 'second');
    expect(sim.calls()).toHaveLength(2);
    expect(sim.calls()[1]?.items).toEqual(sim.calls()[0]?.items);
  });

  it('when fewer than ten items are pending, then they wait for the linger before going out', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], { batching: { lingerMs: 700 } }));
    const submittedAt = Date.now();
    const id = await world.submit('news', assets(3));
    await eventually(world.settled(id), 'request finished');
    expect(sim.calls()).toHaveLength(1);
    // a lower bound from the system's own rule, not a speed claim
    expect(sim.calls()[0]!.acceptedAt - submittedAt).toBeGreaterThanOrEqual(700);
  });

  it('when high and low priority items wait together, then the high ones go first', async () => {
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], { worker: { concurrency: 1, stalledIntervalMs: 1000, lockDurationMs: 2000 } });
    // hold dispatching until both requests are coalesced, so the order is the rule's alone
    await world.dispatchQueue.pause();
    const low = await world.submit('news', urls(20, 'http://low.example.com'), 'low');
    const high = await world.submit('news', urls(20, 'http://high.example.com'), 'high');
    await world.worker(config);
    await eventually(async () => (await world.requests.get(high))?.ingestDone, 'both coalesced');
    await world.dispatchQueue.resume();
    await eventually(world.settled(low), 'low');
    await eventually(world.settled(high), 'high');
    const order = sim.calls().map((c) => (c.items[0]!.includes('high') ? 'high' : 'low'));
    expect(order).toEqual(['high', 'high', 'low', 'low']);
  });

  it('when VOD answers 400 for every item, then the batch is split down to single items and each fails with VOD code and message', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    const bad = assets(4, 'gone');
    sim.rejectItems(PROJECT.projectId, bad.map((a) => a.slice(2)), { status: 400, code: 'VOD.10053', message: 'The request parameter is illegal, illegal field: asset_id_list.' });
    const id = await world.submit('news', bad);
    const r = await eventually(world.settled(id), 'request finished');
    expect(r.counts).toMatchObject({ failed: 4, submitted: 0 });
    const page = await world.requests.items(id, 0, 10);
    expect(page.items.every((i) => i.error?.code === 'VOD.10053' && /illegal/.test(i.error.message))).toBe(true);
    expect(sim.calls()).toHaveLength(0);
  });

  it('when VOD fails with 5xx for a while, then the batch is retried and lands', async () => {
    // enough attempts that the outage (150 ms) cannot use them all up
    const upstream = { maxAttempts: 20 };
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], { upstream }));
    sim.setFaults({ errorRate5xx: 1 });
    const id = await world.submit('news', assets(10));
    await eventually(async () => (await world.requests.get(id))?.counts.in_flight === 10, 'claimed');
    await new Promise((r) => setTimeout(r, 150));
    sim.setFaults({ errorRate5xx: 0 });
    const r = await eventually(world.settled(id), 'request finished');
    expect(r.counts.submitted).toBe(10);
    expect(sim.calls()).toHaveLength(1);
  });

  it('when VOD keeps failing with 5xx, then after the last attempt the items fail with the last error', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    sim.setFaults({ errorRate5xx: 1 });
    const id = await world.submit('news', assets(4));
    const r = await eventually(world.settled(id), 'request finished');
    expect(r.counts.failed).toBe(4);
    const page = await world.requests.items(id, 0, 10);
    expect(page.items[0]?.error?.code).toBe('APIGW.0201');
    expect(sim.calls()).toHaveLength(0);
  });

  it('when VOD refuses connections, then the items fail and their budget comes back', async () => {
    const closed = await startSimulator();
    const deadUrl = closed.url;
    await closed.sim.stop();
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: deadUrl }]);
    await world.worker(config);
    const id = await world.submit('news', assets(4));
    const r = await eventually(world.settled(id), 'request finished');
    expect(r.counts.failed).toBe(4);
    // SCAN of every master: on Redis Cluster a bare KEYS asks one node only
    const used = await scanKeysUnder(world.redis, `${world.prefix}:{news}:budget`);
    const values = await Promise.all(used.map((k) => world.redis.get(k)));
    expect(values.map(Number).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('when a tenant has spent its budget, then its items wait as deferred with a dispatch at the reset, and other tenants go on', async () => {
    const config = testConfig(world.prefix, [
      { id: 'busy', endpoint: simUrl, dailyLimit: 20 },
      { id: 'quiet', endpoint: simUrl },
    ]);
    await world.worker(config);
    const startedAt = Date.now();
    const busy = await world.submit('busy', assets(45, 'b'));
    await eventually(async () => (await world.requests.get(busy))?.counts.submitted === 20, '20 sent');
    const quiet = await world.submit('quiet', assets(3, 'q'));
    await eventually(world.settled(quiet), 'quiet tenant finished');
    const r = await world.requests.get(busy);
    expect(r?.counts).toMatchObject({ pending: 25, submitted: 20, in_flight: 0 });
    expect(sim.calls().filter((c) => c.items[0]!.startsWith('b')).flatMap((c) => c.items)).toHaveLength(20);
    // the next dispatch is a delayed job due at the reset instant, not a poll; the job that finds
    // the budget spent adds it after the second batch's claim, so it is waited for, not raced
    const { resetsAt } = budgetDay(Date.now(), 'Asia/Shanghai');
    const wakeUp = await eventually(
      async () => (await world.dispatchQueue.getDelayed()).find((j) => j.id === `at.busy.${resetsAt}`),
      'a dispatch due at the reset',
    );
    expect(wakeUp.data).toEqual({ tenant: 'busy' });
    // its delay was computed a moment before BullMQ stamped the job, and after the test began:
    // due at the reset, late by at most that moment (bounds from the order of events, not speed)
    const due = wakeUp.timestamp + wakeUp.delay;
    expect(due).toBeGreaterThanOrEqual(resetsAt);
    expect(due - resetsAt).toBeLessThanOrEqual(wakeUp.timestamp - startedAt);
  });
});

import { assets, eventually, startSimulator, testConfig, testWorld, urls, value, type Simulator } from './harness';

/**
 * After VOD accepts a batch, the worker follows its task with ShowRefreshResult until every item
 * has VOD's verdict (completed, failed) or pollMaxAgeMs passes (unknown). Real worker, real
 * Redis, the simulator over HTTP; the simulator's tasks finish after `taskDurationMs`.
 */
describe('following refreshes to their verdict', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  const upstream = (poll: { pollMaxAgeMs?: number } = {}) => ({
    upstream: {
      pollInitialDelayMs: 100, pollMaxDelayMs: 400, pollMaxAgeMs: 60_000, ...poll,
    },
  });

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator({ taskDurationMs: 300 }));
    world = testWorld('results');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const itemStates = async (requestId: string) =>
    (await world.requests.items(requestId, 0, 100)).items.map((i) => [i.value, i.state, i.error?.code ?? null]);
  const retained = async (requestId: string) => (await world.redis.ttl(world.keys('news').request(requestId))) > 0;

  it('when VOD finishes a refresh, then its items and its request are followed to completed', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], upstream()));
    const id = await world.submit('news', [...urls(12), ...assets(3)]);
    const r = await eventually(world.final(id), 'every verdict in');
    expect(r.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 15, failed: 0, unknown: 0, canceled: 0 });
    const page = await world.requests.items(id, 0, 100);
    expect(page.items.every((i) => i.state === 'completed' && /^[0-9a-f]{32}$/.test(i.task_id ?? ''))).toBe(true);
    // completed: its retention period has started
    expect(await retained(id)).toBe(true);
    const text = await w.metrics.registry.metrics();
    expect(value(text, 'refresh_worker_results_total', { tenant: 'news', verdict: 'completed' })).toBe(15);
  });

  it("when VOD fails one URL, then that item ends failed with VOD's verdict while its batch-mates complete", async () => {
    const bad = 'http://cdn.example.com/v/3.m3u8';
    sim.failItems([bad]);
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], upstream()));
    const id = await world.submit('news', urls(6));
    const r = await eventually(world.final(id), 'every verdict in');
    expect(sim.calls()).toHaveLength(1); // one batch: the failed URL and its mates share a task
    expect(r.counts).toMatchObject({ completed: 5, failed: 1, unknown: 0 });
    const items = await world.requests.items(id, 0, 100);
    const failed = items.items.filter((i) => i.state === 'failed');
    expect(failed.map((i) => i.value)).toEqual([bad]);
    expect(failed[0]?.error).toEqual({ code: 'VOD.REFRESH_FAILED', message: expect.stringMatching(/FAILED/) });
    expect(failed[0]?.task_id).toBe(sim.calls()[0]!.taskId);
    const text = await w.metrics.registry.metrics();
    expect(value(text, 'refresh_worker_results_total', { tenant: 'news', verdict: 'failed' })).toBe(1);
  });

  it('when VOD fails a URL of an asset batch, then every asset of that batch fails with it', async () => {
    // the simulator reports an asset batch's "URLs" as the asset ids themselves
    sim.failItems(['asset1']);
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], upstream()));
    const id = await world.submit('news', assets(3));
    const r = await eventually(world.final(id), 'every verdict in');
    expect(r.counts).toMatchObject({ completed: 0, failed: 3 });
  });

  it('when a task never finishes, then its items end unknown once pollMaxAgeMs has passed', async () => {
    const slow = await startSimulator({ taskDurationMs: 3_600_000 });
    world.onClose(() => slow.sim.stop());
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: slow.url }], upstream({ pollMaxAgeMs: 1500 })));
    const id = await world.submit('news', urls(4));
    await eventually(async () => ((await world.requests.get(id))?.counts.submitted === 4 ? true : undefined), 'submitted');
    const r = await eventually(world.final(id), 'given up');
    // not before the deadline: pollMaxAgeMs counts from the worker's acceptance, which follows
    // VOD's (a lower bound from the rule and the order of events, not a speed claim)
    expect(Date.now() - slow.sim.calls()[0]!.acceptedAt).toBeGreaterThanOrEqual(1500);
    expect(r.counts).toMatchObject({ submitted: 0, completed: 0, failed: 0, unknown: 4 });
    expect((await itemStates(id)).every(([, state]) => state === 'unknown')).toBe(true);
    expect(await retained(id)).toBe(true);
    const text = await w.metrics.registry.metrics();
    expect(value(text, 'refresh_worker_results_total', { tenant: 'news', verdict: 'unknown' })).toBe(4);
  });

  it("when two requests share an item, then both take VOD's verdict for it", async () => {
    const shared = 'http://cdn.example.com/v/0.m3u8';
    sim.failItems([shared]);
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], upstream());
    // dispatching held until both are coalesced, so the shared item is linked while pending
    await world.dispatchQueue.pause();
    const first = await world.submit('news', urls(2)); // v/0, v/1
    const second = await world.submit('news', [`u:${shared}`, 'u:http://cdn.example.com/other.m3u8']);
    await world.worker(config);
    await eventually(async () => (await world.requests.get(first))?.ingestDone && (await world.requests.get(second))?.ingestDone, 'both coalesced');
    await world.dispatchQueue.resume();
    const [a, b] = [await eventually(world.final(first), 'first'), await eventually(world.final(second), 'second')];
    expect(sim.calls().flatMap((c) => c.items)).toHaveLength(3); // the shared item went out once
    expect(a.counts).toMatchObject({ completed: 1, failed: 1 });
    expect(b.counts).toMatchObject({ completed: 1, failed: 1 });
    expect((await itemStates(second))[0]).toEqual([shared, 'failed', 'VOD.REFRESH_FAILED']);
    expect(await retained(first)).toBe(true);
    expect(await retained(second)).toBe(true);
  });

  it('when ShowRefreshResult fails for a while, then polling goes on and the items still complete', async () => {
    // VOD's clock stands still until the test lets it go: the task cannot finish (and a poll
    // cannot record a verdict) before the failures below begin, however slowly the test runs
    let frozenAt: number | undefined = Date.now();
    const held = await startSimulator({ taskDurationMs: 300, now: () => frozenAt ?? Date.now() });
    world.onClose(() => held.sim.stop());
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: held.url }], upstream()));
    const id = await world.submit('news', urls(3));
    await eventually(async () => ((await world.requests.get(id))?.counts.submitted === 3 ? true : undefined), 'submitted');
    held.sim.setFaults({ errorRate5xx: 1 }); // every poll answers 502 now
    frozenAt = undefined;
    // several polls meet the 502 (counted on arrival), and the items wait on, neither failed nor unknown
    const before = held.sim.arrivals().filter((a) => a.api === 'show_result').length;
    await eventually(async () => held.sim.arrivals().filter((a) => a.api === 'show_result').length >= before + 3, 'polls answered 502');
    expect((await world.requests.get(id))?.counts.submitted).toBe(3);
    held.sim.setFaults({ errorRate5xx: 0 });
    const r = await eventually(world.final(id), 'every verdict in');
    expect(r.counts).toMatchObject({ completed: 3, unknown: 0 });
  });
});

import { budgetDay } from '@refresh/core';
import { PROJECT, PROJECT2, assets, busiestSecond, eventually, recordCallSlots, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * What the worker does with each class of VOD answer (issue: upstream fidelity), through the
 * real worker, Redis and the simulator over HTTP.
 */
describe('handling every kind of VOD answer', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator());
    world = testWorld('answers');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  it('when one asset id in a batch of 10 is refused, then 9 items are submitted and only that one fails with VOD code', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    sim.rejectItems(PROJECT.projectId, ['asset7'], { status: 400, code: 'VOD.10062', message: 'The media asset does not exist.' });
    const id = await world.submit('news', assets(10));
    const r = await eventually(world.settled(id), 'request settled');
    expect(r.counts).toMatchObject({ submitted: 9, failed: 1 });
    const items = (await world.requests.items(id, 0, 10)).items;
    expect(items.filter((i) => i.state === 'failed')).toEqual([
      { kind: 'asset_id', value: 'asset7', state: 'failed', error: { code: 'VOD.10062', message: 'The media asset does not exist.' } },
    ]);
    // every accepted call carried good items only, each exactly once
    expect(sim.calls().flatMap((c) => c.items).sort()).toEqual(assets(10).map((a) => a.slice(2)).filter((a) => a !== 'asset7').sort());
  });

  it('when VOD refuses a tenant credentials, then only that tenant pauses, nothing queued is lost, and it resumes after the cool-down', async () => {
    const config = testConfig(world.prefix, [
      { id: 'broken', endpoint: simUrl, project: PROJECT2 },
      { id: 'healthy', endpoint: simUrl },
    ], { upstream: { pauseCooldownMs: 1500 } });
    const w = await world.worker(config);
    // its three batches may be on the wire together: each is refused
    sim.script(PROJECT2.projectId, 3, { status: 403, code: 'VOD.10054' });
    const broken = await world.submit('broken', assets(25, 'b'));
    const healthy = await world.submit('healthy', assets(12, 'h'));

    const pause = await eventually(async () => (await w.gate.getPause('broken')) ?? undefined, 'tenant paused');
    expect(pause).toMatchObject({ reason: 'credentials', code: 'VOD.10054' });
    expect(await w.gate.getPause('healthy')).toBeNull();
    await eventually(world.settled(healthy), 'the healthy tenant goes on');

    // the cool-down passes; the probe call is accepted, the tenant resumes and everything goes out
    const r = await eventually(world.settled(broken), 'broken tenant drained after the probe', 30_000);
    expect(r.counts).toMatchObject({ submitted: 25, failed: 0 });
    expect(await w.gate.getPause('broken')).toBeNull();
    const brokenCalls = sim.calls().filter((c) => c.projectId === PROJECT2.projectId);
    expect(brokenCalls.flatMap((c) => c.items)).toHaveLength(25);
    // nothing of it reached VOD while it was paused: every accepted call came at or after the
    // probe was due (read from the calls' own times, not from when the test happened to look)
    expect(brokenCalls.filter((c) => c.acceptedAt < pause.probeAt)).toEqual([]);
  });

  it('when a paused tenant gets new credentials in the config, then a worker started with them resumes it at once', async () => {
    const upstream = { pauseCooldownMs: 3_600_000 };
    const wrong = { ...PROJECT2, secretKey: 'an-old-secret' };
    const first = await world.worker(testConfig(world.prefix, [{ id: 'broken', endpoint: simUrl, project: wrong }], { upstream }));
    const id = await world.submit('broken', assets(5, 'c'));
    const pause = await eventually(async () => (await first.gate.getPause('broken')) ?? undefined, 'paused on a bad signature');
    expect(pause.code).toBe('APIGW.0301');
    await first.stop();
    // the operator fixes the secret and rolls the workers: no waiting for the hour-long cool-down
    const fixed = await world.worker(testConfig(world.prefix, [{ id: 'broken', endpoint: simUrl, project: PROJECT2 }], { upstream }));
    const r = await eventually(world.settled(id), 'sent with the new credentials');
    expect(r.counts.failed).toBe(0);
    expect(await fixed.gate.getPause('broken')).toBeNull();
  });

  it('when the gateway answers 502 backend unavailable or 429 throttled, then the resent batch is charged to the budget once', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], { batching: { lingerMs: 0 } }));
    sim.script(PROJECT.projectId, 1, { status: 502, code: 'APIGW.0201' });
    sim.script(PROJECT.projectId, 1, { status: 429, code: 'APIGW.0308', retryAfterSeconds: 1 });
    const id = await world.submit('news', assets(10, 'gw'));
    const r = await eventually(world.settled(id), 'sent after the gateway refusals', 30_000);
    expect(r.counts.submitted).toBe(10);
    expect(sim.arrivals().filter((a) => a.api === 'refresh')).toHaveLength(3);
    const { dayId } = budgetDay(Date.now(), 'Asia/Shanghai');
    expect(Number(await world.redis.get(world.keys('news').budget(dayId)))).toBe(10);
  });

  it('when VOD answers 429 for a storm of calls, then the tenant never exceeds its call rate and everything lands', async () => {
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, maxCallsPerSecond: 4 }], {
      batching: { lingerMs: 0 },
      worker: { concurrency: 16, stalledIntervalMs: 1000, lockDurationMs: 2000 },
    });
    // two replicas, sharing the rate
    const slots = [recordCallSlots(await world.worker(config)), recordCallSlots(await world.worker(config))];
    sim.script(PROJECT.projectId, 12, { status: 429, code: 'APIGW.0308', retryAfterSeconds: 1 });
    const id = await world.submit('news', urls(120));
    const r = await eventually(world.settled(id), 'all submitted', 60_000);
    expect(r.counts.submitted).toBe(120);
    const arrivals = sim.arrivals();
    expect(arrivals.length).toBeGreaterThanOrEqual(24); // 12 refused + 12 accepted
    // every call VOD saw left with a slot of the shared rate (a call that skipped the gate would not)
    const departures = slots.flat();
    expect(arrivals.length).toBeLessThanOrEqual(departures.length);
    // in any one-second window at most the rate plus a burst of one second's worth (counted as
    // calls leave: arrival times at the simulator also carry the test process's event-loop lag)
    expect(busiestSecond(departures)).toBeLessThanOrEqual(8);
  });

  it("when VOD answers with a tenant's quota code, then its budget is marked spent and the items wait for the reset", async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, quotaErrorCodes: ['VOD.99001'] }]));
    // three batches of ten may be on the wire at once: each gets the quota answer
    sim.script(PROJECT.projectId, 3, { status: 400, code: 'VOD.99001', message: 'quota exhausted' });
    const id = await world.submit('news', assets(30));
    const { dayId } = budgetDay(Date.now(), 'Asia/Shanghai');
    await eventually(async () => Number(await world.redis.get(world.keys('news').budget(dayId))) >= 1000 || undefined, 'budget marked spent');
    await new Promise((r) => setTimeout(r, 500));
    const r = await world.requests.get(id);
    expect(r!.counts.submitted).toBe(0);
    expect(r!.counts.pending + r!.counts.deferred + r!.counts.in_flight).toBe(30);
    expect(sim.calls()).toHaveLength(0);
    void w;
  });

  it('when VOD answers an error code nobody knows, then the batch is retried, not dropped, and the code is counted', async () => {
    const w = await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }]));
    sim.script(PROJECT.projectId, 1, { status: 418, code: 'VOD.77777', message: 'surprise' });
    const id = await world.submit('news', assets(10));
    const r = await eventually(world.settled(id), 'request settled');
    expect(r.counts.submitted).toBe(10);
    const text = await w.metrics.registry.getSingleMetricAsString('refresh_worker_upstream_unknown_codes_total');
    expect(text).toMatch(/refresh_worker_upstream_unknown_codes_total\{tenant="news"\} 1/);
  });
});

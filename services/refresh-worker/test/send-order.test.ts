import { eventually, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * Claim at send time: a tenant's batch (its items and its budget) is claimed only together with
 * the call slot of the tenant's pace, so nothing claimed waits for a slot. Under pacing, calls
 * reach VOD in priority order and first come first served within a priority, and an item that
 * arrives while a backlog drains overtakes everything of lower priority not yet on the wire.
 * Real worker, real Redis, the simulator over HTTP.
 */
describe('the order of calls under a tenant pace', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator());
    world = testWorld('send-order');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  /** The item's index in urls(n, base): `.../<i>.m3u8`. */
  const indexOf = (item: string) => Number(/\/(\d+)\.m3u8$/.exec(item)?.[1]);

  it('when high items arrive while a low backlog drains at 2 calls/s, then they go out in the next call, the backlog goes first come first served, and no more than the pace allows is ever in flight', async () => {
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, maxCallsPerSecond: 2 }]));
    const low = await world.submit('news', urls(200, 'http://low.example.com/v'), 'low');

    // sample the low request's in-flight count all along: claimed items are on the wire or about to be
    let maxInFlight = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const r = await world.requests.get(low);
        maxInFlight = Math.max(maxInFlight, r?.counts.in_flight ?? 0);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    await eventually(async () => sim.calls().length >= 3, 'the backlog is draining');
    const high = await world.submit('news', urls(5, 'http://high.example.com/v'), 'high');
    await eventually(async () => (await world.requests.get(high))?.ingestDone, 'the high items are pending');
    const callsBeforeHighPending = sim.calls().length;

    await eventually(world.settled(high), 'high sent', 20_000);
    await eventually(world.settled(low), 'low sent', 60_000);
    sampling = false;
    await sampler;

    const calls = sim.calls();
    const highCall = calls.findIndex((c) => c.items.some((i) => i.includes('high.example.com')));
    // the slot that was already taken when the high items became pending may carry a low batch;
    // the next one is theirs, all five together
    expect(highCall - callsBeforeHighPending).toBeLessThanOrEqual(1);
    expect(calls[highCall]!.items.filter((i) => i.includes('high.example.com'))).toHaveLength(5);

    // the low request's items leave in the order they came: 0..9, 10..19, ...
    const lowOrder = calls.flatMap((c) => c.items.filter((i) => i.includes('low.example.com')).map(indexOf));
    expect(lowOrder).toHaveLength(200);
    expect(lowOrder).toEqual([...lowOrder].sort((a, b) => a - b));

    // at 2 calls/s (a burst of 2 after a quiet spell) at most two batches are claimed at once
    expect(maxInFlight).toBeLessThanOrEqual(20);
  });
});

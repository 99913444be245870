import { eventually, movableClock, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * Hot-item debounce: with minRefreshIntervalMs, an item asked for again less than that after its
 * last send waits until the interval has passed since that send, then goes once for every request
 * that arrived meanwhile; never dropped, and never before the last request for it arrived. Real
 * worker, real Redis, the simulator over HTTP, on a clock the test moves.
 */
const ZONE = 'Asia/Shanghai';
const INTERVAL_MS = 10 * 60_000;

describe('hot-item debounce', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  const { clock, noon, moveTo, advance } = movableClock(ZONE);

  beforeEach(async () => {
    moveTo(noon.toMillis());
    const started = await startSimulator({ now: clock.now, timezone: ZONE });
    sim = started.sim;
    world = testWorld('debounce');
    await world.worker(
      testConfig(world.prefix, [{ id: 'news', endpoint: started.url, timezone: ZONE, maxCallsPerSecond: 50, minRefreshIntervalMs: INTERVAL_MS }]),
      clock,
    );
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  it('when a playlist is asked for five more times within minutes of its refresh, then it goes once more, ten minutes after the first send, for all five', async () => {
    const playlist = urls(1, 'http://cdn.example.com/live');
    const askedAt = clock.now();
    const first = await world.submit('news', playlist, 'normal', askedAt);
    await eventually(world.settled(first), 'the first refresh sent');
    const sentAt = sim.calls()[0]!.acceptedAt;

    const repeats: string[] = [];
    for (let minute = 1; minute <= 5; minute++) {
      advance(60_000);
      repeats.push(await world.submit('news', playlist, 'normal', clock.now()));
      await eventually(async () => (await world.requests.get(repeats.at(-1)!))?.ingestDone, 'coalesced');
    }
    // all five wait for one held instance, which says when it goes
    for (const id of repeats) expect((await world.requests.get(id))?.counts.pending).toBe(1);
    const [held] = (await world.requests.items(repeats[0]!, 0, 10)).items;
    expect(held?.state).toBe('pending');
    // the interval runs from the first send's claim: after the first request, before VOD's 202
    const claimedAt = Date.parse(held?.next_attempt_at ?? '') - INTERVAL_MS;
    expect(claimedAt).toBeGreaterThanOrEqual(askedAt);
    expect(claimedAt).toBeLessThanOrEqual(sentAt);
    expect(sim.calls()).toHaveLength(1);

    // ten minutes after the first send it goes, once, and every repeat shares that send
    moveTo(sentAt + INTERVAL_MS);
    await world.dispatchQueue.promoteJobs();
    for (const id of repeats) await eventually(world.settled(id), 'the repeat sent');
    expect(sim.calls()).toHaveLength(2);
    expect(sim.calls()[1]!.acceptedAt).toBeGreaterThanOrEqual(sentAt + INTERVAL_MS);
    const tasks = new Set(await Promise.all(repeats.map(async (id) => (await world.requests.get(id))?.taskIds[0])));
    expect([...tasks]).toEqual([sim.calls()[1]!.taskId]);
  });

  it('when an item was last sent longer ago than the interval, then a new request for it goes at once', async () => {
    const asset = urls(1, 'http://cdn.example.com/cold');
    await eventually(world.settled(await world.submit('news', asset, 'normal', clock.now())), 'first');
    advance(INTERVAL_MS + 1);
    await eventually(world.settled(await world.submit('news', asset, 'normal', clock.now())), 'second, without waiting');
    expect(sim.calls()).toHaveLength(2);
  });
});

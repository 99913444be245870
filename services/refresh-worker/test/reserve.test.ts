import { budgetDay } from '@refresh/core';
import { eventually, movableClock, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * The urgent reserve: the last units of a budget day that only high-priority items may spend
 * until the release, some minutes before the reset. A low backlog that arrives early cannot leave
 * a correction of the afternoon waiting for midnight, and the day still ends fully spent. Real
 * worker, real Redis, the simulator over HTTP, on a clock the test moves.
 */
const ZONE = 'Asia/Shanghai';

describe('the urgent reserve', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  // local noon tomorrow: far from the release (23:00) and from the midnight guard
  const { clock, noon, moveTo } = movableClock(ZONE);

  beforeEach(async () => {
    moveTo(noon.toMillis());
    const started = await startSimulator({ now: clock.now, timezone: ZONE });
    sim = started.sim;
    world = testWorld('reserve');
    await world.worker(
      testConfig(world.prefix, [{
        id: 'news', endpoint: started.url, dailyLimit: 20, timezone: ZONE, maxCallsPerSecond: 50,
        reserve: { high: 5, releaseMinutesBeforeReset: 60 },
      }]),
      clock,
    );
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const used = async () => Number((await world.redis.get(world.keys('news').budget(budgetDay(clock.now(), ZONE).dayId))) ?? 0);
  const sentOf = (host: string) => sim.calls().flatMap((c) => c.items).filter((i) => i.includes(host)).length;

  it('when a low backlog arrives in the morning, then it leaves the reserve alone, a high item later gets it, and the release lets the backlog finish the day', async () => {
    const low = await world.submit('news', urls(40, 'http://low.example.com/v'), 'low', clock.now());
    await eventually(async () => (await used()) === 15 && sentOf('low.example.com') === 15, 'the backlog spent all but the reserve');
    // it stays there: nothing more of the backlog goes while only the reserve is left
    await eventually(async () => (await world.requests.get(low))?.counts.in_flight === 0, 'nothing of it in flight');
    expect(await used()).toBe(15);

    const high = await world.submit('news', urls(3, 'http://high.example.com/v'), 'high', clock.now());
    await eventually(world.settled(high), 'the high items sent from the reserve');
    expect(sentOf('high.example.com')).toBe(3);
    expect(await used()).toBe(18);
    expect(sentOf('low.example.com')).toBe(15);

    // the release frees the reserve one unit at a time over the last hour (5 units: one every 12
    // minutes); normal and low items may take used up to 20 minus what is still held, so by
    // 23:50 (none held) the backlog has the rest and the day ends spent
    moveTo(budgetDay(clock.now(), ZONE).resetsAt - 10 * 60_000);
    await world.dispatchQueue.promoteJobs();
    await eventually(async () => (await used()) === 20 && sentOf('low.example.com') === 17, 'the day ends fully spent');
    expect((await world.requests.get(low))?.counts.pending).toBe(23);
  });

  it('when a high item arrives late in the release window after a backlog took what was freed, then part of the reserve is still held for it', async () => {
    const low = await world.submit('news', urls(40, 'http://low.example.com/v'), 'low', clock.now());
    await eventually(async () => (await used()) === 15, 'the backlog spent all but the reserve');
    // the dispatch chain parked until the release before the clock moves: a claim still answering
    // for noon while the clock moved would leave its wake-up for the release behind the move
    await eventually(async () => {
      const q = world.dispatchQueue;
      const [active, waiting, delayed] = await Promise.all([q.getActiveCount(), q.getWaitingCount(), q.getDelayedCount()]);
      return active === 0 && waiting === 0 && delayed > 0;
    }, 'the dispatch chain parked until the release');
    // 23:30: half the window left, so 2 of the 5 units are still held; the backlog takes 3 more
    moveTo(budgetDay(clock.now(), ZONE).resetsAt - 30 * 60_000);
    await world.dispatchQueue.promoteJobs();
    await eventually(async () => (await used()) === 18 && sentOf('low.example.com') === 18, 'the backlog took what the release freed');
    await eventually(async () => (await world.requests.get(low))?.counts.in_flight === 0, 'nothing of it in flight');

    const high = await world.submit('news', urls(2, 'http://late-high.example.com/v'), 'high', clock.now());
    await eventually(world.settled(high), 'the late high items sent from what is still held');
    expect(sentOf('late-high.example.com')).toBe(2);
    expect(await used()).toBe(20);
  });
});

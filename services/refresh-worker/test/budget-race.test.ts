import { DateTime } from 'luxon';
import {
  assets, eventually, spawnWorker, startSimulator, stopWorker, testConfig, testWorld, writeConfigFile, type Simulator, type WorkerProcess,
} from './harness';

/**
 * Four worker processes race over 3,000 pending items of one tenant whose daily limit is 1,000.
 * Every process runs on a clock shifted to 23:59:35 in Asia/Shanghai, so the budget day
 * changes a few real seconds into the test; the simulator shares that clock and counts what it
 * accepted per local day.
 */
describe('daily budget under racing replicas', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  const workers: WorkerProcess[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await world?.close();
    await sim?.stop();
  });

  it('when 4 workers race over 3,000 items, then exactly 1,000 go out on the first day and the next 1,000 after midnight', async () => {
    const zone = 'Asia/Shanghai';
    // 25 s before midnight: the four workers must start and send the first day's 1,000 before it,
    // and on a busy 2-core machine starting four node processes alone takes seconds
    const nearMidnight = DateTime.now().setZone(zone).endOf('day').minus({ seconds: 25 }).plus({ days: 1 });
    const offsetMs = nearMidnight.toMillis() - Date.now();
    const firstDay = nearMidnight.toISODate()!;
    const secondDay = nearMidnight.plus({ days: 1 }).toISODate()!;
    const clock = () => Date.now() + offsetMs;

    const started = await startSimulator({ now: clock, timezone: zone, dailyLimit: 1000 });
    sim = started.sim;
    world = testWorld('race');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url, dailyLimit: 1000, timezone: zone, maxCallsPerSecond: 500 }], {
      batching: { lingerMs: 100 },
    });
    const requestId = await world.submit('news', assets(3000));
    const path = writeConfigFile(config);
    for (let i = 0; i < 4; i++) workers.push(spawnWorker(path, world.prefix, { CLOCK_OFFSET_MS: String(offsetMs) }));

    // accepted items move on from submitted to completed as VOD's verdicts come in
    const accepted = async () => {
      const c = (await world.requests.get(requestId))!.counts;
      return c.submitted + c.completed;
    };
    await eventually(async () => (await accepted()) >= 2000 || undefined, '2,000 submitted', 60_000).catch(
      async (err) => {
        console.log(JSON.stringify(await world.requests.get(requestId)), sim.usage(), workers.map((w) => w.output()).join('\n'));
        throw err;
      },
    );
    const perDay = new Map<string, number>();
    for (const c of sim.calls()) perDay.set(c.day, (perDay.get(c.day) ?? 0) + c.items.length);
    expect(perDay.get(firstDay)).toBe(1000);
    expect(perDay.get(secondDay)).toBe(1000);
    const sent = sim.calls().flatMap((c) => c.items);
    expect(new Set(sent).size).toBe(sent.length); // nothing sent twice
    expect(sim.calls().every((c) => c.items.length >= 1 && c.items.length <= 10)).toBe(true);
    const r = await world.requests.get(requestId);
    expect(r?.counts).toMatchObject({ pending: 1000, in_flight: 0, failed: 0, unknown: 0 });
    expect(r!.counts.submitted + r!.counts.completed).toBe(2000);
  }, 120_000);
});

import { budgetDay } from '@refresh/core';
import { eventually, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * Fair shares between the callers of one tenant: within a priority each caller's items wait in
 * a lane of their own, and claims take from the lanes by weight (start-time fair queuing), so one
 * system's large backlog cannot hold another's few items back. An item several callers asked for
 * is charged to them in equal shares, and the charges add up to the day's budget counter.
 * Real worker, real Redis, the simulator over HTTP.
 */
describe('fair shares between the callers of a tenant', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator());
    world = testWorld('fair');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const callers = (weights: Record<string, number>) =>
    Object.entries(weights).map(([id, weight], i) => ({ id, apiKeySha256: String(i).repeat(64), tenants: ['news'], weight }));
  const config = (weights: Record<string, number>) =>
    testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, maxCallsPerSecond: 50 }], {
      callers: callers(weights),
      // one claim at a time, so the order of calls is the order of claims
      worker: { concurrency: 1, stalledIntervalMs: 1000, lockDurationMs: 2000 },
    });
  /** Which caller's items each call carried, in the order VOD accepted them. */
  const itemsOf = (host: string) => sim.calls().map((c) => c.items.filter((i) => i.includes(host)).length);

  /** Both requests coalesced before any claim, so the order is the rule's alone. */
  async function queued(requests: Array<Promise<string>>): Promise<string[]> {
    await world.dispatchQueue.pause();
    const ids = await Promise.all(requests);
    for (const id of ids) await eventually(async () => (await world.requests.get(id))?.ingestDone, 'coalesced');
    await world.dispatchQueue.resume();
    return ids;
  }

  it('when one caller has 100 items waiting and another sends 10, then the 10 go out in the first two calls, beside the backlog', async () => {
    await world.worker(config({ archive: 1, newsroom: 1 }));
    const [backlog, news] = await queued([
      world.submit('news', urls(100, 'http://archive.example.com/v'), 'normal', Date.now(), undefined, 'archive'),
      world.submit('news', urls(10, 'http://newsroom.example.com/v'), 'normal', Date.now() + 1, undefined, 'newsroom'),
    ]);
    await eventually(world.settled(news!), 'the newsroom items sent');
    await eventually(world.settled(backlog!), 'the backlog sent');
    // equal weights: the two lanes alternate, five items each per call until the newsroom's are out
    expect(itemsOf('newsroom.example.com').slice(0, 2)).toEqual([5, 5]);
    expect(itemsOf('archive.example.com').reduce((a, n) => a + n, 0)).toBe(100);
  });

  it('when two callers weighted 3 and 1 both have a backlog, then the first 40 items go 30 to 10', async () => {
    await world.worker(config({ heavy: 3, light: 1 }));
    const [a, b] = await queued([
      world.submit('news', urls(60, 'http://heavy.example.com/v'), 'normal', Date.now(), undefined, 'heavy'),
      world.submit('news', urls(60, 'http://light.example.com/v'), 'normal', Date.now() + 1, undefined, 'light'),
    ]);
    await eventually(world.settled(a!), 'heavy sent');
    await eventually(world.settled(b!), 'light sent');
    const first40 = (host: string) => itemsOf(host).slice(0, 4).reduce((x, n) => x + n, 0);
    expect(Math.abs(first40('heavy.example.com') - 30)).toBeLessThanOrEqual(1);
    expect(first40('heavy.example.com') + first40('light.example.com')).toBe(40);
  });

  it('when two callers ask for the same items, then each is charged half a unit for them, and the charges add up to the budget used', async () => {
    const w = await world.worker(config({ cms: 1, feeds: 1 }));
    const shared = urls(4, 'http://shared.example.com/v');
    const [first, second] = await queued([
      world.submit('news', [...shared, ...urls(2, 'http://cms-only.example.com/v')], 'normal', Date.now(), undefined, 'cms'),
      world.submit('news', shared, 'normal', Date.now() + 1, undefined, 'feeds'),
    ]);
    await eventually(world.settled(first!), 'sent');
    await eventually(world.settled(second!), 'sent');
    const day = budgetDay(Date.now(), 'Asia/Shanghai').dayId;
    const budget = await world.requests.budget('news', day);
    expect(budget.used).toBe(6);
    expect(budget.charges).toEqual({ cms: 4, feeds: 2 });
    // and operators see the same split
    const text = await w.metrics.registry.metrics();
    expect(text).toContain('refresh_budget_charged_units{tenant="news",caller="cms"} 4');
    expect(text).toContain('refresh_budget_charged_units{tenant="news",caller="feeds"} 2');
    expect(text).toContain('refresh_budget_charged_units{tenant="news",caller="unattributed"} 0');
  });
});

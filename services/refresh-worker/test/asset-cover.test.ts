import { budgetDay } from '@refresh/core';
import { eventually, PROJECT, startSimulator, testConfig, testWorld, type Simulator } from './harness';

/**
 * Asset cover: with the tenant's assetIdFromUrl, the waiting URLs of one asset (and the asset id
 * itself, if asked for) go as one asset-id item, one call slot, one unit. VOD's verdict for the
 * asset lists the URLs it refreshed; each covered URL takes its own entry, and one VOD did not
 * list goes again as a URL, so a wrong pattern costs units, never freshness. Real worker, real
 * Redis, the simulator over HTTP, whose catalogue knows each asset's playback URLs.
 */
const ASSET = '9db42f5e08c15edecd99a98da241994a';
const BASE = `https://media.example.com/asset/${ASSET}`;
const PLAYBACK = ['index.m3u8', '360p.m3u8', '720p.m3u8', '1080p.m3u8', 'thumb.jpg', 'download.mp4'].map((f) => `${BASE}/${f}`);
const PATTERN = '^https?://[^/]+/asset/([0-9a-f]{32})/';
const ZONE = 'Asia/Shanghai';

describe('asset cover', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;

  beforeEach(async () => {
    const started = await startSimulator({ catalogue: { [ASSET]: PLAYBACK }, timezone: ZONE });
    sim = started.sim;
    world = testWorld('cover');
    const callers = ['cms', 'feeds'].map((id, i) => ({ id, apiKeySha256: String(i).repeat(64), tenants: ['news'] }));
    await world.worker(testConfig(world.prefix, [{ id: 'news', endpoint: started.url, timezone: ZONE, maxCallsPerSecond: 50, assetIdFromUrl: PATTERN }], { callers }));
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const today = () => budgetDay(Date.now(), ZONE).dayId;
  const ledger = async () => world.redis.hgetall(world.keys('news').ledger(today()));
  const used = async () => Number((await world.redis.get(world.keys('news').budget(today()))) ?? 0);

  it("when a publishing system asks for the six URLs of one re-encoded asset, then one asset-id call refreshes them for one unit, and each URL keeps its own state and task", async () => {
    const [request] = await world.queued(() => world.submit('news', PLAYBACK.map((u) => `u:${u}`), 'normal', Date.now(), undefined, 'cms'));
    await eventually(world.final(request!), 'every URL has its verdict');

    expect(sim.calls().map((c) => ({ kind: c.kind, items: c.items }))).toEqual([{ kind: 'asset_id', items: [ASSET] }]);
    expect(await used()).toBe(1);
    const { items } = await world.requests.items(request!, 0, 10);
    expect(items.map((i) => i.value)).toEqual(PLAYBACK);
    for (const item of items) {
      expect(item).toMatchObject({ kind: 'url', state: 'completed', task_id: sim.calls()[0]!.taskId, covered_by: { asset_id: ASSET } });
    }
    // the ledger: one unit spent and accepted, six items carried, five of them saved
    expect(await ledger()).toMatchObject({ spent: '1', accepted: '1', items: '6', 'kind:a': '1', 'saved:covered': '5', 'g:a:cms': '1000' });
  });

  it('when one caller asks for the asset id and another for three of its URLs, then one unit carries all four, shared by both', async () => {
    const [direct, urls] = await world.queued(
      () => world.submit('news', [`a:${ASSET}`], 'normal', Date.now(), undefined, 'cms'),
      () => world.submit('news', PLAYBACK.slice(0, 3).map((u) => `u:${u}`), 'normal', Date.now(), undefined, 'feeds'),
    );
    await eventually(world.final(direct!), 'the asset id has its verdict');
    await eventually(world.final(urls!), 'the URLs have theirs');

    expect(sim.calls()).toHaveLength(1);
    expect(await used()).toBe(1);
    expect((await world.requests.get(direct!))?.counts.completed).toBe(1);
    expect((await world.requests.get(urls!))?.counts.completed).toBe(3);
    expect(await world.redis.hgetall(world.keys('news').charges(today()))).toEqual({ cms: '500', feeds: '500' });
    expect(await ledger()).toMatchObject({ spent: '1', items: '4', 'saved:covered': '3' });
  });

  it("when VOD's verdict for the asset does not list a URL the pattern gave it, then that URL goes again as a URL, and the miss is counted", async () => {
    const stray = `${BASE}/not-in-catalogue.m3u8`;
    const [request] = await world.queued(() => world.submit('news', [`u:${PLAYBACK[0]}`, `u:${stray}`], 'normal', Date.now(), undefined, 'cms'));
    await eventually(world.final(request!), 'both URLs have their verdict');

    expect(sim.calls().map((c) => ({ kind: c.kind, items: c.items }))).toEqual([
      { kind: 'asset_id', items: [ASSET] },
      { kind: 'url', items: [stray] },
    ]);
    const { items } = await world.requests.items(request!, 0, 10);
    expect(items[0]).toMatchObject({ state: 'completed', task_id: sim.calls()[0]!.taskId, covered_by: { asset_id: ASSET } });
    expect(items[1]).toMatchObject({ state: 'completed', task_id: sim.calls()[1]!.taskId });
    expect(items[1]).not.toHaveProperty('covered_by');
    expect(await used()).toBe(2);
    expect(await ledger()).toMatchObject({ spent: '2', miss: '1', 'saved:covered': '1' });
  });

  it('when VOD refuses the asset id itself, then its URLs go again as URLs, each with its own verdict', async () => {
    sim.rejectItems(PROJECT.projectId, [ASSET], { status: 400, code: 'VOD.10062' });
    const [request] = await world.queued(() => world.submit('news', PLAYBACK.slice(0, 2).map((u) => `u:${u}`), 'normal', Date.now(), undefined, 'cms'));
    await eventually(world.final(request!), 'both URLs have their verdict');

    expect(sim.calls().map((c) => c.items)).toEqual([PLAYBACK.slice(0, 2)]);
    const r = await world.requests.get(request!);
    expect(r?.counts).toMatchObject({ completed: 2, failed: 0 });
    // the refused call's unit counts as spent (VOD may count refusals); the two URLs then cost one unit each
    expect(await ledger()).toMatchObject({ refused: '1', miss: '2', accepted: '2' });
  });

  it('when a URL does not match the pattern, then it goes as a URL, uncovered', async () => {
    const [request] = await world.queued(() => world.submit('news', ['u:https://media.example.com/live/channel1.m3u8'], 'normal', Date.now(), undefined, 'cms'));
    await eventually(world.final(request!), 'sent');
    expect(sim.calls().map((c) => c.kind)).toEqual(['url']);
    expect((await world.requests.items(request!, 0, 1)).items[0]).not.toHaveProperty('covered_by');
  });
});

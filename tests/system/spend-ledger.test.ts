import { createHash } from 'node:crypto';
import { budgetDay } from '@refresh/core';
import { PROJECT, eventually, startSimulator, testConfig, testWorld, value, type Simulator } from './harness';

/**
 * The spend ledger: every unit a tenant spends is recorded once, on its budget day, with what it
 * went on (accepted, refused, unknown outcome, refunded), whose items it carried, and what was
 * saved (linked repeats, debounced repeats, URLs covered by their asset). GET
 * /v1/tenants/{tenant}/spend answers per day, as JSON or CSV, and the worker's /metrics counts the
 * current day. Real worker and API, real Redis, the simulator over HTTP.
 */
const ZONE = 'Asia/Shanghai';
const ASSET = '0123456789abcdef0123456789abcdef';
const PLAYBACK = ['index.m3u8', '720p.m3u8', 'thumb.jpg'].map((f) => `https://media.example.com/asset/${ASSET}/${f}`);
const KEYS = { cms: 'cms-spend-key', feeds: 'feeds-spend-key' };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('the spend ledger', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;
  let worker: Awaited<ReturnType<ReturnType<typeof testWorld>['worker']>>;

  beforeEach(async () => {
    const started = await startSimulator({ catalogue: { [ASSET]: PLAYBACK }, timezone: ZONE });
    sim = started.sim;
    world = testWorld('spend');
    const callers = Object.entries(KEYS).map(([id, key]) => ({ id, apiKeySha256: sha(key), tenants: ['news'] }));
    const config = testConfig(world.prefix, [{
      id: 'news', endpoint: started.url, timezone: ZONE, maxCallsPerSecond: 50, assetIdFromUrl: '/asset/([0-9a-f]{32})/',
    }], { callers });
    api = await world.api(config);
    worker = await world.worker(config);
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const today = () => budgetDay(Date.now(), ZONE).dayId;
  const spend = (query = '', accept = 'application/json', key = KEYS.cms) =>
    fetch(`${api}/v1/tenants/news/spend${query}`, { headers: { authorization: `Bearer ${key}`, accept } });


  it('when two callers share covered URLs, a linked repeat and a refused item, then the day shows every unit by use and caller, and what was saved', async () => {
    sim.rejectItems(PROJECT.projectId, ['https://other.example.com/gone.mp4'], { status: 400, code: 'VOD.10062' });
    const ids = await world.queued(
      () => world.submit('news', PLAYBACK.map((u) => `u:${u}`), 'normal', Date.now(), undefined, 'cms'),
      () => world.submit('news', [`u:${PLAYBACK[0]}`, 'u:https://other.example.com/live.m3u8'], 'normal', Date.now(), undefined, 'feeds'),
      () => world.submit('news', ['u:https://other.example.com/gone.mp4'], 'normal', Date.now(), undefined, 'feeds'),
    );
    for (const id of ids) await eventually(world.final(id), 'every item has its verdict');

    const res = await spend();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tenant: string; days: Array<Record<string, unknown>> };
    expect(body.tenant).toBe('news');
    // one asset unit for three URLs (cms, with feeds' repeat of one of them linked), then a URL
    // call of two (feeds' live.m3u8 and gone.mp4) refused for gone.mp4 and split: live.m3u8 and
    // gone.mp4 alone, the latter refused again
    expect(body.days).toEqual([{
      day: today(),
      limit: 1000,
      spent: 5,
      accepted: 2,
      refused: 3,
      unknown_outcome: 0,
      refunded: 0,
      voided: 0,
      quota_raise: 0,
      by_kind: { asset_id: 1, url: 4 },
      by_caller: { cms: 0.5, feeds: 4.5 },
      unattributed: 0,
      items_carried: 7,
      saved: { linked: 1, debounced: 0, covered: 2 },
      cover_misses: 0,
    }]);
    expect(sim.calls().map((c) => c.kind)).toEqual(['asset_id', 'url']);

    // the same as CSV, one column a caller
    const csv = await spend('', 'text/csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, row] = (await csv.text()).trim().split('\r\n');
    expect(header).toBe(
      'day,limit,spent,accepted,refused,unknown_outcome,refunded,voided,quota_raise,asset_id_units,url_units,items_carried,' +
        'saved_linked,saved_debounced,saved_covered,cover_misses,unattributed,caller:cms,caller:feeds',
    );
    expect(row).toBe(`${today()},1000,5,2,3,0,0,0,0,1,4,7,1,0,2,0,0,0.5,4.5`);

    // and the worker's /metrics counts the day: units by caller and use, savings by reason
    const text = await worker.metrics.registry.metrics();
    expect(value(text, 'refresh_budget_units_total', { tenant: 'news', caller: 'cms', use: 'asset_id' })).toBe(0.5);
    expect(value(text, 'refresh_budget_units_total', { tenant: 'news', caller: 'feeds', use: 'url' })).toBe(4);
    expect(value(text, 'refresh_budget_units_saved_total', { tenant: 'news', reason: 'covered' })).toBe(2);
    expect(value(text, 'refresh_budget_units_saved_total', { tenant: 'news', reason: 'linked' })).toBe(1);
  });

  it('when a request of no caller is sent, then its unit is unattributed, in the budget as in the ledger', async () => {
    const [id] = await world.queued(() => world.submit('news', ['u:https://other.example.com/orphan.m3u8']));
    await eventually(world.final(id!), 'sent and final');
    const budget = (await (await fetch(`${api}/v1/tenants/news/budget`, { headers: { authorization: `Bearer ${KEYS.cms}` } })).json()) as Record<string, unknown>;
    expect(budget).toMatchObject({ used: 1, spent_by_caller: {}, unattributed: 1 });
    const { days } = (await (await spend()).json()) as { days: Array<Record<string, unknown>> };
    expect(days[0]).toMatchObject({ spent: 1, by_caller: {}, unattributed: 1 });
  });

  it('when a range of days is asked for, then every day is listed, those with nothing spent as zeros at the configured limit', async () => {
    const res = await spend('?from=2026-01-30&to=2026-02-02');
    expect(res.status).toBe(200);
    const { days } = (await res.json()) as { days: Array<{ day: string; limit: number; spent: number }> };
    expect(days.map((d) => [d.day, d.limit, d.spent])).toEqual([
      ['2026-01-30', 1000, 0], ['2026-01-31', 1000, 0], ['2026-02-01', 1000, 0], ['2026-02-02', 1000, 0],
    ]);
  });

  it.each([
    ['a date that is not one', '?to=2026-02-30', 'to'],
    ['from after to', '?from=2026-03-02&to=2026-03-01', 'from'],
    ['more than 400 days', '?from=2025-01-01&to=2026-03-01', 'from'],
    ['an unknown parameter', '?since=2026-03-01', '(query)'],
  ])('when the query has %s, then the answer is a 400 naming the field', async (_what, query, field) => {
    const res = await spend(query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error_code: string; details: Array<{ field: string }> };
    expect(body.details.map((d) => d.field)).toContain(field);
  });
});

import { DateTime } from 'luxon';
import { callerWithKey, eventually, movableClock, startSimulator, testConfig, testWorld, type Simulator } from './harness';

/**
 * Scheduled refreshes: a request with `not_before` is accepted at once, but none of its items is
 * sent before that instant, and they go once it has come. The caller sees the wait (not_before,
 * next_attempt_at, an estimate after it) and the budget counts it as scheduled. The API, the
 * worker and the simulator share one injected clock, which the test moves.
 */
const ZONE = 'Asia/Shanghai';
const API_KEY = 'schedule-key';

describe('scheduled refreshes', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;
  // local noon tomorrow, and the embargo at 18:00 the same day
  const { clock, noon, moveTo: moveToMs } = movableClock(ZONE);
  const embargo = noon.set({ hour: 18 });
  const moveTo = (at: DateTime) => moveToMs(at.toMillis());

  beforeEach(async () => {
    moveTo(noon);
    const started = await startSimulator({ now: clock.now, timezone: ZONE });
    sim = started.sim;
    world = testWorld('not-before');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url, timezone: ZONE, maxCallsPerSecond: 50 }], {
      callers: [callerWithKey('cms', API_KEY, ['news'])],
    });
    api = await world.api(config, clock.now);
    await world.worker(config, clock);
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const auth = { authorization: `Bearer ${API_KEY}` };
  const getJson = (path: string) => fetch(`${api}${path}`, { headers: auth }).then((r) => r.json() as Promise<Record<string, unknown>>);

  it('when a request says not_before 18:00, then nothing of it is sent before 18:00, and all of it right after', async () => {
    const res = await fetch(`${api}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ urls: ['https://cdn.example.com/embargo/1.m3u8', 'https://cdn.example.com/embargo/2.m3u8'], not_before: embargo.toISO() }),
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { request_id: string; estimated_completion_at: string };
    expect(Date.parse(accepted.estimated_completion_at)).toBeGreaterThanOrEqual(embargo.toMillis());

    const waiting = await getJson(`/v1/refresh-requests/${accepted.request_id}`);
    expect(waiting).toMatchObject({
      status: 'accepted',
      not_before: new Date(embargo.toMillis()).toISOString(),
      next_attempt_at: new Date(embargo.toMillis()).toISOString(),
      ingested: 0,
    });
    expect(await getJson('/v1/tenants/news/budget')).toMatchObject({
      pending: 0,
      scheduled: { requests: 1, items: 2, next_at: new Date(embargo.toMillis()).toISOString() },
    });

    // a minute before the embargo its ingest job is made due: the worker puts it back
    moveTo(embargo.minus({ minutes: 1 }));
    await world.ingestQueue.promoteJobs();
    await eventually(async () => (await world.ingestQueue.getDelayedCount()) === 1 && (await world.ingestQueue.getActiveCount()) === 0, 'the ingest job back to waiting');
    expect((await getJson(`/v1/refresh-requests/${accepted.request_id}`)).ingested).toBe(0);
    expect(sim.calls()).toHaveLength(0);

    // 18:00: coalesced, sent in one call, no earlier than the embargo
    moveTo(embargo);
    await world.ingestQueue.promoteJobs();
    await eventually(async () => sim.calls().length === 1, 'sent after the embargo');
    expect(sim.calls()[0]!.items).toHaveLength(2);
    expect(sim.calls()[0]!.acceptedAt).toBeGreaterThanOrEqual(embargo.toMillis());
    expect(await getJson('/v1/tenants/news/budget')).toMatchObject({ scheduled: { requests: 0, items: 0, next_at: null } });
  });

  it.each([
    ['in the past', () => noon.minus({ minutes: 1 }).toISO()],
    ['more than 30 days ahead', () => noon.plus({ days: 30, minutes: 1 }).toISO()],
    ['without an offset', () => '2030-01-01T18:00:00'],
  ])('when not_before is %s, then 400 names the field and nothing is queued', async (_, value) => {
    const json = await fetch(`${api}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ urls: ['https://cdn.example.com/x.m3u8'], not_before: value() }),
    });
    expect(json.status).toBe(400);
    expect(JSON.stringify(await json.json())).toContain('not_before');
    const text = await fetch(`${api}/v1/tenants/news/refresh-requests?not_before=${encodeURIComponent(value()!)}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'https://cdn.example.com/y.m3u8\n',
    });
    expect(text.status).toBe(400);
    expect(JSON.stringify(await text.json())).toContain('not_before');
    expect(await world.ingestQueue.count()).toBe(0);
  });
});

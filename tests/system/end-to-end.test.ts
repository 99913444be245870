import { callerWithKey, eventually, startSimulator, testConfig, testWorld, type Simulator } from './harness';

const API_KEY = 'e2e-key';

/**
 * A publishing system's view: POST to the real API, the real worker sends to the simulator over
 * HTTP, and the status endpoints tell what happened to every item.
 */
describe('end to end through the API', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;

  beforeEach(async () => {
    // tasks finish quickly and are polled soon, so requests reach VOD's verdict within a test
    const started = await startSimulator({ taskDurationMs: 200, faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 } });
    sim = started.sim;
    world = testWorld('e2e');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url }], {
      callers: [callerWithKey('cms', API_KEY, ['news'])],
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
    });
    api = await world.api(config);
    await world.worker(config);
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const auth = { authorization: `Bearer ${API_KEY}` };
  const post = (body: unknown) =>
    fetch(`${api}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { request_id: string; status_url: string; received: number } }));
  const status = (id: string) =>
    fetch(`${api}/v1/refresh-requests/${id}`, { headers: auth }).then((r) => r.json() as Promise<Record<string, unknown> & { counts: Record<string, number>; status: string; task_ids: string[] }>);

  it("when a request is posted, then it is followed to VOD's verdict, completed, with a task id on every item", async () => {
    const res = await post({ urls: ['https://cdn.example.com/a.m3u8', 'HTTPS://CDN.example.com/a.m3u8#x'], asset_ids: ['asset-1'], priority: 'high' });
    expect(res.status).toBe(202);
    expect(res.body.received).toBe(3);
    const done = await eventually(async () => {
      const s = await status(res.body.request_id);
      return s.status === 'completed' ? s : undefined;
    }, 'completed');
    expect(done.counts).toEqual({ pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 2, failed: 0, unknown: 0, canceled: 0 });
    expect(done.priority).toBe('high');
    // every line was read and coalesced, the duplicate spelling included
    expect({ received: done.received, ingested: done.ingested }).toEqual({ received: 3, ingested: 3 });
    expect(done.task_ids.sort()).toEqual(sim.calls().map((c) => c.taskId).sort());
    const items = await fetch(`${api}${res.body.status_url}/items`, { headers: auth }).then((r) => r.json() as Promise<{ items: Array<{ kind: string; value: string; state: string; task_id?: string }> }>);
    // asset ids are staged before urls; the two spellings of one url are one item
    expect(items.items.map((i) => [i.kind, i.value, i.state])).toEqual([
      ['asset_id', 'asset-1', 'completed'],
      ['url', 'https://cdn.example.com/a.m3u8', 'completed'],
    ]);
    expect(items.items.every((i) => /^[0-9a-f]{32}$/.test(i.task_id ?? ''))).toBe(true);
  });

  it("when an item arrives while its tenant's batch is on the wire, then it is still sent", async () => {
    sim.setFaults({ latencyMs: 1000 });
    const first = await post({ urls: Array.from({ length: 10 }, (_, i) => `https://cdn.example.com/full/${i}`) });
    await eventually(async () => (await status(first.body.request_id)).counts.in_flight === 10 || undefined, 'first batch on the wire');
    const late = await post({ urls: ['https://cdn.example.com/late'] });
    expect(late.status).toBe(202);
    // the first call is still in flight when the late item is accepted
    expect(sim.calls()).toHaveLength(0);
    const s = await eventually(async () => {
      const r = await status(late.body.request_id);
      return r.status === 'completed' ? r : undefined;
    }, 'late item sent');
    expect(s.counts.completed).toBe(1);
    expect(sim.calls().flatMap((c) => c.items)).toContain('https://cdn.example.com/late');
    const { submitted = 0, completed = 0 } = (await status(first.body.request_id)).counts;
    expect(submitted + completed).toBe(10);
  });
});

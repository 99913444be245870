import { normalizeUrl } from '@refresh/core';
import { createDispatchStore } from '@refresh/store';
import { KEYS, bearer, getDropIn, postDropIn, startTestApi, type TestApi } from './helpers';

type Results = { refresh_results: Array<{ url?: string; asset_id?: string; status: string }>; next_cursor?: string };

/**
 * GET ?task_id= answers in VOD's ShowRefreshResult shape, a bounded page at a time. Item states
 * after VOD's verdict are covered end to end (tests/system/drop-in-switch.test.ts) and the
 * mapping itself beside its code (src/views/drop-in-results.test.ts).
 */
describe("reading a drop-in task in VOD's refresh_results shape", () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  async function task(body: unknown): Promise<string> {
    const res = await postDropIn(t, 'p1', body);
    expect(res.status).toBe(202);
    return ((await res.json()) as { task_id: string }).task_id;
  }

  /** what the worker's ingest does to a request: coalesce it all (URLs normalised), then mark it done */
  async function coalesceAll(id: string): Promise<void> {
    const dispatch = createDispatchStore(t.redis, t.prefix);
    const staged = (await dispatch.readStage('news', id, 0, 100_000)).map((l) => (l.startsWith('u:') ? `u:${normalizeUrl(l.slice(2))}` : l));
    await dispatch.coalesce('news', id, 'normal', 0, staged.length, staged, Date.now());
    await dispatch.finishIngest('news', id, 3600);
  }

  it('when a task was just accepted, then every item it was sent is PROCESSING, urls as url and asset ids as asset_id', async () => {
    const id = await task({ asset_id_list: ['r1', 'r2'], urls: ['https://cdn.example.com/r.mp4'] });
    const { status, body } = await getDropIn(t, 'p1', `task_id=${id}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      refresh_results: [
        { asset_id: 'r1', status: 'PROCESSING' },
        { asset_id: 'r2', status: 'PROCESSING' },
        { url: 'https://cdn.example.com/r.mp4', status: 'PROCESSING' },
      ],
    });
  });

  it('when the task has been coalesced, then its unique items are listed, URLs in normal form', async () => {
    const id = await task({ asset_id_list: ['c1', 'c1'], urls: ['HTTPS://CDN.example.com/c.mp4#frag', 'https://cdn.example.com/c.mp4'] });
    await coalesceAll(id);
    const { body } = await getDropIn(t, 'p1', `task_id=${id}`);
    expect(body).toEqual({
      refresh_results: [
        { asset_id: 'c1', status: 'PROCESSING' },
        { url: 'https://cdn.example.com/c.mp4', status: 'PROCESSING' },
      ],
    });
  });

  it('when a task holds 2,500 items, then pages are 1,000 by default with next_cursor, limit goes to 10,000, and the last page has no next_cursor', async () => {
    const urls = Array.from({ length: 2_500 }, (_, i) => `https://cdn.example.com/page/${i}.ts`);
    const id = await task({ urls });
    for (const phase of ['staged', 'coalesced']) {
      if (phase === 'coalesced') await coalesceAll(id);
      const seen: string[] = [];
      let query = `task_id=${id}`;
      for (;;) {
        const body = (await getDropIn(t, 'p1', query)).body as Results;
        expect(body.refresh_results.length).toBeLessThanOrEqual(1_000);
        seen.push(...body.refresh_results.map((r) => r.url ?? ''));
        if (body.next_cursor === undefined) break;
        query = `task_id=${id}&cursor=${body.next_cursor}`;
      }
      expect(seen).toEqual(urls);
      const all = (await getDropIn(t, 'p1', `task_id=${id}&limit=10000`)).body as Results;
      expect(all.refresh_results).toHaveLength(2_500);
      expect(all.next_cursor).toBeUndefined();
    }
  });

  it.each([
    ['no task_id', ''],
    ['an empty task_id', 'task_id='],
    ['two task_ids', 'task_id=news.0011223344556677&task_id=news.0011223344556678'],
    ['limit=0', 'task_id=news.0011223344556677&limit=0'],
    ['limit=10001', 'task_id=news.0011223344556677&limit=10001'],
    ['a cursor not given as next_cursor', 'task_id=news.0011223344556677&cursor=x'],
    ['an unknown parameter', 'task_id=news.0011223344556677&page=2'],
  ])('when the query has %s, then 400 in VOD\'s error shape and code', async (_what, query) => {
    const { status, body } = await getDropIn(t, 'p1', query);
    expect(status).toBe(400);
    expect(body).toEqual({ error_code: 'VOD.10053', error_msg: expect.stringMatching(/^The request parameter is illegal, illegal field: \w+\.$/), details: expect.any(Array) });
  });

  it("when the task is unknown, another caller's, or asked for under another project, then the same 400, as VOD answers a task id it does not know", async () => {
    const id = await task({ asset_id_list: ['h1'] });
    const unknown = await getDropIn(t, 'p1', `task_id=news.${'0'.repeat(16)}`);
    expect(unknown).toEqual({ status: 400, body: { error_code: 'VOD.10053', error_msg: 'The request parameter is illegal, illegal field: task_id.' } });
    expect(await getDropIn(t, 'p1', 'task_id=not-a-task')).toEqual(unknown);
    expect(await getDropIn(t, 'p1', `task_id=${id}`, KEYS.sportsDesk)).toEqual(unknown);
    expect(await getDropIn(t, 'p2', `task_id=${id}`)).toEqual(unknown);
    expect(await getDropIn(t, 'p2', `task_id=${id}`, KEYS.sportsDesk)).toEqual(unknown);
  });

  it('when the results are read with a Bearer key, then they answer the same', async () => {
    const id = await task({ asset_id_list: ['b1'] });
    const res = await fetch(`${t.url}/v1/p1/asset/refresh?task_id=${id}`, { headers: bearer(KEYS.cms) });
    expect(await res.json()).toEqual({ refresh_results: [{ asset_id: 'b1', status: 'PROCESSING' }] });
  });
});

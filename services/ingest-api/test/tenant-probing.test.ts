import { KEYS, bearer, postJson, postText, startTestApi, type TestApi } from './helpers';

/**
 * A caller that names tenant ids in paths must not learn which exist: another caller's tenant
 * and a tenant nobody has answer alike, on every route that takes a tenant id, as request ids
 * and drop-in project ids already do.
 */
describe('probing tenant ids', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  /** status and body, with the probed id written as <id> so two probes can be compared */
  async function answer(res: Response, id: string) {
    const text = (await res.text()).replaceAll(id, '<id>');
    return { status: res.status, body: JSON.parse(text) as unknown };
  }

  const routes: Array<[string, (tenant: string) => Promise<Response>]> = [
    ['a JSON submission', (tenant) => postJson(t, tenant, { asset_ids: ['probe'] })],
    ['a text upload', (tenant) => postText(t, tenant, 'probe\n')],
    ['a budget read', (tenant) => fetch(`${t.url}/v1/tenants/${tenant}/budget`, { headers: bearer(KEYS.cms) })],
  ];

  it.each(routes)("when %s names another caller's tenant or an unknown one, then both answer the same 404, word for word", async (_what, send) => {
    const theirs = await answer(await send('sports'), 'sports');
    const nobodys = await answer(await send('weather'), 'weather');
    expect(theirs).toEqual(nobodys);
    expect(theirs).toEqual({ status: 404, body: { error_code: 'RFS.0006', error_msg: 'tenant <id> is not one of yours' } });
  });

  it("when the same probes come with the tenant's own key, then they are served", async () => {
    const res = await fetch(`${t.url}/v1/tenants/sports/budget`, { headers: bearer(KEYS.sportsDesk) });
    expect(res.status).toBe(200);
  });
});

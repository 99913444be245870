import { createHash } from 'node:crypto';
import { KEYS, expectError, postDropIn, startTestApi, xAuthToken, type TestApi } from './helpers';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const auth = { type: 'aksk', accessKey: 'AK', secretKey: 'SK' };
const MULTI_KEY = 'multi-key-3';

/**
 * VOD's path names a project, ours name tenants: the drop-in endpoint uses the caller's tenant
 * configured with that projectId. Projects: p1 holds news and news-eu, p2 holds sports; `cms`
 * may use news, `multi` may use news and news-eu.
 */
describe('the project in the drop-in path chooses the tenant', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({
      tenants: [
        { id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', auth },
        { id: 'news-eu', projectId: 'p1', endpoint: 'http://127.0.0.1:9', auth },
        { id: 'sports', projectId: 'p2', endpoint: 'http://127.0.0.1:9', auth },
      ],
      callers: [
        { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'] },
        { id: 'multi', apiKeySha256: sha(MULTI_KEY), tenants: ['news', 'news-eu'] },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const taskOf = async (res: Response) => {
    expect(res.status).toBe(202);
    return ((await res.json()) as { task_id: string }).task_id;
  };

  it("when one of the caller's tenants is on the project, then the request is that tenant's, though another caller's tenant shares the project", async () => {
    const id = await taskOf(await postDropIn(t, 'p1', { asset_id_list: ['one'] }));
    expect(id).toMatch(/^news\./);
    expect((await t.queue.getJob(id))?.data.tenant).toBe('news');
  });

  it("when two of the caller's tenants share the project and X-Refresh-Tenant picks one, then the request is that tenant's", async () => {
    const id = await taskOf(await postDropIn(t, 'p1', { asset_id_list: ['eu'] }, { ...xAuthToken(MULTI_KEY), 'x-refresh-tenant': 'news-eu' }));
    expect(id).toMatch(/^news-eu\./);
    expect((await t.queue.getJob(id))?.data.tenant).toBe('news-eu');
  });

  describe('refusals, which queue nothing', () => {
    let jobs = 0;
    beforeEach(async () => {
      jobs = await t.jobCount();
    });
    afterEach(async () => {
      expect(await t.jobCount()).toBe(jobs);
    });

    it('when no tenant is configured for the project, then 404', async () => {
      await expectError(await postDropIn(t, 'p9', { asset_id_list: ['a1'] }), 404, 'RFS.0006');
    });

    it("when the project's tenants are not the caller's, then the same 404 as for an unknown project, word for word", async () => {
      const foreign = await expectError(await postDropIn(t, 'p2', { asset_id_list: ['a1'] }), 404, 'RFS.0006');
      const unknown = await expectError(await postDropIn(t, 'p9', { asset_id_list: ['a1'] }), 404, 'RFS.0006');
      expect(foreign.error_msg.replace('p2', 'p9')).toBe(unknown.error_msg);
    });

    it("when two of the caller's tenants share the project and none is chosen, then 400 asks for X-Refresh-Tenant", async () => {
      const body = await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'] }, xAuthToken(MULTI_KEY)), 400, 'RFS.0001');
      expect(body.error_msg).toContain('X-Refresh-Tenant: <tenant id>');
    });

    it("when X-Refresh-Tenant names a tenant not the caller's or an unknown one, then the same 404; one on another project, then 400", async () => {
      const foreign = await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'] }, { 'x-refresh-tenant': 'news-eu' }), 404, 'RFS.0006');
      const unknown = await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'] }, { 'x-refresh-tenant': 'weather' }), 404, 'RFS.0006');
      expect(foreign.error_msg.replace('news-eu', 'weather')).toBe(unknown.error_msg);
      await expectError(await postDropIn(t, 'p2', { asset_id_list: ['a1'] }, { 'x-refresh-tenant': 'news' }), 400, 'RFS.0001');
    });
  });
});

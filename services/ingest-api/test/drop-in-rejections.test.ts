import { expectError, postDropIn, startTestApi, xAuthToken, type TestApi } from './helpers';

/**
 * Every refusal leaves nothing behind: no request, no staged items, no ingest job. Small caps
 * and chunks make the refused bodies stage some chunks before they are found bad.
 */
describe('refusing bad calls to the drop-in endpoint', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ ingest: { jsonBodyBytes: 64 * 1024, textBodyBytes: 64 * 1024, chunkItems: 10 } });
  });
  afterEach(async () => {
    expect(await t.storeKeys()).toEqual([]);
    expect(await t.jobCount()).toBe(0);
  });
  afterAll(async () => {
    await t.close();
  });

  // what VOD would refuse, VOD's way: 400 VOD.10053 "…illegal field: <field>." (our details beside it)
  describe('bodies', () => {
    it("when the body uses the native field asset_ids instead of VOD's asset_id_list, then 400 names the unknown field", async () => {
      const body = await expectError(await postDropIn(t, 'p1', { asset_ids: ['a1'] }), 400, 'VOD.10053');
      expect(body.error_msg).toBe('The request parameter is illegal, illegal field: asset_ids.');
      expect(JSON.stringify(body.details)).toContain('asset_ids');
    });

    it('when a field has the wrong type, then 400', async () => {
      await expectError(await postDropIn(t, 'p1', { urls: 'https://cdn.example.com/a.mp4' }), 400, 'VOD.10053');
      await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1', 7] }), 400, 'VOD.10053');
      await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'], priority: 'urgent' }), 400, 'VOD.10053');
    });

    it('when one URL of 30 is bad, then 400 names its field and index and nothing of the 29 good ones is kept', async () => {
      const urls = Array.from({ length: 30 }, (_, i) => `https://cdn.example.com/${i}.mp4`);
      urls.splice(25, 0, 'ftp://cdn.example.com/a.mp4');
      const body = await expectError(await postDropIn(t, 'p1', { urls }), 400, 'VOD.10053');
      expect(body.error_msg).toBe('The request parameter is illegal, illegal field: urls.');
      expect(body.details).toEqual([{ field: 'urls', index: 25, reason: expect.any(String) }]);
    });

    it('when an asset id is not valid, then 400 names asset_id_list and its index', async () => {
      const body = await expectError(await postDropIn(t, 'p1', { asset_id_list: ['ok', 'not ok'] }), 400, 'VOD.10053');
      expect(body.error_msg).toBe('The request parameter is illegal, illegal field: asset_id_list.');
      expect(body.details).toEqual([{ field: 'asset_id_list', index: 1, reason: expect.any(String) }]);
    });

    it('when the body has no items, then 400', async () => {
      await expectError(await postDropIn(t, 'p1', {}), 400, 'VOD.10053');
      await expectError(await postDropIn(t, 'p1', { asset_id_list: [], urls: [] }), 400, 'VOD.10053');
    });

    it('when the JSON is malformed, then 400', async () => {
      await expectError(await postDropIn(t, 'p1', '{"urls": ["https://x/1",'), 400, 'VOD.10053');
      await expectError(await postDropIn(t, 'p1', '["https://x/1"]'), 400, 'VOD.10053');
    });

    it('when the body is not JSON (a text upload, as the native endpoint takes), then 415', async () => {
      await expectError(await postDropIn(t, 'p1', 'https://x/1\n', { 'content-type': 'text/plain' }), 415, 'RFS.0002');
    });

    it('when the body passes the byte cap, then 413', async () => {
      await expectError(await postDropIn(t, 'p1', { asset_id_list: Array.from({ length: 10_000 }, (_, i) => `asset_${i}`) }), 413, 'RFS.0003');
    });
  });

  describe('credentials', () => {
    it('when no key is sent, then 401', async () => {
      await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'] }, { 'x-auth-token': '' }), 401, 'RFS.0004');
    });

    it('when the token is not a key, then 401', async () => {
      await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'] }, xAuthToken('MIIsomething-IAM-issued')), 401, 'RFS.0004');
    });

    it('when the call is AK/SK-signed as for VOD, then 401 says to send the service key as X-Auth-Token or Bearer', async () => {
      const signed = {
        'x-auth-token': '',
        'x-sdk-date': '20300310T040000Z',
        authorization: 'SDK-HMAC-SHA256 Access=TESTAK, SignedHeaders=content-type;host;x-sdk-date, Signature=00ff',
      };
      const body = await expectError(await postDropIn(t, 'p1', { asset_id_list: ['a1'] }, signed), 401, 'RFS.0004');
      expect(body.error_msg).toMatch(/AK\/SK/);
      expect(body.error_msg).toMatch(/X-Auth-Token/);
      expect(body.error_msg).toMatch(/Bearer/);
    });
  });
});

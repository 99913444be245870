import { KEYS, bearer, expectError, postJson, postText, startTestApi, type TestApi } from './helpers';

/**
 * Every refusal must leave nothing behind: no request, no staged items, no ingest job. Small
 * caps and chunks make the refused uploads stage some chunks before they are found bad.
 */
describe('refusing bad refresh requests', () => {
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

  it('when a path holds a malformed %-escape, then 400, never 500', async () => {
    const post = await fetch(`${t.url}/v1/tenants/%ZZ/refresh-requests`, { method: 'POST', headers: { ...bearer(KEYS.cms), 'content-type': 'application/json' }, body: '{"urls":["http://x/1"]}' });
    await expectError(post, 400, 'RFS.0001');
    await expectError(await fetch(`${t.url}/v1/refresh-requests/%ZZ`, { headers: bearer(KEYS.cms) }), 400, 'RFS.0001');
    await expectError(await fetch(`${t.url}/v1/tenants/%ZZ/budget`, { headers: bearer(KEYS.cms) }), 400, 'RFS.0001');
  });

  it('when a JSON body claims gzip but is not, then 400, never 500', async () => {
    const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { ...bearer(KEYS.cms), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    await expectError(res, 400, 'RFS.0001');
  });

  it('when a text upload is compressed, then 415', async () => {
    await expectError(await postText(t, 'news', 'http://x/1\n', '', { 'content-encoding': 'gzip' }), 415, 'RFS.0002');
  });

  it('when the body has no items, then 400', async () => {
    await expectError(await postJson(t, 'news', { asset_ids: [], urls: [] }), 400, 'RFS.0001');
    await expectError(await postJson(t, 'news', {}), 400, 'RFS.0001');
    await expectError(await postText(t, 'news', '\n\r\n\n'), 400, 'RFS.0001');
  });

  it('when an asset id has 65 characters, then 400 names its field and index', async () => {
    const body = await expectError(await postJson(t, 'news', { asset_ids: ['ok', 'a'.repeat(65)] }), 400, 'RFS.0001');
    expect(body.details).toEqual([{ field: 'asset_ids', index: 1, reason: expect.stringContaining('64') }]);
  });

  it.each([
    ['an ftp url', 'ftp://cdn.example.com/a.mp4'],
    ['a url with a space', 'https://cdn.example.com/a b.mp4'],
    ['a url of 10,241 characters', `https://cdn.example.com/${'x'.repeat(10_241 - 24)}`],
  ])('when the urls hold %s, then 400 with its index', async (_what, bad) => {
    const urls = Array.from({ length: 30 }, (_, i) => `https://cdn.example.com/${i}.mp4`);
    urls.splice(25, 0, bad);
    const body = await expectError(await postJson(t, 'news', { urls }), 400, 'RFS.0001');
    expect(body.details).toEqual([{ field: 'urls', index: 25, reason: expect.any(String) }]);
  });

  it('when the body has an unknown field, then 400', async () => {
    await expectError(await postJson(t, 'news', { asset_ids: ['a'], callback: 'x' }), 400, 'RFS.0001');
  });

  it('when a field has the wrong type, then 400', async () => {
    await expectError(await postJson(t, 'news', { asset_ids: 'a1' }), 400, 'RFS.0001');
    await expectError(await postJson(t, 'news', { asset_ids: ['a1', 7] }), 400, 'RFS.0001');
    await expectError(await postJson(t, 'news', { asset_ids: ['a1'], priority: 'urgent' }), 400, 'RFS.0001');
  });

  it('when the JSON is malformed, then 400', async () => {
    await expectError(await postJson(t, 'news', '{"asset_ids": ["a1",'), 400, 'RFS.0001');
    await expectError(await postJson(t, 'news', '"just a string"'), 400, 'RFS.0001');
  });

  it('when 150 of 400 text lines are bad, then 400 lists exactly the first 100 with their item index', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => (i >= 250 ? `bad id ${i}` : `good_${i}`));
    const body = await expectError(await postText(t, 'news', lines.join('\n')), 400, 'RFS.0001');
    const details = body.details as Array<{ index: number; reason: string }>;
    expect(details).toHaveLength(100);
    expect(details[0]).toMatchObject({ index: 250, reason: expect.any(String) });
    expect(details[99]?.index).toBe(349);
    expect(body.error_msg).toMatch(/150/);
  });

  it('when the priority query is not a priority, then 400', async () => {
    await expectError(await postText(t, 'news', 'a1\n', '?priority=urgent'), 400, 'RFS.0001');
  });

  it('when the Idempotency-Key is not printable, then 400', async () => {
    await expectError(await postJson(t, 'news', { asset_ids: ['a1'] }, { 'idempotency-key': 'x'.repeat(256) }), 400, 'RFS.0001');
  });

  it('when the content type is neither JSON nor text, then 415', async () => {
    const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(KEYS.cms) },
      body: 'asset_ids=a1',
    });
    await expectError(res, 415, 'RFS.0002');
    await expectError(await postText(t, 'news', 'a1\n', '', { 'content-type': 'text/plain; charset=latin1' }), 415, 'RFS.0002');
  });

  it.each(['utf-16', 'utf-16le', 'utf-7'])('when a JSON body declares charset=%s, then 415: JSON is UTF-8 only', async (charset) => {
    const body = await expectError(await postJson(t, 'news', { asset_ids: ['a1'] }, { 'content-type': `application/json; charset=${charset}` }), 415, 'RFS.0002');
    expect(body.error_msg).toMatch(/UTF-8/);
  });

  it('when a JSON body holds bytes that are not UTF-8, then 400, rather than an item quietly holding U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('{"urls":["https://cdn.example.com/a'), Buffer.from([0xff]), Buffer.from('"]}')]);
    const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.cms) },
      body: bytes,
    });
    const body = await expectError(res, 400, 'RFS.0001');
    expect(body.error_msg).toMatch(/UTF-8/);
  });

  it('when a JSON url spells a lone surrogate (\\ud800), then 400, since no UTF-8 can store it as sent', async () => {
    const body = await expectError(await postJson(t, 'news', '{"urls":["https://cdn.example.com/a\\ud800"]}'), 400, 'RFS.0001');
    expect(body.details).toEqual([{ field: 'urls', index: 0, reason: expect.stringMatching(/not valid Unicode/) }]);
  });

  it('when a text upload passes the byte cap, then 413 and what was staged is gone', async () => {
    const body = Array.from({ length: 10_000 }, (_, i) => `asset_${i}`).join('\n'); // ~100 KB
    await expectError(await postText(t, 'news', body), 413, 'RFS.0003');
  });

  it('when a streamed text upload (no Content-Length) passes the byte cap, then 413 once the cap is crossed', async () => {
    const chunk = new TextEncoder().encode(Array.from({ length: 100 }, (_, i) => `streamed_${i}`).join('\n') + '\n');
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // ~1.2 KB a pull; stops by itself well past the cap in case the server kept reading
        if (sent++ < 200) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer(KEYS.cms) },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 413, 'RFS.0003');
  });

  it('when a JSON body passes the byte cap, then 413', async () => {
    const asset_ids = Array.from({ length: 10_000 }, (_, i) => `asset_${i}`);
    await expectError(await postJson(t, 'news', { asset_ids }), 413, 'RFS.0003');
  });

  it('when the tenant is unknown, then 404', async () => {
    await expectError(await postJson(t, 'weather', { asset_ids: ['a1'] }), 404, 'RFS.0006');
  });

  it('when no key is sent, then 401', async () => {
    await expectError(await postJson(t, 'news', { asset_ids: ['a1'] }, { authorization: '' }), 401, 'RFS.0004');
  });

  it('when the key is wrong, then 401', async () => {
    await expectError(await postJson(t, 'news', { asset_ids: ['a1'] }, bearer('not-a-key')), 401, 'RFS.0004');
  });

  it("when a caller posts to another caller's tenant, then 404, as for an unknown tenant", async () => {
    await expectError(await postJson(t, 'sports', { asset_ids: ['a1'] }), 404, 'RFS.0006');
  });
});

import { eventually, startTestApi, type TestApi } from './helpers';
import { sendRaw } from './fuzz/raw-requests';

/**
 * Requests node's HTTP layer refuses before express sees them get VOD's error body like any
 * other refusal (node's own answers have none), and nothing is left behind.
 */
describe('refusals below express', () => {
  let t: TestApi;
  let base: URL;
  beforeAll(async () => {
    t = await startTestApi({ ingest: { jsonBodyBytes: 4096, textBodyBytes: 4096, chunkItems: 2 } });
    base = new URL(t.url);
  });
  afterEach(async () => {
    // node answers a broken request at once; the route that was reading it cleans up just after
    await eventually(async () => expect(await t.storeKeys()).toEqual([]));
    expect(await t.jobCount()).toBe(0);
  });
  afterAll(async () => {
    await t.close();
  });

  const raw = (text: string, halfClose = false) => sendRaw(base, { why: 'regression', bytes: Buffer.from(text, 'latin1'), halfClose });
  const json = (answer: { body: Buffer } | undefined) => JSON.parse(answer?.body.toString() ?? '') as { error_code: string; error_msg: string };
  const head = 'POST /v1/tenants/news/refresh-requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer cms-key-1\r\nConnection: close\r\n';

  it('when the request line and headers pass node\'s size limit, then 431 with VOD\'s error body', async () => {
    const answers = await raw(`GET /v1/tenants/${'n'.repeat(20_000)}/budget HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answers.map((a) => a.status)).toEqual([431]);
    expect(json(answers[0])).toEqual({ error_code: 'RFS.0003', error_msg: expect.any(String) });
  });

  it('when a chunked body has a chunk size that is not hex, then 400 with VOD\'s error body', async () => {
    const answers = await raw(`${head}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`);
    expect(answers.map((a) => a.status)).toEqual([400]);
    expect(json(answers[0])).toEqual({ error_code: 'RFS.0001', error_msg: 'malformed HTTP request' });
  });

  it('when an upload stops short of its Content-Length and the client hangs up, then 400, and what was staged is discarded', async () => {
    const lines = 'a1\na2\na3\na4\na5\n';
    const answers = await raw(`${head}Content-Type: text/plain\r\nContent-Length: ${lines.length + 100}\r\n\r\n${lines}`, true);
    expect(answers.map((a) => a.status)).toEqual([400]);
    expect(json(answers[0]).error_code).toBe('RFS.0001');
  });

  it('when an HTTP/1.1 request has no Host header, then 400 with VOD\'s error body', async () => {
    const answers = await raw('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(answers.map((a) => a.status)).toEqual([400]);
    expect(json(answers[0])).toEqual({ error_code: 'RFS.0001', error_msg: expect.stringMatching(/Host/) });
  });

  it('when an HTTP/1.0 request has no Host header, then it is served: only HTTP/1.1 requires one', async () => {
    const answers = await raw('GET /healthz HTTP/1.0\r\n\r\n');
    expect(answers.map((a) => a.status)).toEqual([200]);
  });
});

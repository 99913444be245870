import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { scanKeysUnder } from '@refresh/store';
import { KEYS, eventually, postJson, startTestApi, type TestApi } from './helpers';

/**
 * No caller can fill Redis through uploads: the lines of an upload count against its tenant's
 * backlog cap as they stream in (a chunk the cap has no room for is refused mid-upload and the
 * staging discarded), and a caller has at most maxOpenUploads bodies being read at once, on all
 * API replicas together. Real API on port 0, the real Redis.
 */
const CAP = 2_000;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A chunked text/plain upload the test feeds line by line; its answer may come while it still sends. */
function openUpload(t: TestApi, key: string) {
  let answer: IncomingMessage | undefined;
  let body = '';
  const req: ClientRequest = request(`${t.url}/v1/tenants/news/refresh-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', 'transfer-encoding': 'chunked' },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      answer = res;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err) => (answer ? undefined : reject(err)));
  });
  return {
    req,
    answered,
    get done() {
      return answer !== undefined;
    },
  };
}

/**
 * Writes lines `from`..`to` (exclusive) in pieces of `step`, yielding between them, until done
 * or answered; ends the body only when `end`.
 */
async function feed(
  upload: ReturnType<typeof openUpload>, base: string, from: number, to: number, step: number, end: boolean, padding = '',
): Promise<void> {
  for (let i = from; i < to && !upload.done && !upload.req.destroyed; i += step) {
    const piece = Array.from({ length: Math.min(step, to - i) }, (_, j) => `https://cdn.example.com/${base}/${i + j}${padding}.m3u8`).join('\n') + '\n';
    const flushed = upload.req.write(piece);
    // the API may close the connection after its answer (lingering-close.ts) while this waits:
    // then no drain ever comes
    if (!flushed) await new Promise((r) => upload.req.once('drain', r).once('close', r));
    await new Promise((r) => setTimeout(r, 5));
  }
  if (end && !upload.done && !upload.req.destroyed) upload.req.end();
}

/** Reads `measure` every 10 ms until stopped, keeping the largest value seen. */
function sampleMax(measure: () => Promise<number>) {
  let sampling = true;
  const state = { most: 0 };
  const loop = (async () => {
    while (sampling) {
      state.most = Math.max(state.most, await measure());
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    get most() {
      return state.most;
    },
    async stop() {
      sampling = false;
      await loop;
    },
  };
}

/** The API with tenant news, capped by `limits`, for caller cms, and an uncapped tenant sports for another caller. */
function newsAndSports(limits: Record<string, number>): Promise<TestApi> {
  return startTestApi({
    tenants: [
      { id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', ...limits, auth: { type: 'aksk', accessKey: 'AK', secretKey: 'SK' } },
      { id: 'sports', projectId: 'p2', endpoint: 'http://127.0.0.1:9', auth: { type: 'aksk', accessKey: 'AK', secretKey: 'SK' } },
    ],
    callers: [
      { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'], maxRequestsPerSecond: 1000 },
      { id: 'sports-desk', apiKeySha256: sha(KEYS.sportsDesk), tenants: ['sports'], maxRequestsPerSecond: 1000 },
    ],
  });
}

describe('bounded uploads', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await newsAndSports({ maxBacklogItems: CAP });
  });
  afterEach(async () => {
    await t.close();
  });

  /** Lines staged in Redis for the tenant right now: every request's stage list. */
  const stagedLines = async () => {
    // (scanKeysUnder matches `<prefix>:*`)
    const stages = (await scanKeysUnder(t.redis, `${t.prefix}:{news}:r`)).filter((k) => k.endsWith(':stage'));
    const lengths = await Promise.all(stages.map((k) => t.redis.llen(k)));
    return lengths.reduce((a, n) => a + n, 0);
  };

  it('when one caller streams four 100,000-line uploads at a tenant capped at 2,000 items, then Redis never holds more than the cap, each is refused mid-upload, and another tenant goes on answering 202', async () => {
    const uploads = Array.from({ length: 4 }, () => openUpload(t, KEYS.cms));
    const sampler = sampleMax(stagedLines);
    // first 1,500 lines each, held open: a chunk of 1,000 is staged for as many as the cap has
    // room for (two), and the others are refused; what is staged stays while they wait
    await Promise.all(uploads.map((u, i) => feed(u, `up${i}`, 0, 1_500, 500, false)));
    await eventually(async () => expect(sampler.most).toBeGreaterThan(0));

    // while they stream, another tenant's caller is served as usual
    const other = await postJson(t, 'sports', { urls: ['https://cdn.example.com/sports.m3u8'] }, { authorization: `Bearer ${KEYS.sportsDesk}` });
    expect(other.status).toBe(202);

    // then the rest of their 100,000 lines
    const feeding = uploads.map((u, i) => feed(u, `up${i}`, 1_500, 100_000, 500, true));
    const answers = await Promise.all(uploads.map((u) => u.answered));
    await Promise.all(feeding);
    await sampler.stop();

    // refused while still sending: 429 when others hold the room, 413 once this upload alone passed the cap
    for (const a of answers) {
      expect([413, 429]).toContain(a.status);
      expect(JSON.parse(a.body)).toMatchObject({ error_code: expect.stringMatching(/^RFS\./) });
    }
    // the sampler saw the uploads staging (above: so this bound is not vacuous), never above the cap
    expect(sampler.most).toBeLessThanOrEqual(CAP);
    // nothing of them is left: no stage, no count in the backlog
    await eventually(async () => expect(await stagedLines()).toBe(0));
    expect(await t.redis.hlen(`${t.prefix}:{news}:uploads`)).toBe(0);
    expect(Number((await t.redis.get(`${t.prefix}:{news}:staged`)) ?? 0)).toBe(0);
  });

  it('when a caller has four uploads streaming, then a fifth is refused with 429 naming the limit, a JSON request is not, and an upload is accepted once one has ended', async () => {
    const open = Array.from({ length: 4 }, () => openUpload(t, KEYS.cms));
    for (const [i, u] of open.entries()) u.req.write(`https://cdn.example.com/open/${i}.m3u8\n`);
    // the four are being read (each holds its place) before the fifth asks
    await eventually(async () => expect(await t.redis.zcard(`${t.prefix}:{caller:cms}:uploads`)).toBe(4));

    const textUpload = (line: string) =>
      fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.cms}`, 'content-type': 'text/plain' },
        body: `${line}\n`,
      });
    const fifth = await textUpload('https://cdn.example.com/fifth.m3u8');
    expect(fifth.status).toBe(429);
    expect(await fifth.json()).toMatchObject({ error_code: 'RFS.0011', details: { limit: 'caller_uploads', caller: 'cms', max_open_uploads: 4 } });
    // a JSON body is bounded by its byte cap and read whole: it holds no upload place
    expect((await postJson(t, 'news', { urls: ['https://cdn.example.com/json.m3u8'] })).status).toBe(202);

    open[0]!.req.end();
    expect((await open[0]!.answered).status).toBe(202);
    expect((await textUpload('https://cdn.example.com/sixth.m3u8')).status).toBe(202);
    for (const u of open.slice(1)) u.req.end();
    for (const u of open.slice(1)) expect((await u.answered).status).toBe(202);
  });
});

describe('bounded staging bytes', () => {
  const CAP_BYTES = 3_000_000;
  const LONG = `/${'x'.repeat(2_000)}`; // lines of about 2 KB: 1,000 of them (a chunk) are 2 MB
  let t: TestApi;
  beforeEach(async () => {
    t = await newsAndSports({ maxStagedBytes: CAP_BYTES });
  });
  afterEach(async () => {
    await t.close();
  });

  /** Bytes of the lines staged in Redis for the tenant right now, read from the stage lists themselves. */
  const stagedBytes = async () => {
    const stages = (await scanKeysUnder(t.redis, `${t.prefix}:{news}:r`)).filter((k) => k.endsWith(':stage'));
    const lists = await Promise.all(stages.map((k) => t.redis.lrange(k, 0, -1)));
    return lists.flat().reduce((a, line) => a + Buffer.byteLength(line), 0);
  };

  it('when a caller streams two uploads of 2 KB lines at a tenant whose staging is capped at 3 MB, then Redis never holds more staged bytes than the cap, both are refused mid-upload naming the limit, and another tenant goes on answering 202', async () => {
    const uploads = Array.from({ length: 2 }, () => openUpload(t, KEYS.cms));
    const sampler = sampleMax(stagedBytes);
    // a first chunk each: one fits (2 MB), the other not beside it; held open while the sampler looks
    await Promise.all(uploads.map((u, i) => feed(u, `long${i}`, 0, 1_000, 250, false, LONG)));
    await eventually(async () => expect(sampler.most).toBeGreaterThan(0));
    const other = await postJson(t, 'sports', { urls: ['https://cdn.example.com/sports.m3u8'] }, { authorization: `Bearer ${KEYS.sportsDesk}` });
    expect(other.status).toBe(202);

    const feeding = uploads.map((u, i) => feed(u, `long${i}`, 1_000, 5_000, 250, true, LONG));
    const answers = await Promise.all(uploads.map((u) => u.answered));
    await Promise.all(feeding);
    await sampler.stop();

    for (const a of answers) {
      expect(a.status).toBe(429);
      expect(JSON.parse(a.body)).toMatchObject({ error_code: 'RFS.0011', details: { limit: 'tenant_staged_bytes', tenant: 'news', max_staged_bytes: CAP_BYTES } });
    }
    expect(sampler.most).toBeLessThanOrEqual(CAP_BYTES);
    // nothing of them is left, in the lists or in the counts
    await eventually(async () => expect(await stagedBytes()).toBe(0));
    expect(await t.redis.hlen(`${t.prefix}:{news}:uploads:bytes`)).toBe(0);
    expect(Number((await t.redis.get(`${t.prefix}:{news}:staged:bytes`)) ?? 0)).toBe(0);
  });

  it('when an upload still streaming has a chunk refused by the cap, then its 429 comes at once, before the caller sends another line', async () => {
    const first = openUpload(t, KEYS.cms);
    const second = openUpload(t, KEYS.cms);
    // one chunk each, and then nothing more: 2 MB fits under the cap, the second 2 MB does not
    await feed(first, 'held0', 0, 1_000, 250, false, LONG);
    await feed(second, 'held1', 0, 1_000, 250, false, LONG);
    const refused = await Promise.race([first.answered, second.answered]);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ details: { limit: 'tenant_staged_bytes' } });
    for (const u of [first, second]) if (!u.done) u.req.end();
    await Promise.all([first.answered, second.answered]);
  });
});

import { createHash } from 'node:crypto';
import { KEYS, eventually, startTestApi, type TestApi } from './helpers';
import { sendRegardless, writeThenRead, type StreamedUpload, type UploadOutcome } from './streamed-upload';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const KiB = 1024;
const MiB = 1024 * KiB;
const TEXT_CAP = 256 * KiB;
/** a caller whose one request a long while is spent by the test itself */
const SLOW_KEY = 'slow-key';
const callers = [
  { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'] },
  { id: 'slow', apiKeySha256: sha(SLOW_KEY), tenants: ['news'], maxRequestsPerSecond: 0.001, burst: 1 },
];
/** the headers of an upload: text/plain unless `contentType` says otherwise */
const headers = (key: string, contentType = 'text/plain; charset=utf-8') => [`Authorization: Bearer ${key}`, `Content-Type: ${contentType}`];

function expectAnswer(outcome: UploadOutcome, status: number, code: string): { error_code: string; error_msg: string } {
  expect(outcome.answers.map((a) => a.status)).toEqual([status]);
  const body = JSON.parse(outcome.answers[0]?.body.toString() ?? '') as { error_code: string; error_msg: string };
  expect(body.error_code).toBe(code);
  return body;
}

/**
 * A request refused while its body is still arriving (over the cap, a wrong key, a byte that is
 * not UTF-8, a spent rate) is answered at once, but its sender may still be writing. The API
 * then reads and discards the rest of the body, within bounds, before it closes: closing at once
 * resets the connection, and the sender meets the reset (EPIPE, ECONNRESET) instead of the answer.
 */
describe('refusing an upload whose body is still arriving', () => {
  describe('a client that reads only once it has sent everything', () => {
    let t: TestApi;
    beforeAll(async () => {
      t = await startTestApi({
        callers,
        ingest: { jsonBodyBytes: 64 * KiB, textBodyBytes: TEXT_CAP, chunkItems: 10, refusalDrainBytes: 32 * MiB, refusalDrainMs: 60_000 },
      });
    });
    afterEach(async () => {
      // the refused upload staged chunks before the cap was crossed: they are gone
      await eventually(async () => expect(await t.storeKeys()).toEqual([]));
      expect(await t.jobCount()).toBe(0);
    });
    afterAll(() => t.close());

    // well past what the kernel buffers on both ends hold, so the client is still writing when
    // the answer comes, yet within the bound the API discards
    const upload = (u: Omit<StreamedUpload, 'bytes'>) => writeThenRead(new URL(t.url), { bytes: 16 * MiB, ...u });

    it('when a text upload passes the byte cap, then the client still gets the 413 naming the cap once it has sent the rest', async () => {
      const outcome = await upload({ headers: headers(KEYS.cms) });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      const body = expectAnswer(outcome, 413, 'RFS.0003');
      expect(body.error_msg).toBe('body is larger than the cap of 262,144 bytes; split it into smaller requests');
    });

    it('when its Content-Length is over the cap, then the 413 comes before the body is read and still reaches the client', async () => {
      const outcome = await upload({ headers: headers(KEYS.cms), contentLength: true });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      expectAnswer(outcome, 413, 'RFS.0003');
    });

    it('when a JSON body passes its cap, then the client gets the 413', async () => {
      const outcome = await upload({ headers: headers(KEYS.cms, 'application/json') });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      expectAnswer(outcome, 413, 'RFS.0003');
    });

    it('when a byte is not UTF-8, then the client gets the 400', async () => {
      const outcome = await upload({ headers: headers(KEYS.cms), first: Buffer.from([0x61, 0xff, 0x0a]) });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      expectAnswer(outcome, 400, 'RFS.0001');
    });

    it('when the key is wrong, then the client gets the 401', async () => {
      const outcome = await upload({ headers: headers('not-a-key') });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      expectAnswer(outcome, 401, 'RFS.0004');
    });

    it('when the charset is not UTF-8, then the client gets the 415', async () => {
      const outcome = await upload({ headers: headers(KEYS.cms, 'text/plain; charset=latin1') });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      expectAnswer(outcome, 415, 'RFS.0002');
    });

    it("when the caller's request rate is spent, then the client gets the 429 and its Retry-After", async () => {
      const spend = await fetch(`${t.url}/v1/tenants/news/budget`, { headers: { authorization: `Bearer ${SLOW_KEY}` } });
      expect(spend.status).toBe(200);
      const outcome = await upload({ headers: headers(SLOW_KEY) });
      expect(outcome).toMatchObject({ sentAll: true, writeError: undefined });
      expectAnswer(outcome, 429, 'RFS.0011');
    });
  });

  describe('a client that never stops sending', () => {
    let t: TestApi;
    const BOUND_BYTES = 1 * MiB;
    beforeAll(async () => {
      t = await startTestApi({
        callers,
        ingest: { jsonBodyBytes: 64 * KiB, textBodyBytes: TEXT_CAP, chunkItems: 10, refusalDrainBytes: BOUND_BYTES, refusalDrainMs: 500 },
      });
    });
    afterEach(async () => {
      await eventually(async () => expect(await t.storeKeys()).toEqual([]));
      expect(await t.jobCount()).toBe(0);
    });
    afterAll(() => t.close());

    // a ceiling the client gives up at, far beyond the bound plus what kernel buffers hold: a
    // client that reaches it was never cut off
    const CEILING = 256 * MiB;

    it('when it sends past the cap and on after the 413, then it gets the 413 and is cut off once the bound is discarded', async () => {
      const outcome = await sendRegardless(new URL(t.url), { headers: headers(KEYS.cms), bytes: CEILING });
      expectAnswer(outcome, 413, 'RFS.0003');
      expect(outcome.sentAll).toBe(false);
    });

    it('when a JSON body passes its cap and keeps coming, then the 413 comes at once, not after the body, and it is cut off', async () => {
      const outcome = await sendRegardless(new URL(t.url), { headers: headers(KEYS.cms, 'application/json'), bytes: CEILING });
      expectAnswer(outcome, 413, 'RFS.0003');
      expect(outcome.sentAll).toBe(false);
    });

    it('when its key is wrong and it sends on after the 401, then it is cut off once the bound is discarded', async () => {
      const outcome = await sendRegardless(new URL(t.url), { headers: headers('not-a-key'), bytes: CEILING });
      expectAnswer(outcome, 401, 'RFS.0004');
      expect(outcome.sentAll).toBe(false);
    });

    it('when it trickles its body after the 401, never reaching the byte bound, then it is cut off once the time bound passes', async () => {
      // 1 KiB every 20 ms: the ceiling (60 s of trickle) is far past the 500 ms bound
      const outcome = await sendRegardless(new URL(t.url), { headers: headers('not-a-key'), bytes: 3_000 * KiB, chunkBytes: KiB, paceMs: 20 });
      expectAnswer(outcome, 401, 'RFS.0004');
      expect(outcome.sentAll).toBe(false);
      expect(outcome.written).toBeLessThan(BOUND_BYTES);
    }, 90_000);
  });
});

import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ERROR_CODES, RefreshApiError, RefreshAuthError, RefreshClient, RefreshNetworkError, RefreshNotFoundError,
  RefreshUnavailableError, RefreshValidationError, RefreshWaitTimeoutError, type RequestView,
} from '@refresh/client';
import { startFlakyProxy } from './flaky-proxy';
import { OTHER_KEY, STACK_KEY, STACK_TEXT_CAP, startServiceStack, type ServiceStack } from './service-stack';

/** The typed client against the real API, worker and simulator, over real HTTP. */
describe('the refresh client library', () => {
  let stack: ServiceStack;
  let client: RefreshClient;
  beforeAll(async () => {
    stack = await startServiceStack();
    client = new RefreshClient({ baseUrl: stack.url, apiKey: STACK_KEY, retryBaseMs: 10 });
  });
  afterAll(() => stack.close());

  const urls = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/${tag}/${i}.m3u8`);

  it('when URLs and asset ids are submitted and waited for, then progress is reported and every item ends completed', async () => {
    const accepted = await client.submit('news', { urls: urls(25, 'lib-wait'), assetIds: ['lib-asset-1'] }, { priority: 'high' });
    expect(accepted).toMatchObject({ received: 26, status_url: `/v1/refresh-requests/${accepted.request_id}` });

    const seen: RequestView[] = [];
    const done = await client.waitFor(accepted.request_id, { intervalMs: 100, onProgress: (v) => seen.push(v) });
    expect(done.status).toBe('completed');
    expect(done.priority).toBe('high');
    expect(done.counts).toMatchObject({ completed: 26, failed: 0, unknown: 0, pending: 0 });
    expect(seen.at(-1)).toEqual(done);
    expect(seen.length).toBeGreaterThan(1);

    // the iterator crosses pages (7 a page) and yields every unique item once, in order
    const items = [];
    for await (const item of client.items(accepted.request_id, { pageSize: 7 })) items.push(item);
    expect(items.map((i) => i.value)).toEqual(['lib-asset-1', ...urls(25, 'lib-wait')]);
    expect(items.every((i) => i.state === 'completed' && /^[0-9a-f]{32}$/.test(i.task_id ?? ''))).toBe(true);
  });

  it('when lines come from an async iterable or a stream, then they are uploaded as text and all received', async () => {
    async function* generated() {
      for (let i = 0; i < 3000; i++) yield `https://cdn.example.com/lib-iter/${i}`;
      yield 'lib-asset-iter';
    }
    const fromIterable = await client.submit('scarce', generated(), { priority: 'low' });
    expect(fromIterable.received).toBe(3001);
    const view = await client.get(fromIterable.request_id);
    expect(view).toMatchObject({ tenant: 'scarce', priority: 'low', received: 3001 });

    const fromStream = await client.submit('scarce', Readable.from(['lib-a\nlib-', 'b\r\nhttps://cdn.example.com/lib-stream\n']));
    expect(fromStream.received).toBe(3);
  });

  it('when an upload has a bad line, then a validation error carries RFS.0001 and the line', async () => {
    const err = await client.submit('news', ['https://cdn.example.com/ok', 'ftp://cdn.example.com/bad']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefreshValidationError);
    expect(err).toMatchObject({ status: 400, code: ERROR_CODES.INVALID_REQUEST, kind: 'validation' });
    expect((err as RefreshApiError).details).toEqual([expect.objectContaining({ line: 2 })]);
  });

  it('when a file streamed from disk is over the size cap, then each upload gets the 413 as a validation error naming the cap, never a network error, and nothing is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'refresh-client-'));
    try {
      const path = join(dir, 'over-cap.txt');
      const line = 'https://cdn.example.com/lib-over-cap/segment.ts\n';
      writeFileSync(path, line.repeat(Math.ceil((16 * STACK_TEXT_CAP) / line.length)));
      const before = await stack.requestIds('news');
      // the API answers while the file is still being sent; that answer used to race a reset of
      // the connection and often lose (EPIPE), so one lucky upload would prove little
      for (let i = 0; i < 3; i++) {
        const err = await client.submit('news', createReadStream(path)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RefreshValidationError);
        expect(err).toMatchObject({ status: 413, code: ERROR_CODES.PAYLOAD_TOO_LARGE, kind: 'validation' });
        expect((err as Error).message).toContain(`${STACK_TEXT_CAP.toLocaleString('en-US')} bytes; split it`);
      }
      expect(await stack.requestIds('news')).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the key is unknown, the tenant is not the caller\'s, or the request is unknown, then the typed error has the service\'s code', async () => {
    const stranger = new RefreshClient({ baseUrl: stack.url, apiKey: 'nobody' });
    await expect(stranger.budget('news')).rejects.toMatchObject({ constructor: RefreshAuthError, status: 401, code: ERROR_CODES.UNAUTHORIZED });
    const other = new RefreshClient({ baseUrl: stack.url, apiKey: OTHER_KEY });
    await expect(other.submit('news', { urls: urls(1, 'lib-forbidden') })).rejects.toMatchObject({ kind: 'not-found', status: 404, code: ERROR_CODES.NOT_FOUND });
    await expect(client.get('news.0000000000000000')).rejects.toBeInstanceOf(RefreshNotFoundError);
    await expect(client.get('news.0000000000000000')).rejects.toMatchObject({ code: ERROR_CODES.NOT_FOUND, kind: 'not-found' });
  });

  it('when a tenant\'s budget is asked for, then the answer is typed and counts what it has spent', async () => {
    const budget = await client.budget('news');
    expect(budget.daily_limit).toBe(5000);
    // not paused: the contract says `false`, the API sends null (left for the contract's owner)
    expect(budget.paused).toBeFalsy();
    expect(budget.used + budget.remaining).toBe(5000);
  });

  it("when a tenant's spend ledger is asked for a range, then every day comes back typed, oldest first", async () => {
    const ledger = await client.spend('news', { from: '2026-01-30', to: '2026-02-01' });
    expect(ledger.tenant).toBe('news');
    expect(ledger.days.map((d) => [d.day, d.limit, d.spent])).toEqual([['2026-01-30', 5000, 0], ['2026-01-31', 5000, 0], ['2026-02-01', 5000, 0]]);
  });

  it('when nothing listens, then the client gives up after its retries with a network error', async () => {
    const { url, close } = await startFlakyProxy(stack.url, () => 'forward');
    await close(); // the port is now free and nothing answers on it
    const down = new RefreshClient({ baseUrl: url, apiKey: STACK_KEY, retries: 2, retryBaseMs: 10 });
    await expect(down.budget('news')).rejects.toMatchObject({ constructor: RefreshNetworkError, code: 'ECONNREFUSED' });
  });

  it('when the answer to a submit is lost, then the retry carries the same Idempotency-Key and the request is queued once', async () => {
    const proxy = await startFlakyProxy(stack.url, (_seen, index) => (index === 0 ? 'drop-answer' : 'forward'));
    try {
      const flaky = new RefreshClient({ baseUrl: proxy.url, apiKey: STACK_KEY, retryBaseMs: 10 });
      const accepted = await flaky.submit('news', { urls: urls(3, 'lib-lost-answer') });
      expect(proxy.seen).toHaveLength(2);
      const [first, second] = proxy.seen;
      expect(first?.headers['idempotency-key']).toBeDefined();
      expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
      // the API queued the first attempt and answered the retry with the same request
      expect(JSON.parse(first?.answer?.body ?? '{}').request_id).toBe(accepted.request_id);
      expect(JSON.parse(second?.answer?.body ?? '{}').request_id).toBe(accepted.request_id);
    } finally {
      await proxy.close();
    }
  });

  it('when a streamed upload loses its answer, then it is not sent again (the stream is spent) and the caller gets the network error', async () => {
    const proxy = await startFlakyProxy(stack.url, () => 'drop-answer');
    try {
      const flaky = new RefreshClient({ baseUrl: proxy.url, apiKey: STACK_KEY, retryBaseMs: 10 });
      await expect(flaky.submit('scarce', Readable.from(['lib-stream-lost\n']))).rejects.toBeInstanceOf(RefreshNetworkError);
      expect(proxy.seen).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('when the service answers 503 for a while, then reads are retried through it, and a lasting 503 becomes an unavailable error', async () => {
    const accepted = await client.submit('news', { urls: urls(1, 'lib-503') });
    const proxy = await startFlakyProxy(stack.url, (_seen, index) => (index < 2 ? 'unavailable' : 'forward'));
    const lasting = await startFlakyProxy(stack.url, () => 'unavailable');
    try {
      const flaky = new RefreshClient({ baseUrl: proxy.url, apiKey: STACK_KEY, retryBaseMs: 10 });
      expect((await flaky.get(accepted.request_id)).request_id).toBe(accepted.request_id);
      expect(proxy.seen).toHaveLength(3);

      const down = new RefreshClient({ baseUrl: lasting.url, apiKey: STACK_KEY, retries: 2, retryBaseMs: 10 });
      const err = await down.get(accepted.request_id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RefreshUnavailableError);
      expect(err).toMatchObject({ status: 503, code: ERROR_CODES.UNAVAILABLE, kind: 'unavailable', retryAfterSeconds: 0 });
      expect(lasting.seen).toHaveLength(3);
    } finally {
      await Promise.all([proxy.close(), lasting.close()]);
    }
  });

  it('when a request cannot complete (its budget is spent), then waitFor times out with the last view, and an abort stops it', async () => {
    const accepted = await client.submit('scarce', { urls: urls(3, 'lib-scarce') });
    const err = await client.waitFor(accepted.request_id, { intervalMs: 50, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefreshWaitTimeoutError);
    expect((err as RefreshWaitTimeoutError).lastView).toMatchObject({ request_id: accepted.request_id, status: expect.not.stringMatching('completed') });

    const controller = new AbortController();
    const waiting = client.waitFor(accepted.request_id, { intervalMs: 50, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});

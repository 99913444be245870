import { request } from 'node:http';
import { QUEUE_NAMES, createRedis, queuePrefix, scanKeysUnder } from '@refresh/store';
import { Queue } from 'bullmq';
import { callerWithKey, REDIS_TARGET, eventually, spawnApi, startSimulator, stopWorker, testConfig, testWorld, writeConfigFile, type ApiProcess, type Simulator, } from './harness';
import { openUpload, type Answer, type OpenUpload } from './open-upload';

/**
 * SIGTERM to the real API process (dist/main.js) while uploads are on the wire. The API stops
 * taking connections at once, lets requests in flight end within SHUTDOWN_GRACE_MS, refuses
 * uploads still arriving after it with a 503 and discards what they staged, and exits 0.
 * Whatever got a 202 is recorded and queued; whatever did not left nothing behind.
 */
const KEY = 'shutdown-test-key';
const TEXT_PATH = '/v1/tenants/news/refresh-requests';
const headers = (type: string, idempotencyKey: string) => ({
  authorization: `Bearer ${KEY}`,
  'content-type': type,
  'idempotency-key': idempotencyKey,
  'transfer-encoding': 'chunked',
});
const lines = (from: number, to: number, tag: string) => {
  let text = '';
  for (let i = from; i < to; i++) text += `https://cdn.example.com/${tag}/${i}.m3u8\n`;
  return text;
};

describe('API shutdown under load', () => {
  let sim: Simulator;
  let simUrl: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    ({ sim, url: simUrl } = await startSimulator({ taskDurationMs: 100, dailyLimit: 1_000_000 }));
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sim?.stop();
  });

  /** A world, the API process on it, and a way to check what the shutdown left in Redis. */
  async function scene(name: string, graceMs: number) {
    const world = testWorld(name);
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, dailyLimit: 100_000, maxCallsPerSecond: 500 }], {
      callers: [callerWithKey('cms', KEY, ['news'], { maxRequestsPerSecond: 1000 })],
      ingest: { chunkItems: 500 },
      batching: { lingerMs: 20 },
      upstream: { pollInitialDelayMs: 100, pollMaxDelayMs: 200 },
    });
    const ingestConnection = createRedis(REDIS_TARGET, 'worker', () => undefined);
    const ingest = new Queue(QUEUE_NAMES.ingest, { connection: ingestConnection, prefix: queuePrefix(world.prefix) });
    const api = await spawnApi(writeConfigFile(config), world.prefix, { SHUTDOWN_GRACE_MS: String(graceMs) });
    const uploads: OpenUpload[] = [];
    cleanups.push(async () => {
      uploads.forEach((u) => u.abort());
      await stopWorker(api, 'SIGKILL');
      await ingest.close();
      await ingestConnection.quit();
      await world.close();
    });
    const k = world.keys('news');
    const open = async (type: string, idempotencyKey: string) => {
      const u = openUpload(api.url, TEXT_PATH, headers(type, idempotencyKey));
      uploads.push(u);
      await u.started;
      return u;
    };
    // SCAN on every master: KEYS would ask one node of a cluster
    const keysUnder = async (prefix: string) => (await scanKeysUnder(world.redis, world.prefix)).filter((key) => key.startsWith(prefix));
    const stageKeys = async () => (await keysUnder(k.requestPrefix)).filter((key) => key.endsWith(':stage'));

    /**
     * What the shutdown left: accepted requests recorded, queued and counted; no key (staging
     * included) of any other request, no other Idempotency-Key, no other line in `staged`.
     */
    async function expectOnlyAccepted(accepted: Answer[]): Promise<void> {
      const ids = accepted.map((a) => a.body.request_id!);
      const requestIds = new Set((await keysUnder(k.requestPrefix)).map((key) => key.slice(k.requestPrefix.length).split(':')[0]));
      expect([...requestIds].sort()).toEqual([...ids].sort());
      for (const a of accepted) {
        expect(await world.requests.get(a.body.request_id!)).toMatchObject({ received: a.body.received });
        expect(await ingest.getJob(a.body.request_id!)).toBeTruthy();
      }
      expect(await keysUnder(k.idempotency(''))).toHaveLength(accepted.length);
      expect(Number(await world.redis.get(k.staged))).toBe(accepted.reduce((n, a) => n + a.body.received!, 0));
    }

    /** With a worker running, every item of every accepted request reaches VOD and completes. */
    async function expectFinished(accepted: Answer[]): Promise<void> {
      await world.worker(config);
      for (const a of accepted) {
        await eventually(async () => {
          const r = await world.requests.get(a.body.request_id!);
          return r?.counts.completed === a.body.received || undefined;
        }, `request ${a.body.request_id} final`, 60_000);
      }
    }
    return { world, api, open, stageKeys, expectOnlyAccepted, expectFinished };
  }

  /** A new connection to the API is refused (it stopped listening). */
  const refused = (api: ApiProcess) =>
    new Promise<boolean>((resolve) => {
      const req = request(`${api.url}/healthz`, { agent: false }, (res) => {
        res.resume();
        resolve(false);
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
      req.end();
    });

  it('when SIGTERM arrives during a large streamed upload and small requests, then new connections are refused, all of them still get 202 and the API exits 0', async () => {
    const { api, open, stageKeys, expectOnlyAccepted, expectFinished } = await scene('api-grace', 30_000);
    const big = await open('text/plain', 'big');
    await big.write(lines(0, 1_000, 'big'));
    await eventually(async () => (await stageKeys()).length > 0 || undefined, 'the upload is being staged');
    // more than 10 bodies at once, each listening for the shutdown: not a leak Node should warn of
    const small = await Promise.all(Array.from({ length: 12 }, (_, i) => open('application/json', `small-${i}`)));
    await Promise.all(small.map((u, i) => u.write(`{"urls":["https://cdn.example.com/small/${i}.m3u8",`)));

    api.child.kill('SIGTERM');
    await eventually(() => refused(api), 'new connections refused');

    // the requests in flight go on and end normally
    small.forEach((u, i) => u.end(`"https://cdn.example.com/small/${i}b.m3u8"]}`));
    for (let from = 1_000; from < 2_000; from += 100) await big.write(lines(from, from + 100, 'big'));
    big.end();
    const answers = await Promise.all([big, ...small].map((u) => u.answer));
    expect(answers.map((a) => a.status)).toEqual(Array(13).fill(202));
    expect(answers.map((a) => a.body.received)).toEqual([2_000, ...Array(12).fill(2)]);
    expect(await api.exited).toBe(0);
    expect(api.output()).not.toContain('MaxListenersExceededWarning');

    await expectOnlyAccepted(answers);
    await expectFinished(answers);
  });

  it('when the grace runs out while a 200,000-line upload is still arriving, then it is refused with a 503 and nothing of it remains, while requests that ended in time are accepted', async () => {
    const { api, open, stageKeys, expectOnlyAccepted, expectFinished } = await scene('api-cut', 1_500);
    const big = await open('text/plain', 'big');
    await big.write(lines(0, 20_000, 'big'));
    await eventually(async () => (await stageKeys()).length > 0 || undefined, 'the upload is being staged');
    const stuckJson = await open('application/json', 'stuck');
    await stuckJson.write('{"urls":["https://cdn.example.com/stuck/0.m3u8",');
    const small = await Promise.all([0, 1].map((i) => open('application/json', `small-${i}`)));
    await Promise.all(small.map((u, i) => u.write(`{"asset_ids":["small${i}a",`)));

    api.child.kill('SIGTERM');
    await eventually(() => refused(api), 'new connections refused');
    small.forEach((u, i) => u.end(`"small${i}b"]}`));
    // the big upload goes on, slowly, until the API answers it
    for (let from = 20_000; from < 200_000 && !big.answered; from += 5_000) {
      await big.write(lines(from, from + 5_000, 'big'));
      await new Promise((r) => setTimeout(r, 100));
    }
    const [bigAnswer, stuckAnswer, ...smallAnswers] = await Promise.all([big, stuckJson, ...small].map((u) => u.answer));
    for (const refusedAnswer of [bigAnswer, stuckAnswer]) {
      expect(refusedAnswer).toMatchObject({ status: 503, body: { error_code: 'RFS.0008', details: { reason: 'shutting_down' } } });
    }
    expect(smallAnswers.map((a) => a.status)).toEqual([202, 202]);
    expect(await api.exited).toBe(0);

    await expectOnlyAccepted(smallAnswers);
    await expectFinished(smallAnswers);
  });

  it('when SIGINT is followed by SIGTERM, then the second signal ends the grace at once: the upload is refused, nothing of it remains, and the API exits 0', async () => {
    const { api, open, stageKeys, expectOnlyAccepted } = await scene('api-twice', 600_000);
    const big = await open('text/plain', 'big');
    await big.write(lines(0, 2_000, 'big'));
    await eventually(async () => (await stageKeys()).length > 0 || undefined, 'the upload is being staged');

    api.child.kill('SIGINT');
    await eventually(() => refused(api), 'new connections refused');
    await big.write(lines(2_000, 3_000, 'big'));
    api.child.kill('SIGTERM');
    expect(await big.answer).toMatchObject({ status: 503, body: { error_code: 'RFS.0008' } });
    expect(await api.exited).toBe(0);
    await expectOnlyAccepted([]);
  });
});

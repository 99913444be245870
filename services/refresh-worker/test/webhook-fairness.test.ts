import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startReceiver, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * Completion webhooks are fair across callers: a caller's deliveries hold at most
 * webhooks.perCallerConcurrency delivery slots (on every worker together), so a caller whose
 * receiver hangs delays its own webhooks only. Real worker, real Redis, the simulator and two
 * receivers over real HTTP.
 */
describe('completion webhooks across callers', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;
  let hanging: Server;
  let hangingHits = 0;
  const stops: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    ({ sim, url: simUrl } = await startSimulator({ taskDurationMs: 50 }));
    world = testWorld('webhook-fair');
    // a receiver that reads each delivery and never answers
    hangingHits = 0;
    hanging = createServer((req) => {
      hangingHits++;
      req.resume();
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
    hanging.closeAllConnections();
    await new Promise<void>((r) => hanging.close(() => r()));
    for (const stop of stops.splice(0)) await stop();
  });

  it("when one caller's receiver hangs with 40 webhooks queued, then another caller's webhook is delivered while only a few of them have been tried", async () => {
    const hangPort = (hanging.address() as AddressInfo).port;
    const fast = await startReceiver();
    stops.push(fast.stop);
    const secret = 'webhook-secret-0123456789abcdef-xyz';
    await world.worker(
      testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, maxCallsPerSecond: 200 }], {
        callers: [
          { id: 'slow', apiKeySha256: '1'.repeat(64), tenants: ['news'], webhook: { secret, allowedHosts: [`127.0.0.1:${hangPort}`] } },
          { id: 'quick', apiKeySha256: '2'.repeat(64), tenants: ['news'], webhook: { secret, allowedHosts: [fast.host] } },
        ],
        upstream: { pollInitialDelayMs: 50, pollMaxDelayMs: 200 },
        webhooks: { maxAttempts: 2, backoffBaseMs: 50, backoffMaxMs: 200, timeoutMs: 3000, perCallerConcurrency: 2 },
        worker: { concurrency: 8, stalledIntervalMs: 1000, lockDurationMs: 10_000 },
      }),
    );

    // 40 requests whose webhooks go to the hanging receiver, all completed before the quick one
    const slowIds: string[] = [];
    for (let i = 0; i < 40; i++) {
      slowIds.push(await world.submit('news', urls(1, `http://cdn.example.com/slow${i}`), 'normal', Date.now(), { url: `http://127.0.0.1:${hangPort}/hook`, caller: 'slow' }, 'slow'));
    }
    for (const id of slowIds) await eventually(world.final(id), 'slow request completed');
    await eventually(async () => hangingHits >= 2, 'the hanging receiver holding deliveries');

    const quick = await world.submit('news', urls(1, 'http://cdn.example.com/quick'), 'normal', Date.now(), { url: fast.url, caller: 'quick' }, 'quick');
    await eventually(async () => fast.received.length === 1, 'the quick caller\'s webhook delivered');
    expect(JSON.parse(fast.received[0]!.body)).toMatchObject({ request_id: quick, status: 'completed' });
    // the hanging caller held its two slots all along: a few of its 40 deliveries were tried,
    // not the rounds of 8 a shared FIFO would have tried before reaching the quick one
    expect(hangingHits).toBeLessThanOrEqual(6);
  }, 60_000);
});

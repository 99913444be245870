/**
 * CLOCK_RATE in the API: a scheduled request's ingest job is delayed by the clock span to its
 * not_before divided by the rate. Read from the real queue's job, never timed: the clock stands
 * still on a fixed wall instant, so the expected delay is exact.
 */
import { randomBytes } from 'node:crypto';
import { acceleratedClock } from '@refresh/core';
import { QUEUE_NAMES, createRedis, deleteKeysUnder, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import pino from 'pino';
import { createApi, type Api } from '../src';
import { KEYS, REDIS_TARGET, bearer, testConfig, waitReady } from './helpers';

describe('the API on an accelerated clock', () => {
  const redis = createRedis(REDIS_TARGET, 'api', () => undefined);
  const queueRedis = createRedis(REDIS_TARGET, 'api', () => undefined);
  // each test under a prefix of its own: the clocks of two tests do not agree
  let prefix = '';
  let queue: Queue | undefined;
  let api: Api | undefined;

  beforeEach(() => {
    prefix = `test-api-clock-${randomBytes(6).toString('hex')}`;
    queue = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(prefix) });
  });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
    await queue?.close();
    await deleteKeysUnder(redis, prefix);
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), queueRedis.quit()]);
  });

  /** The API on a clock running `rate` times as fast, read at one fixed wall instant; POSTs a request due an hour later. */
  async function scheduleAnHourAhead(rate: number) {
    if (!queue) throw new Error('no queue');
    await Promise.all([waitReady(redis), waitReady(queueRedis)]);
    const wall = Date.UTC(2026, 5, 1, 4, 0, 0);
    const clock = acceleratedClock({ rate, startMs: wall - 1_000, offsetMs: 0 }, () => wall);
    api = createApi({ config: testConfig(prefix), redis, queues: { ingest: queue }, logger: pino({ level: 'silent' }), now: clock.now, realMs: clock.realMs });
    const { url } = await api.start(0, '127.0.0.1');
    const res = await fetch(`${url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.cms) },
      body: JSON.stringify({ urls: ['https://cdn.example.com/a.m3u8'], not_before: new Date(clock.now() + 3_600_000).toISOString() }),
    });
    expect(res.status).toBe(202);
    const { request_id } = (await res.json()) as { request_id: string };
    return queue.getJob(request_id);
  }

  it('when the rate is 300, then a request due in a clock hour is coalesced after 12 wall seconds', async () => {
    const job = await scheduleAnHourAhead(300);
    expect(job?.opts.delay).toBe(12_000);
  });

  it('when the rate is 1, then the delay is the clock span itself', async () => {
    const job = await scheduleAnHourAhead(1);
    expect(job?.opts.delay).toBe(3_600_000);
  });
});

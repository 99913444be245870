import { createHash, randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { parseFileConfig, type AppConfig } from '@refresh/config';
import {
  INGEST_JOB_OPTIONS, QUEUE_NAMES, createRedis, createRequestStore, deleteKeysUnder, newRequestId, queuePrefix, tenantKeys,
  type RequestCallback, type DispatchStore, type TenantGate,
} from '@refresh/store';
import { createApi } from '@refresh/ingest-api';
import { createSimulator } from '@refresh/vod-simulator';
import { budgetDay, type Clock } from '@refresh/core';
import { DateTime } from 'luxon';
import pino, { type Logger } from 'pino';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** the Redis env a test's config and child processes get: a cluster when REDIS_CLUSTER_NODES is set */
export const REDIS_ENV = { REDIS_URL, REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES ?? '' };
/** where tests connect, for createRedis: the shared Redis, or the cluster `npm run test:cluster` starts */
export const REDIS_TARGET = { REDIS_URL, REDIS_CLUSTER_NODES: REDIS_ENV.REDIS_CLUSTER_NODES.split(',').filter(Boolean) };
export const PROJECT = { projectId: 'a'.repeat(32), accessKey: 'TESTAK0000000000', secretKey: 'test-secret' };
/** a second VOD project, for tests where one tenant's upstream misbehaves and another's does not */
export const PROJECT2 = { projectId: 'b'.repeat(32), accessKey: 'TESTAK0000000002', secretKey: 'test-secret-2' };
export const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export type Simulator = ReturnType<typeof createSimulator>;

export async function startSimulator(opts: Partial<Parameters<typeof createSimulator>[0]> = {}) {
  const sim = createSimulator({ projects: [PROJECT, PROJECT2], ...opts });
  const { url } = await sim.start(0, '127.0.0.1');
  return { sim, url };
}

export interface TenantSpec {
  id: string;
  endpoint: string;
  dailyLimit?: number;
  timezone?: string;
  /** the VOD project: PROJECT unless given */
  project?: typeof PROJECT;
  quotaErrorCodes?: string[];
  maxCallsPerSecond?: number;
  minRefreshIntervalMs?: number;
  maxBacklogItems?: number;
  /** asset cover: the pattern that finds the asset id in the tenant's URLs; off unless given */
  assetIdFromUrl?: string;
  /** the tenant's auth as the config file writes it; AK/SK of its project unless given */
  auth?: Record<string, unknown>;
  /**
   * The urgent reserve; none unless given. Tests of other rules count on spending a whole day
   * from the first call, as the service did before the reserve (reserve.test.ts tests it).
   */
  reserve?: { high?: number; releaseMinutesBeforeReset?: number };
}

/** Upstream timings fast enough for tests; `extra.upstream` of testConfig adds to them. */
const FAST_UPSTREAM = { timeoutMs: 2000, connectTimeoutMs: 500, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200 };

/** A caller as the config file writes it: its id, the SHA-256 of its API key, its tenants, and any other settings. */
export function callerWithKey(id: string, apiKey: string, tenants: string[], settings: Record<string, unknown> = {}) {
  return { id, apiKeySha256: createHash('sha256').update(apiKey).digest('hex'), tenants, ...settings };
}

/** A config as a test would write the file: tenants on the simulator, fast timings. */
export function testConfig(prefix: string, tenants: TenantSpec[], extra: Record<string, unknown> = {}): AppConfig {
  return parseFileConfig(
    {
      tenants: tenants.map(({ project = PROJECT, auth, reserve = { high: 0 }, ...t }) => ({
        ...t,
        reserve,
        projectId: project.projectId,
        auth: auth ?? { type: 'aksk', accessKey: project.accessKey, secretKey: project.secretKey },
      })),
      batching: { lingerMs: 200 },
      worker: { concurrency: 8, stalledIntervalMs: 1000, lockDurationMs: 2000 },
      ...extra,
      upstream: { ...FAST_UPSTREAM, ...(extra.upstream as Record<string, unknown> | undefined) },
    },
    { ...REDIS_ENV, KEY_PREFIX: prefix },
  );
}

/** What a world starts its workers with: createRefreshWorker, from the worker's source or its build. */
export type WorkerFactory<W extends Startable> = (deps: { config: AppConfig; logger: Logger; clock?: Clock }) => W;
interface Startable {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}

/**
 * `testWorld` for workers made by `createWorker`: the worker's own tests pass createRefreshWorker
 * from its source, the system tests the built service (each folder's harness.ts).
 */
export function worldOf<W extends Startable>(createWorker: WorkerFactory<W>) {
  return (name: string) => testWorld(name, createWorker);
}

/** One test's world: its own key prefix on the shared Redis, cleaned at the end. */
function testWorld<W extends Startable>(name: string, createWorker: WorkerFactory<W>) {
  const prefix = `test-${name}-${randomBytes(4).toString('hex')}`;
  const redis = createRedis(REDIS_TARGET, 'worker', () => undefined);
  const queueConnection = createRedis(REDIS_TARGET, 'worker', () => undefined);
  const ingestQueue = new Queue(QUEUE_NAMES.ingest, { connection: queueConnection, prefix: queuePrefix(prefix) });
  const dispatchQueue = new Queue(QUEUE_NAMES.dispatch, { connection: queueConnection, prefix: queuePrefix(prefix) });
  const requests = createRequestStore(redis, prefix);
  const closers: Array<() => Promise<unknown>> = [];

  return {
    prefix,
    redis,
    requests,
    keys: (tenant: string) => tenantKeys(prefix, tenant),
    ingestQueue,
    dispatchQueue,
    /** What the API does for an accepted request: stage, record, enqueue. */
    async submit(
      tenant: string, items: string[], priority: 'high' | 'normal' | 'low' = 'normal', now = Date.now(), callback?: RequestCallback,
      /** the API caller it comes from (its lane and its charges); none unless given */
      caller?: string,
    ): Promise<string> {
      const requestId = newRequestId(tenant);
      for (let i = 0; i < items.length; i += 5000) await requests.stage(tenant, requestId, items.slice(i, i + 5000), 3600);
      await requests.create({ tenant, requestId, priority, received: items.length, createdAt: now, callback, caller }, 3600);
      await ingestQueue.add('ingest', { tenant, requestId, priority }, { ...INGEST_JOB_OPTIONS, jobId: requestId });
      return requestId;
    },
    /**
     * Submits requests one after another with the dispatch queue paused, and resumes it once all
     * are coalesced: no claim runs in between, so what a batch carries is the rules' alone.
     */
    async queued(...submits: Array<() => Promise<string>>): Promise<string[]> {
      await dispatchQueue.pause();
      const ids: string[] = [];
      for (const submit of submits) ids.push(await submit());
      for (const id of ids) await eventually(async () => (await requests.get(id))?.ingestDone, 'coalesced');
      await dispatchQueue.resume();
      return ids;
    },
    /**
     * A check for eventually(): the request once it is coalesced and nothing of it is pending,
     * deferred in a batch or in flight any more (every item submitted or final), else undefined.
     */
    settled(requestId: string) {
      return async () => {
        const r = await requests.get(requestId);
        return r && r.ingestDone && r.counts.pending + r.counts.deferred + r.counts.in_flight === 0 ? r : undefined;
      };
    },
    /** A check for eventually(): the request once every item has VOD's verdict (none pending, in flight or submitted). */
    final(requestId: string) {
      return async () => {
        const r = await requests.get(requestId);
        return r && r.ingestDone && r.counts.pending + r.counts.in_flight + r.counts.submitted === 0 ? r : undefined;
      };
    },
    async worker(config: AppConfig, clock?: Clock) {
      // a test on the wall clock reads "today's" budget: keep its day from changing under it
      if (!clock) await clearOfMidnight(config);
      const w = createWorker({ config, logger: silent, clock });
      await w.start();
      closers.push(() => w.stop());
      return w;
    },
    /**
     * The API as callers meet it, on a port of its own under the world's prefix, closed with the
     * world; `now` moves its clock with the worker's. Returns its base URL.
     */
    async api(config: AppConfig, now?: () => number): Promise<string> {
      const apiRedis = createRedis(REDIS_TARGET, 'api', () => undefined);
      const apiQueueRedis = createRedis(REDIS_TARGET, 'api', () => undefined);
      const queues = {
        ingest: new Queue(QUEUE_NAMES.ingest, { connection: apiQueueRedis, prefix: queuePrefix(prefix) }),
        dispatch: new Queue(QUEUE_NAMES.dispatch, { connection: apiQueueRedis, prefix: queuePrefix(prefix) }),
        completions: new Queue(QUEUE_NAMES.completions, { connection: apiQueueRedis, prefix: queuePrefix(prefix) }),
      };
      const app = createApi({ config, redis: apiRedis, queues, logger: silent, now });
      const { url } = await app.start(0, '127.0.0.1');
      closers.push(async () => {
        await app.stop();
        await Promise.all([queues.ingest.close(), queues.dispatch.close(), queues.completions.close()]);
        await Promise.all([apiRedis.quit(), apiQueueRedis.quit()]);
      });
      return url;
    },
    onClose(fn: () => Promise<unknown>) {
      closers.push(fn);
    },
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      await ingestQueue.close();
      await dispatchQueue.close();
      await queueConnection.quit();
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
    },
  };
}

/** How long before a tenant's midnight a worker on the wall clock is not started (see clearOfMidnight). */
const MIDNIGHT_CLEARANCE_MS = 20_000;

/**
 * Waits out the last seconds before any of the config's tenants' local midnight. Tests on the
 * wall clock read today's budget key and count on today's limit, and the worker itself holds
 * calls in the seconds before midnight: a test that started there would see its budget day
 * change under it. Tests that move across days inject a clock instead. Returns at once at any
 * other time of day.
 */
async function clearOfMidnight(config: AppConfig): Promise<void> {
  const now = Date.now();
  const left = Math.min(...config.tenants.map((t) => budgetDay(now, t.timezone).resetsAt - now));
  if (left < MIDNIGHT_CLEARANCE_MS) await new Promise((r) => setTimeout(r, left + 100));
}

/**
 * A clock the test moves, for the worker, the API and the simulator alike, starting at local
 * noon tomorrow in `zone` (clear of the midnight guard and of the reserve's release window).
 */
export function movableClock(zone: string) {
  let offset = 0;
  const noon = DateTime.now().setZone(zone).plus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
  const clock = { now: () => Date.now() + offset, realMs: (ms: number) => ms };
  return {
    clock,
    noon,
    /** now becomes `at` (epoch ms) */
    moveTo(at: number) {
      offset = at - Date.now();
    },
    /** now moves on by `ms` */
    advance(ms: number) {
      offset += ms;
    },
  };
}

/** Polls until `check` returns a value (not a timing assertion: it only bounds a hang). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const urls = (n: number, base = 'http://cdn.example.com/v') => Array.from({ length: n }, (_, i) => `u:${base}/${i}.m3u8`);
export const assets = (n: number, base = 'asset') => Array.from({ length: n }, (_, i) => `a:${base}${i}`);

/**
 * The instants (the worker's clock, as the pacing script was given them) at which a worker's calls
 * to VOD were granted a slot of their tenant's shared call rate: result polls and retries ask the
 * gate for one, a new batch takes its slot inside its claim. It observes the worker's real gate and
 * store and changes nothing. Pacing is a promise about when calls leave: their arrival times at
 * the simulator add the event loop's lag of the test process, which nothing here can pace.
 */
export function recordCallSlots(w: { gate: TenantGate; store: DispatchStore }): number[] {
  const granted: number[] = [];
  const acquire = w.gate.acquireCallSlot.bind(w.gate);
  w.gate.acquireCallSlot = async (tenant, now, maxPerSecond) => {
    const slot = await acquire(tenant, now, maxPerSecond);
    if (slot.ok) granted.push(now);
    return slot;
  };
  const claim = w.store.claim.bind(w.store);
  w.store.claim = async (tenant, batchId, opts) => {
    const result = await claim(tenant, batchId, opts);
    if (result.action === 'send' && opts.callsPerSecond) granted.push(opts.now);
    return result;
  };
  return granted;
}

/** The most instants in any one-second window [t, t + 1000). */
export function busiestSecond(instants: readonly number[]): number {
  const times = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j]! < times[i]! + 1000) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

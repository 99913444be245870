import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { LOG_REDACT, parseFileConfig, type AppConfig } from '@refresh/config';
import { QUEUE_NAMES, createRedis, queuePrefix, tenantKeys, deleteKeysUnder, scanKeysUnder, type RedisClient } from '@refresh/store';
import { Queue } from 'bullmq';
import pino from 'pino';
import { createApi, type Api } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** the Redis env of a test's config: a cluster when REDIS_CLUSTER_NODES is set (`npm run test:cluster`) */
const REDIS_ENV = { REDIS_URL, REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES ?? '' };
/** where tests connect, for createRedis */
export const REDIS_TARGET = { REDIS_URL, REDIS_CLUSTER_NODES: REDIS_ENV.REDIS_CLUSTER_NODES.split(',').filter(Boolean) };
export const KEYS = { cms: 'cms-key-1', sportsDesk: 'sports-key-2' } as const;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Two tenants; `cms` may use `news` only, `sports-desk` may use `sports` only. The endpoint is
 * never called by the API. Refused keys are not limited per address here (authFailures set out
 * of reach): these tests, the fuzzer among them, send many bad keys from 127.0.0.1 on purpose;
 * auth-failures.test.ts sets its own limit and sends from addresses of its own.
 */
export function testConfig(prefix: string, overrides: Record<string, unknown> = {}): AppConfig {
  const auth = { type: 'aksk', accessKey: 'AK', secretKey: 'SK' };
  return parseFileConfig(
    {
      tenants: [
        { id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', dailyLimit: 50, timezone: 'Asia/Shanghai', auth },
        { id: 'sports', projectId: 'p2', endpoint: 'http://127.0.0.1:9', auth },
      ],
      callers: [
        { id: 'cms', apiKeySha256: sha(KEYS.cms), tenants: ['news'] },
        { id: 'sports-desk', apiKeySha256: sha(KEYS.sportsDesk), tenants: ['sports'] },
      ],
      authFailures: { maxPerAddress: 1_000_000 },
      ...overrides,
    },
    { ...REDIS_ENV, KEY_PREFIX: prefix },
  );
}

export interface TestApi {
  url: string;
  prefix: string;
  config: AppConfig;
  redis: RedisClient;
  queue: Queue;
  api: Api;
  keys: (tenant: string) => ReturnType<typeof tenantKeys>;
  /** every key under the test's prefix except BullMQ's own, the callers' request rates and the addresses' refused keys */
  storeKeys(): Promise<string[]>;
  jobCount(): Promise<number>;
  close(): Promise<void>;
}

export function waitReady(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    redis.once('ready', () => resolve());
    redis.once('end', () => reject(new Error('redis connection ended')));
  });
}


/** Starts the API on port 0 against the real Redis, under a fresh `test-api-<random>` prefix. */
export async function startTestApi(
  overrides: Record<string, unknown> = {},
  now?: () => number,
  logger: pino.Logger = pino({ level: 'silent' }),
): Promise<TestApi> {
  const prefix = `test-api-${randomBytes(6).toString('hex')}`;
  const config = testConfig(prefix, overrides);
  const onError = () => undefined;
  const redis = createRedis(REDIS_TARGET, 'api', onError);
  const queueRedis = createRedis(REDIS_TARGET, 'api', onError);
  await Promise.all([waitReady(redis), waitReady(queueRedis)]);
  const queue = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(prefix) });
  const dispatch = new Queue(QUEUE_NAMES.dispatch, { connection: queueRedis, prefix: queuePrefix(prefix) });
  const api = createApi({ config, redis, queues: { ingest: queue, dispatch }, logger, now });
  const { url } = await api.start(0, '127.0.0.1');
  const bullPrefix = `${queuePrefix(prefix)}:`;
  // a caller's request rate is taken by every authenticated request, refused or not, and a
  // refused key is counted against its address (both expire on their own)
  const callerPrefix = `${prefix}:{caller:`;
  const addressPrefix = `${prefix}:{addr:`;

  return {
    url,
    prefix,
    config,
    redis,
    queue,
    api,
    keys: (tenant) => tenantKeys(prefix, tenant),
    async storeKeys() {
      return (await scanKeysUnder(redis, prefix)).filter((k) => !k.startsWith(bullPrefix) && !k.startsWith(callerPrefix) && !k.startsWith(addressPrefix));
    },
    async jobCount() {
      const counts = await queue.getJobCounts();
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    async close() {
      await api.stop();
      await Promise.all([queue.close(), dispatch.close()]);
      await deleteKeysUnder(redis, prefix);
      await Promise.all([redis.quit(), queueRedis.quit()]);
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export async function postJson(t: TestApi, tenant: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/v1/tenants/${tenant}/refresh-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(KEYS.cms), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function postText(t: TestApi, tenant: string, body: string | Uint8Array, query = '', headers: Record<string, string> = {}) {
  return fetch(`${t.url}/v1/tenants/${tenant}/refresh-requests${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8', ...bearer(KEYS.cms), ...headers },
    body,
  });
}

export async function getJson(t: TestApi, path: string, key: string = KEYS.cms) {
  const res = await fetch(`${t.url}${path}`, { headers: bearer(key) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Asserts VOD's error shape and returns the body. */
export async function expectError(res: Response, status: number, code: string): Promise<{ error_code: string; error_msg: string; details?: unknown }> {
  const body = (await res.json()) as { error_code: string; error_msg: string; details?: unknown };
  expect({ status: res.status, code: body.error_code }).toEqual({ status, code });
  expect(typeof body.error_msg).toBe('string');
  expect(Object.keys(body).every((k) => ['error_code', 'error_msg', 'details'].includes(k))).toBe(true);
  return body;
}

/** The caller's key as VOD's token header, as a VOD client sends its IAM token. */
export const xAuthToken = (key: string) => ({ 'x-auth-token': key });

/** POST to the drop-in endpoint, VOD's path; the cms key as X-Auth-Token unless headers say otherwise. */
export async function postDropIn(t: TestApi, projectId: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/v1/${projectId}/asset/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...xAuthToken(KEYS.cms), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** GET the drop-in results with a query string (`task_id=…&limit=…`). */
export async function getDropIn(t: TestApi, projectId: string, query: string, key: string = KEYS.cms) {
  const res = await fetch(`${t.url}/v1/${projectId}/asset/refresh?${query}`, { headers: xAuthToken(key) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls `check` until it passes (or throws its last failure after `timeoutMs`): for outcomes that settle after the answer. */
export async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A pino logger configured as the services configure theirs (at `level`), writing JSON lines into memory. */
export function capturedLogger(level: pino.Level = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level, redact: LOG_REDACT }, sink);
  return { logger, lines, text: () => lines.join('\n'), entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

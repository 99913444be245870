import { createHash, randomBytes } from 'node:crypto';
import { parseFileConfig, type AppConfig } from '@refresh/config';
import { QUEUE_NAMES, createRedis, queuePrefix, tenantKeys, deleteKeysUnder, scanKeysUnder } from '@refresh/store';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createApi, type Api } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const KEYS = { cms: 'cms-key-1', sportsDesk: 'sports-key-2' } as const;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Two tenants; `cms` may use `news` only, `sports-desk` may use `sports` only. The endpoint is
 * never called by the API.
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
      ...overrides,
    },
    { KEY_PREFIX: prefix },
  );
}

export interface TestApi {
  url: string;
  prefix: string;
  config: AppConfig;
  redis: Redis;
  queue: Queue;
  api: Api;
  keys: (tenant: string) => ReturnType<typeof tenantKeys>;
  /** every key under the test's prefix except BullMQ's own */
  storeKeys(): Promise<string[]>;
  jobCount(): Promise<number>;
  close(): Promise<void>;
}

function waitReady(redis: Redis): Promise<void> {
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
  const redis = createRedis(REDIS_URL, 'api', onError);
  const queueRedis = createRedis(REDIS_URL, 'api', onError);
  await Promise.all([waitReady(redis), waitReady(queueRedis)]);
  const queue = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(prefix) });
  const dispatch = new Queue(QUEUE_NAMES.dispatch, { connection: queueRedis, prefix: queuePrefix(prefix) });
  const api = createApi({ config, redis, queues: { ingest: queue, dispatch }, logger, now });
  const { url } = await api.start(0, '127.0.0.1');
  const bullPrefix = `${queuePrefix(prefix)}:`;

  return {
    url,
    prefix,
    config,
    redis,
    queue,
    api,
    keys: (tenant) => tenantKeys(prefix, tenant),
    async storeKeys() {
      return (await scanKeysUnder(redis, prefix)).filter((k) => !k.startsWith(bullPrefix));
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

#!/usr/bin/env node
// Redis memory per retained one-item request, as docs/operations.md states it. Starts the built
// API (npm run build first) on REDIS_URL under a fresh prefix, submits N one-item JSON requests
// (distinct items) and reads used_memory before and after, then MEMORY USAGE over the keys of
// one request. No worker runs: this is an accepted request, its ingest job and its caller's
// retained place; a completed one adds its items' outcomes. Cleans its prefix at the end.
//   node scripts/measure/retained-request-memory.mjs [N=2000]
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createApi } = require('../../services/ingest-api/dist/index.js');
const { parseFileConfig } = require('../../packages/config/dist/index.js');
const { createRedis, QUEUE_NAMES, queuePrefix, deleteKeysUnder, scanKeysUnder } = require('../../packages/store/dist/index.js');
const { Queue } = require('bullmq');
const pino = require('pino');

const N = Number(process.argv[2] ?? 2000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `measure-${randomBytes(4).toString('hex')}`;
const key = 'measure-key';
const config = parseFileConfig(
  {
    tenants: [{ id: 'news', projectId: 'p1', endpoint: 'http://127.0.0.1:9', auth: { type: 'aksk', accessKey: 'A', secretKey: 'S' } }],
    callers: [{ id: 'cms', apiKeySha256: createHash('sha256').update(key).digest('hex'), tenants: ['news'], maxRequestsPerSecond: 100000, burst: 100000 }],
  },
  { REDIS_URL, KEY_PREFIX: prefix },
);
const target = { REDIS_URL, REDIS_CLUSTER_NODES: [] };
const redis = createRedis(target, 'api', () => undefined);
const queueRedis = createRedis(target, 'api', () => undefined);
const ingest = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(prefix) });
const api = createApi({ config, redis, queues: { ingest }, logger: pino({ level: 'silent' }) });
const { url } = await api.start(0, '127.0.0.1');
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);

const post = (i) =>
  fetch(`${url}/v1/tenants/news/refresh-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ asset_ids: [`asset-${i}`] }),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

try {
  await post(-1); // the first request creates the per-tenant and per-caller keys: not counted
  const before = await usedMemory();
  const ids = [];
  for (let i = 0; i < N; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => post(i + j)));
    for (const r of batch) if (r.status !== 202) throw new Error(`answer ${r.status}: ${JSON.stringify(r.body)}`);
    ids.push(...batch.map((r) => r.body.request_id));
  }
  const after = await usedMemory();
  const one = ids[0];
  const keys = (await scanKeysUnder(redis, prefix)).filter((k) => k.includes(one));
  let usage = 0;
  for (const k of keys) usage += Number(await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
  console.log(JSON.stringify({ requests: N, used_memory_delta_per_request: Math.round((after - before) / N), one_request_keys: keys.length, one_request_memory_usage: usage }));
} finally {
  await api.stop();
  await ingest.close();
  await deleteKeysUnder(redis, prefix);
  await Promise.all([redis.quit(), queueRedis.quit()]);
}

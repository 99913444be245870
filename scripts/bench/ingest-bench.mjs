#!/usr/bin/env node
// `npm run bench`: how fast one large text/plain upload goes from POST to "every item coalesced
// and pending", what it costs the API in memory and Redis per pending item, and how that
// compares with the least Redis can do per item (the ceiling). A benchmark, not a test: a
// target missed is printed as MISSED and the exit code stays 0; a crash or an error answer
// exits 1. Env: BENCH_SIZES (comma-separated URL counts, default 100000,1000000), REDIS_URL,
// BENCH_CHUNK_ITEMS (the config's ingest.chunkItems), BENCH_TRACING, BENCH_TRACING_PAIRS (below).
// Each size runs twice, tracing off then on (OTLP/HTTP to a receiver in this process that counts
// and drops spans), and the cost of tracing is printed as the ratio of the two ingest
// throughputs (target: at most 5% lost).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import storePkg from '@refresh/store';
import { Redis } from 'ioredis';
import {
  freePort, isRunning, procCpuSeconds, procMemory, sleep, startChild, stopChild, waitHttpOk, waitTcp,
} from './children.mjs';
import { benchEnv, writeBenchConfig } from './bench-services.mjs';
import { commandStats, deletePrefix, info, redisCpuSeconds, topCommands } from './redis-stats.mjs';
import { benchUrl, bodyStats, urlBody } from './url-body.mjs';
import nodeVersion from '../node-version.cjs';
import { startOwnRedis } from './own-redis.mjs';

nodeVersion.assertNodeVersion('npm run bench');

const { tenantKeys, pendingCount, PACK_BUCKET } = storePkg;

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const TENANT = 'bench';
const CEILING_CHUNK = 1000;
// the compact backlog's targets (issue 14), and tracing's cost (issue 16)
const TARGET = { ratio: 0.5, seconds202At1M: 2, apiRssMb: 150, bytesBeyond: 120, tracedRatio: 0.95 };
// BENCH_TRACING=off runs each size with tracing off only (a 5,000,000 run twice takes long).
// BENCH_TRACING_PAIRS=n runs n off/on pairs a size, in alternating order (off first, then on
// first), and judges tracing's cost by the median ratio: consecutive runs on a shared machine
// differ by more than the 5% the target resolves.
const tracingPairs = Math.max(1, Number(process.env.BENCH_TRACING_PAIRS ?? 1));
const tracingRuns = process.env.BENCH_TRACING === 'off'
  ? [{ tracing: false, pair: 0 }]
  : Array.from({ length: tracingPairs }, (_, pair) => (pair % 2 === 0 ? [false, true] : [true, false]).map((tracing) => ({ tracing, pair }))).flat();
const MB = 1024 * 1024;
/** the unreported first upload on a redis-server of the bench's own */
const WARM_UP_URLS = 20_000;

const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map((s) => Number(s.trim()));
if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error(`BENCH_SIZES must be positive integers separated by commas, got "${process.env.BENCH_SIZES}"`);
  process.exit(1);
}
// a redis-server of the bench's own unless REDIS_URL names one: others' keys and scripts on a shared
// Redis would count in its memory, its command times and its slow log
const ownRedis = process.env.REDIS_URL ? null : await startOwnRedis(() => undefined);
const redisUrl = process.env.REDIS_URL ?? ownRedis.url;
// the config's ingest.chunkItems, to compare chunk sizes; the schema's default when unset
const chunkItems = process.env.BENCH_CHUNK_ITEMS ? Number(process.env.BENCH_CHUNK_ITEMS) : undefined;
const run = randomBytes(4).toString('hex');
const prefix = `bench-${run}`;
const apiKey = randomBytes(24).toString('base64url');
const sim = { projectId: randomBytes(16).toString('hex'), accessKey: `BENCH${randomBytes(8).toString('hex').toUpperCase()}`, secretKey: randomBytes(24).toString('hex') };
const tmp = mkdtempSync(join(os.tmpdir(), 'ingest-bench-'));
const keys = tenantKeys(prefix, TENANT);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
redis.on('error', (err) => console.error(`bench redis: ${err.message}`));

let children = [];
let crashed = null;
let interrupted = false;
const check = () => {
  if (crashed) throw crashed;
};
const fmt = (x, digits = 1) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (x) => Math.round(x).toLocaleString('en-US');

/** `promise`, unless a child dies first. */
async function orCrash(promise) {
  let timer;
  const died = new Promise((_, reject) => {
    timer = setInterval(() => crashed && reject(crashed), 100);
  });
  try {
    return await Promise.race([promise, died]);
  } finally {
    clearInterval(timer);
  }
}

/** A stand-in OTLP/HTTP collector: takes POST /v1/traces, counts the bytes, keeps nothing. */
const otlp = { bytes: 0, posts: 0 };
const otlpServer = http.createServer((req, res) => {
  req.on('data', (d) => (otlp.bytes += d.length));
  req.on('end', () => {
    otlp.posts++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
await new Promise((resolve) => otlpServer.listen(0, '127.0.0.1', resolve));
otlpServer.unref();

/** The OTEL_* variables of a run: none (tracing off), or OTLP/HTTP protobuf to the stand-in collector. */
function tracingEnv(env, tracing) {
  for (const k of Object.keys(env)) if (k.startsWith('OTEL_')) delete env[k];
  if (tracing) env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${otlpServer.address().port}`;
  return env;
}

/** Starts simulator, worker and API for one size, each on its own free port, and waits until ready. */
async function startServices(bodyBytes, tracing) {
  const [simPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const configPath = join(tmp, 'refresh-config.json');
  writeBenchConfig(configPath, {
    tenant: TENANT, sim, simPort, apiKey,
    ingest: { textBodyBytes: Math.max(2 * bodyBytes, MB), ...(chunkItems ? { chunkItems } : {}) },
  });
  const env = tracingEnv(benchEnv({ redisUrl, prefix, configPath, apiPort, metricsPort, simPort, sim }), tracing);
  const opts = { cwd: root, env, onUnexpectedExit: (err) => (crashed ??= err) };
  const simulator = startChild('vod-simulator', 'services/vod-simulator/dist/main.js', opts);
  const worker = startChild('refresh-worker', 'services/refresh-worker/dist/main.js', opts);
  const api = startChild('ingest-api', 'services/ingest-api/dist/main.js', opts);
  children = [simulator, worker, api];
  await waitTcp(simPort, 20_000, check);
  await waitHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, 20_000, check);
  await waitHttpOk(`http://127.0.0.1:${apiPort}/readyz`, 20_000, check);
  return { simulator, worker, api, apiBase: `http://127.0.0.1:${apiPort}` };
}

/** Stops the children in reverse order of start (API first, so nothing new arrives). */
async function stopServices() {
  for (const c of [...children].reverse()) await stopChild(c);
  children = [];
}

/** POSTs the generated body; resolves when the answer is complete, with when its head arrived. */
function postUpload(apiBase, count, bytes) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${apiBase}/v1/tenants/${TENANT}/refresh-requests`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': bytes, authorization: `Bearer ${apiKey}` },
    });
    req.on('response', (res) => {
      const at = performance.now();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, at, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = urlBody(run, count);
    body.on('error', reject);
    body.pipe(req);
  });
}

/** Redis' slow-log threshold (µs): commands at least this long are logged with their duration. */
let slowlogUsec = 10_000;

/**
 * The longest command the Redis slow log recorded between two wall-clock instants (ms), or null
 * when it recorded none: what the other tenants felt while coalescing ran. Read without
 * resetting the log, which may be shared.
 */
async function longestCommand(fromMs, toMs) {
  slowlogUsec = Number((await redis.config('GET', 'slowlog-log-slower-than'))[1] ?? slowlogUsec);
  const entries = await redis.slowlog('GET', -1);
  const within = entries.filter(([, at]) => Number(at) >= Math.floor(fromMs / 1000) && Number(at) <= Math.ceil(toMs / 1000));
  return within.length === 0 ? null : Math.max(...within.map(([, , usec]) => Number(usec) / 1000));
}

/** CPU seconds of every process involved, and Redis' command statistics, at one instant. */
async function snapshot(svc) {
  return {
    at: performance.now(),
    wallMs: Date.now(),
    cpu: {
      api: procCpuSeconds(svc.api.pid), worker: procCpuSeconds(svc.worker.pid), simulator: procCpuSeconds(svc.simulator.pid),
      redis: await redisCpuSeconds(redis), bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    },
    commands: await commandStats(redis),
  };
}

function describePhase(name, from, to) {
  const cpu = Object.keys(to.cpu).map((k) => `${k} ${fmt(to.cpu[k] - from.cpu[k], 2)}`).join(' | ');
  const top = topCommands(from.commands, to.commands, 7)
    .map((c) => `${c.name} ${int(c.calls)}× ${fmt(c.usec / 1000, 0)} ms`).join(', ');
  const wall = (to.at - from.at) / 1000;
  const redisBusy = (to.cpu.redis - from.cpu.redis) / wall;
  return [
    `  ${name}: ${fmt(wall, 2)} s wall; CPU s: ${cpu} (Redis busy ${fmt(100 * redisBusy, 0)}% of the wall time)`,
    `    Redis server time (whole server; calls inside scripts counted too): ${top}`,
  ];
}

/** Waits until the request's counters say every line was coalesced and the ingest finished. */
async function waitCoalesced(requestKey, count) {
  const deadline = Date.now() + 60_000 + count;
  let lastReport = Date.now();
  for (;;) {
    check();
    const [ingested, received, done] = await redis.hmget(requestKey, 'ingested', 'received', 'done');
    if (received !== null && ingested === received && done === '1') return performance.now();
    if (Date.now() > deadline) throw new Error(`request not coalesced in time: ingested ${ingested} of ${received}, done ${done}`);
    if (Date.now() - lastReport > 10_000) {
      console.error(`  … coalesced ${ingested ?? 0} of ${received ?? '?'}`);
      lastReport = Date.now();
    }
    await sleep(10); // the poll interval bounds the measurement error
  }
}

/** Waits until the dispatcher has stopped taking items from the pending index (budget spent). */
async function waitPendingSettled() {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const n = await pendingCount(redis, keys);
    if (n !== last) [last, stableSince] = [n, Date.now()];
    if (Date.now() - stableSince >= 1000 || Date.now() > deadline) return n;
    await sleep(200);
  }
}

/**
 * MEMORY USAGE of the keys a pending item lives in: the buckets of packed instances (sampled),
 * the pending index, the queue and the request's item list.
 */
async function keyMemory(requestId) {
  const instances = Number(await redis.get(keys.seq));
  const buckets = Math.floor(instances / PACK_BUCKET) + 1;
  const sample = Math.min(50, buckets);
  let bucketBytes = 0;
  for (let s = 0; s < sample; s++) {
    const id = Math.floor((s * buckets) / sample) * PACK_BUCKET;
    bucketBytes += Number((await redis.memory('USAGE', keys.packedBucket(id))) ?? 0);
  }
  const usage = async (k) => Number((await redis.memory('USAGE', k)) ?? 0);
  const pend = (await usage(keys.pendingDigests)) + (await usage(keys.pendingCollisions)) + (await usage(keys.pending));
  // the upload's caller ('bench', bench-services.mjs) has a lane of its own
  const queue = await usage(keys.queue('url', 'normal', 'bench'));
  const items = await usage(keys.requestItems(requestId));
  const meanBucket = sample ? bucketBytes / sample : 0;
  return { instances, buckets, meanBucket, pend, queue, items, total: meanBucket * buckets + pend + queue + items };
}

/** The ceiling: SADD + RPUSH of the same items into two scratch keys, CEILING_CHUNK per EVALSHA. */
async function ceiling(count) {
  const sha = await redis.script('LOAD', readFileSync(join(here, 'ceiling-sadd-rpush.lua'), 'utf8'));
  const set = `${prefix}:{${TENANT}}:ceiling:set`;
  const list = `${prefix}:{${TENANT}}:ceiling:list`;
  const t0 = performance.now();
  for (let i = 0; i < count; i += CEILING_CHUNK) {
    const args = [];
    for (let j = i; j < Math.min(count, i + CEILING_CHUNK); j++) args.push(`u:${benchUrl(run, j)}`);
    await redis.evalsha(sha, 2, set, list, ...args);
  }
  const seconds = (performance.now() - t0) / 1000;
  await redis.unlink(set, list);
  return { seconds, itemsPerSecond: count / seconds };
}

async function benchSize(count, tracing) {
  const { bytes, meanUrlLength } = bodyStats(run, count);
  console.log(`\n== ${int(count)} URLs, ${fmt(bytes / MB)} MB body, mean URL ${fmt(meanUrlLength)} chars, tracing ${tracing ? 'on' : 'off'}`);
  const otlpBefore = otlp.bytes;
  const svc = await startServices(bytes, tracing);
  const peakRss = { api: 0, worker: 0 };
  const sampler = setInterval(() => {
    for (const k of ['api', 'worker']) peakRss[k] = Math.max(peakRss[k], procMemory(svc[k].pid)?.rssKb ?? 0);
  }, 100);
  try {
    const memBefore = Number((await info(redis, 'memory')).used_memory);
    const s0 = await snapshot(svc);
    const answer = await orCrash(postUpload(svc.apiBase, count, bytes));
    if (answer.status !== 202) throw new Error(`POST answered ${answer.status}: ${answer.text.slice(0, 2000)}`);
    const { request_id: requestId, received } = JSON.parse(answer.text);
    if (received !== count) throw new Error(`POST says received ${received}, sent ${count}`);
    const s1 = await snapshot(svc);
    const doneAt = await waitCoalesced(keys.request(requestId), count);
    const s2 = await snapshot(svc);
    const longestStep = await longestCommand(s1.wallMs, s2.wallMs);
    const pending = await waitPendingSettled();
    const memAfter = Number((await info(redis, 'memory')).used_memory);
    const km = await keyMemory(requestId);
    const status = await fetch(`${svc.apiBase}/v1/refresh-requests/${requestId}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const statusBody = await status.text();
    if (status.status !== 200) throw new Error(`GET status answered ${status.status}: ${statusBody.slice(0, 2000)}`);
    const apiMem = procMemory(svc.api.pid);
    const workerMem = procMemory(svc.worker.pid);
    clearInterval(sampler);
    for (const c of children) if (!isRunning(c)) throw new Error(`${c.name} is not running`);
    await stopServices();
    const ceil = await ceiling(count);

    const r = {
      count, bytes, meanUrlLength, pending, tracing, otlpBytes: otlp.bytes - otlpBefore,
      seconds202: (answer.at - s0.at) / 1000,
      secondsCoalesced: (doneAt - s0.at) / 1000,
      apiHwmMb: apiMem.hwmKb / 1024, apiSampledMb: peakRss.api / 1024, workerHwmMb: workerMem.hwmKb / 1024,
      // with every item sent (a size under the daily budget) there is nothing pending to divide by
      bytesRaw: pending > 0 ? (memAfter - memBefore) / pending : NaN,
      keyBytesRaw: pending > 0 ? km.total / pending : NaN,
      ceiling: ceil.itemsPerSecond,
      longestStepMs: longestStep,
    };
    r.itemsPerSecond = count / r.secondsCoalesced;
    r.ratio = r.itemsPerSecond / r.ceiling;
    r.bytesBeyond = r.bytesRaw - meanUrlLength;

    console.log(`  seconds to 202: ${fmt(r.seconds202, 2)}; seconds until every item is coalesced and pending: ${fmt(r.secondsCoalesced, 2)} → ${int(r.itemsPerSecond)} items/s`);
    const view = JSON.parse(statusBody);
    console.log(`  GET status: ${view.status}, counts ${JSON.stringify(view.counts)}`);
    console.log(`  ceiling (SADD+RPUSH, ${CEILING_CHUNK}/EVALSHA): ${int(ceil.itemsPerSecond)} items/s (${fmt(ceil.seconds, 2)} s); ratio ${fmt(r.ratio, 3)}`);
    console.log(`  API peak RSS: ${fmt(r.apiHwmMb)} MB (VmHWM), ${fmt(r.apiSampledMb)} MB (VmRSS max of 100 ms samples); worker VmHWM ${fmt(r.workerHwmMb)} MB`);
    console.log(`  Redis used_memory ${fmt(memBefore / MB)} → ${fmt(memAfter / MB)} MB for ${int(pending)} pending: ${fmt(r.bytesRaw, 0)} B/pending raw, ${fmt(r.bytesBeyond, 0)} B beyond the URL's ${fmt(meanUrlLength)} chars`);
    console.log(`  MEMORY USAGE: packed instances ${fmt((km.meanBucket * km.buckets) / MB)} MB (${int(km.buckets)} buckets of ${PACK_BUCKET}, mean of ${Math.min(50, km.buckets)} sampled ${fmt(km.meanBucket / 1024)} KB), pending index ${fmt(km.pend / MB)} MB (sampled), url queue ${fmt(km.queue / MB)} MB, request item list ${fmt(km.items / MB)} MB → ${fmt(r.keyBytesRaw, 0)} B/pending (excludes Redis' per-key dict overhead)`);
    for (const line of [...describePhase('upload (POST → 202)', s0, s1), ...describePhase('coalesce (202 → all pending)', s1, s2)]) console.log(line);
    console.log(longestStep === null
      ? `  longest single Redis command while coalescing: under ${fmt(slowlogUsec / 1000, 0)} ms (nothing in the slow log)`
      : `  longest single Redis command while coalescing: ${fmt(longestStep, 1)} ms (slow log, commands of ${fmt(slowlogUsec / 1000, 0)} ms or more)`);
    return r;
  } finally {
    clearInterval(sampler);
    await stopServices();
    await deletePrefix(redis, prefix);
  }
}

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    await stopServices().catch((err) => console.error(`stopping children: ${err.message}`));
    await deletePrefix(redis, prefix).catch((err) => console.error(`deleting ${prefix}:*: ${err.message}`));
    rmSync(tmp, { recursive: true, force: true });
    redis.disconnect();
    await ownRedis?.stop();
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping children${ownRedis ? ' and our redis-server' : ` and deleting ${prefix}:*`}`);
    interrupted = true;
    crashed ??= new Error(`interrupted by ${signal}`);
    void cleanup().finally(() => process.exit(130));
  });
}
// last resort if something exits the process without cleanup: no child outlives the bench
process.on('exit', () => {
  for (const c of children) if (isRunning(c)) process.kill(c.pid, 'SIGKILL');
  ownRedis?.kill();
});

const mark = (ok, figure = 0) => (Number.isNaN(figure) ? 'n/a' : ok ? 'OK' : 'MISSED');
function report(results, server, startedAt) {
  console.log('\nTracing cost (same run, same sizes; the stand-in collector took every span):');
  console.log('| URLs | items/s tracing off | items/s tracing on | on ÷ off | OTLP MB exported |');
  console.log('|---:|---:|---:|---:|---:|');
  const ratios = new Map();
  for (const off of results.filter((r) => !r.tracing)) {
    const on = results.find((r) => r.tracing && r.count === off.count && r.pair === off.pair);
    if (!on) continue;
    ratios.set(off.count, [...(ratios.get(off.count) ?? []), on.itemsPerSecond / off.itemsPerSecond]);
    console.log(`| ${int(off.count)} | ${int(off.itemsPerSecond)} | ${int(on.itemsPerSecond)} | ${fmt(on.itemsPerSecond / off.itemsPerSecond, 3)} | ${fmt(on.otlpBytes / MB, 2)} |`);
  }
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = (sorted.length - 1) / 2;
    return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
  };
  const pairs = [...ratios].map(([count, rs]) => ({ count, ratio: median(rs), n: rs.length }));
  console.log('\n| URLs | body MB | s to 202 | s to all pending | items/s | ceiling items/s | ratio | API peak RSS MB | Redis B/pending | beyond URL | longest Redis step ms |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results.filter((x) => !x.tracing)) {
    const longest = r.longestStepMs === null ? `< ${fmt(slowlogUsec / 1000, 0)}` : fmt(r.longestStepMs, 1);
    console.log(`| ${int(r.count)} | ${fmt(r.bytes / MB)} | ${fmt(r.seconds202, 2)} | ${fmt(r.secondsCoalesced, 2)} | ${int(r.itemsPerSecond)} | ${int(r.ceiling)} | ${fmt(r.ratio, 3)} | ${fmt(r.apiHwmMb)} | ${fmt(r.bytesRaw, 0)} | ${fmt(r.bytesBeyond, 0)} | ${longest} |`);
  }
  console.log(`\nMachine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${os.type()} ${os.release()}, Node ${process.version}, Redis ${server.redis_version}; ${new Date().toISOString().slice(0, 10)}`);
  console.log('\nTargets:');
  for (const r of results) {
    const n = int(r.count);
    if (r.tracing) continue;
    console.log(`  ${mark(r.ratio >= TARGET.ratio)}  ${n}: end-to-end ÷ ceiling ${fmt(r.ratio, 3)} ≥ ${TARGET.ratio}`);
    console.log(`  ${mark(r.apiHwmMb <= TARGET.apiRssMb)}  ${n}: API peak RSS ${fmt(r.apiHwmMb)} MB ≤ ${TARGET.apiRssMb} MB`);
    console.log(`  ${mark(r.bytesBeyond <= TARGET.bytesBeyond, r.bytesBeyond)}  ${n}: Redis ${fmt(r.bytesBeyond, 0)} B per pending item beyond its characters ≤ ${TARGET.bytesBeyond}`);
  }
  for (const p of pairs) {
    const of = p.n > 1 ? ` (median of ${p.n} pairs)` : ' (one pair: within this machine\'s noise, see BENCH_TRACING_PAIRS)';
    console.log(`  ${mark(p.ratio >= TARGET.tracedRatio)}  ${int(p.count)}: ingest throughput with tracing on ÷ off ${fmt(p.ratio, 3)}${of} ≥ ${TARGET.tracedRatio}`);
  }
  const million = results.find((r) => r.count === 1_000_000 && !r.tracing);
  console.log(million
    ? `  ${mark(million.seconds202 <= TARGET.seconds202At1M)}  1,000,000: 202 after ${fmt(million.seconds202, 2)} s ≤ ${TARGET.seconds202At1M} s`
    : `  n/a  202 for 1,000,000 URLs within ${TARGET.seconds202At1M} s (size not run)`);
  console.log(`\nBench wall time ${fmt((performance.now() - startedAt) / 1000)} s`);
}

try {
  const startedAt = performance.now();
  const server = await info(redis, 'server');
  console.log(`ingest bench: sizes ${sizes.map(int).join(', ')}; Redis ${redisUrl} (${server.redis_version}, ${ownRedis ? `own redis-server, pid ${ownRedis.pid}` : 'shared'}); key prefix ${prefix}; ingest.chunkItems ${chunkItems ?? 'default'}`);
  if (ownRedis) {
    // a new redis-server has not cached our scripts nor BullMQ's yet: a first, unreported upload
    // loads them, so the figures of the first size count its items' memory alone
    console.log(`\nwarm-up (not reported): ${int(WARM_UP_URLS)} URLs`);
    await benchSize(WARM_UP_URLS, false);
  }
  const results = [];
  for (const count of sizes) {
    for (const { tracing, pair } of tracingRuns) results.push({ ...(await benchSize(count, tracing)), pair });
  }
  report(results, server, startedAt);
  await cleanup();
  process.exit(0);
} catch (err) {
  // after a signal, its handler cleans up and exits 130; what broke meanwhile is its echo
  if (interrupted) await new Promise(() => {});
  console.error(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}

#!/usr/bin/env node
// `npm run bench:load`: do small requests stay fast while a 1,000,000-item upload is ingested?
// A steady rate of small POSTs (1–10 new URLs each) and status GETs (autocannon, a fixed rate
// with arrivals spread over each second, so latencies mean something) runs first alone (the
// baseline), then for LOAD_SECONDS while a text/plain upload streams in and the worker
// coalesces it. Target: p99 < 100 ms and no
// error or non-2xx under load. A benchmark, not a test: a missed target prints MISSED, exit 0.
// Env: LOAD_RATE (req/s, 200), LOAD_CONNECTIONS (50), LOAD_BASELINE_SECONDS (25),
// LOAD_SECONDS (60), LOAD_UPLOAD_ITEMS (1000000), LOAD_UPLOAD_AFTER_SECONDS (5),
// LOAD_CHUNK_ITEMS (the config's ingest.chunkItems; its default when unset), LOAD_PACING
// (steady, or burst for autocannon's own pacing; see steadyLoad), LOAD_PROFILE_DIR
// (the API writes a V8 CPU profile there when it stops; open it in Chrome DevTools), and
// REDIS_URL to use an existing Redis under a key prefix of its own instead of starting one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import storePkg from '@refresh/store';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, isRunning, procCpuSeconds, sleep, startChild, stopChild, waitHttpOk, waitTcp } from './children.mjs';
import { eventLoopSampler, percentile, redisPingSampler } from './latency.mjs';
import { startOwnRedis } from './own-redis.mjs';
import { benchEnv, writeBenchConfig } from './bench-services.mjs';
import { commandStats, deletePrefix, info, redisCpuSeconds, scriptNames, slowCommands, topCommands } from './redis-stats.mjs';
import nodeVersion from '../node-version.cjs';

nodeVersion.assertNodeVersion('npm run bench:load');

const { tenantKeys } = storePkg;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const TENANT = 'bench';
const TARGET_P99_MS = 100;
const WARMUP_SECONDS = 5;

const num = (name, dflt) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${process.env[name]}"`);
  return v;
};
const opt = {
  rate: num('LOAD_RATE', 200), connections: num('LOAD_CONNECTIONS', 50),
  baselineSeconds: num('LOAD_BASELINE_SECONDS', 25), loadSeconds: num('LOAD_SECONDS', 60),
  uploadItems: num('LOAD_UPLOAD_ITEMS', 1_000_000), uploadAfterSeconds: num('LOAD_UPLOAD_AFTER_SECONDS', 5),
  chunkItems: process.env.LOAD_CHUNK_ITEMS ? num('LOAD_CHUNK_ITEMS') : undefined,
  pacing: process.env.LOAD_PACING ?? 'steady',
};
if (!['steady', 'burst'].includes(opt.pacing)) throw new Error(`LOAD_PACING must be steady or burst, got "${opt.pacing}"`);
const run = randomBytes(4).toString('hex');
const prefix = `loadbench-${run}`;
const apiKey = randomBytes(24).toString('base64url');
const sim = { projectId: randomBytes(16).toString('hex'), accessKey: `BENCH${randomBytes(8).toString('hex').toUpperCase()}`, secretKey: randomBytes(24).toString('hex') };
const tmp = mkdtempSync(join(os.tmpdir(), 'load-bench-'));
const keys = tenantKeys(prefix, TENANT);

let ownRedis = null;
let redis = null;
let children = [];
let crashed = null;
const check = () => {
  if (crashed) throw crashed;
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
const int = (x) => Math.round(x).toLocaleString('en-US');

/**
 * Simulator, worker and API on free ports. The caller's rate is raised to the schema's maximum
 * so the load measures latency, not 429s. VOD is the simulator: the 1,000/day budget is spent
 * within seconds of the baseline, after which every item is deferred, so dispatch is a small,
 * realistic part of the load rather than a variable of it.
 */
async function startServices(redisUrl) {
  const [simPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const configPath = join(tmp, 'refresh-config.json');
  writeBenchConfig(configPath, {
    tenant: TENANT, sim, simPort, apiKey,
    caller: { maxRequestsPerSecond: 100_000 },
    ...(opt.chunkItems ? { ingest: { chunkItems: opt.chunkItems } } : {}),
  });
  const env = benchEnv({ redisUrl, prefix, configPath, apiPort, metricsPort, simPort, sim });
  // autocannon ends each phase with requests in flight, which the API logs as abandoned
  const quiet = (line) => line.includes('request ended before its answer was sent');
  const opts = { cwd: root, env, quiet, onUnexpectedExit: (err) => (crashed ??= err) };
  children = [
    startChild('vod-simulator', 'services/vod-simulator/dist/main.js', opts),
    startChild('refresh-worker', 'services/refresh-worker/dist/main.js', opts),
    startChild('ingest-api', 'services/ingest-api/dist/main.js', {
      ...opts, nodeArgs: process.env.LOAD_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_PROFILE_DIR}`] : [],
    }),
  ];
  await waitTcp(simPort, 20_000, check);
  await waitHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, 20_000, check);
  await waitHttpOk(`http://127.0.0.1:${apiPort}/readyz`, 20_000, check);
  return {
    apiBase: `http://127.0.0.1:${apiPort}`,
    metrics: { api: `http://127.0.0.1:${apiPort}/metrics`, worker: `http://127.0.0.1:${metricsPort}/metrics` },
  };
}

/** CPU seconds so far of the API, the worker and Redis, and when they were read. */
async function cpuNow() {
  const [, worker, api] = children;
  return { at: performance.now(), api: procCpuSeconds(api.pid), worker: procCpuSeconds(worker.pid), redis: await redisCpuSeconds(redis) };
}

/** Cores each process kept busy between two cpuNow() readings. */
function coresUsed(a, b) {
  const wall = (b.at - a.at) / 1000;
  return ['api', 'worker', 'redis'].map((k) => `${k} ${fmt((b[k] - a[k]) / wall, 2)}`).join(', ');
}

let smallSeq = 0;
/** The small requests: a POST of 1–10 URLs never sent before, then a GET of its status. */
function smallRequests() {
  const auth = { authorization: `Bearer ${apiKey}` };
  return [
    {
      method: 'POST',
      path: `/v1/tenants/${TENANT}/refresh-requests`,
      headers: { ...auth, 'content-type': 'application/json' },
      setupRequest: (req) => {
        const n = 1 + (smallSeq % 10);
        const urls = Array.from({ length: n }, (_, k) => `https://cdn.example.com/load/${run}/${smallSeq}-${k}.m3u8`);
        smallSeq++;
        return { ...req, body: JSON.stringify({ urls }) };
      },
      onResponse: (status, body, context) => {
        if (status === 202) context.requestId = JSON.parse(body).request_id;
      },
    },
    {
      method: 'GET',
      headers: auth,
      // after a failed POST there is no id: the budget is a status read of the same weight
      setupRequest: (req, context) => ({
        ...req,
        path: context.requestId ? `/v1/refresh-requests/${context.requestId}` : `/v1/tenants/${TENANT}/budget`,
      }),
    },
  ];
}

/**
 * One phase of steady load. autocannon paces a rate by letting each connection send its whole
 * share of a second back to back as the second starts, and it starts every connection in the
 * same tick: 200 req/s over 50 connections arrive as 50 concurrent bursts in the first ~250 ms
 * of each second and nothing in the rest (measured: every answer of a 10-s run fell in the first
 * 300 ms of its second). That is a 50-wide burst, not a steady load. So each connection is an
 * autocannon instance of its own, started 1/connections of a second after the one before: the
 * arrivals spread evenly over every second. LOAD_PACING=burst keeps autocannon's own pacing,
 * to compare.
 *
 * Latency is each answer's raw time (write of the request to its answer). autocannon's own
 * histogram is not used: with a rate it "corrects" for coordinated omission with an expected
 * interval of ceil(1 / rate) ms, 1 ms at 4 req/s a connection, so it adds a made-up sample for
 * every millisecond of every answer (the interval should be 250 ms). With 50 staggered
 * connections a stall is still seen by every connection whose turn falls in it.
 */
async function steadyLoad(apiBase, seconds, duringLoad) {
  const samples = [];
  // the bench's own loop: a late timer here is latency autocannon blames on the API
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  ownLoop.enable();
  const startedAt = performance.now();
  const connections = Math.min(opt.connections, opt.rate);
  const instance = (options) => {
    const tracker = autocannon({ url: apiBase, duration: seconds, timeout: 10, requests: smallRequests(), ...options });
    tracker.on('response', (_client, status, _bytes, ms) => samples.push({ at: performance.now(), ms, ok: status >= 200 && status < 300 }));
    return tracker;
  };
  const trackers = opt.pacing === 'burst'
    ? [instance({ connections, overallRate: opt.rate })]
    : Array.from({ length: connections }, async (_, i) => {
      await sleep((i * 1000) / connections);
      // the rate split as evenly as whole numbers allow
      return instance({ connections: 1, overallRate: Math.floor(opt.rate / connections) + (i < opt.rate % connections ? 1 : 0) });
    });
  const during = duringLoad ? duringLoad() : Promise.resolve(null);
  const [results, extra] = await Promise.all([Promise.all(trackers), during]);
  ownLoop.disable();
  const endedAt = performance.now();
  const sum = (f) => results.reduce((n, r) => n + f(r), 0);
  const result = {
    requests: sum((r) => r.requests.total), non2xx: sum((r) => r.non2xx), errors: sum((r) => r.errors), timeouts: sum((r) => r.timeouts),
  };
  const bench = { p99: ownLoop.percentile(99) / 1e6, max: ownLoop.max / 1e6 };
  return { result, samples, seconds, startedAt, endedAt, extra, bench };
}

/** Runs the upload in its own process; resolves with its answer. */
function upload(apiBase) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'post-upload.mjs'), apiBase, TENANT, run, String(opt.uploadItems)], {
      env: { ...process.env, UPLOAD_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`upload process exited ${code}`))));
  });
}

/** Waits until the request's counters say every line was coalesced and the ingest finished. */
async function waitCoalesced(requestId) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    check();
    const [ingested, received, done] = await redis.hmget(keys.request(requestId), 'ingested', 'received', 'done');
    if (received !== null && ingested === received && done === '1') return performance.now();
    if (Date.now() > deadline) throw new Error(`upload not coalesced in time: ingested ${ingested} of ${received}`);
    await sleep(20);
  }
}

/** During the load phase: wait, upload, wait until coalesced; times relative to the phase. */
function uploadDuringLoad(apiBase) {
  return async () => {
    await sleep(opt.uploadAfterSeconds * 1000);
    const cpuAtStart = await cpuNow();
    const startedAt = performance.now();
    const answer = await upload(apiBase);
    if (answer.status !== 202) throw new Error(`upload answered ${answer.status}: ${answer.text}`);
    if (answer.received !== opt.uploadItems) throw new Error(`upload received ${answer.received} of ${opt.uploadItems}`);
    const coalescedAt = await waitCoalesced(answer.requestId);
    return { ...answer, startedAt, coalescedAt, cpuAtStart, cpuAtEnd: await cpuNow() };
  };
}

/** A table row of one phase: autocannon's counts, percentiles of the raw answer times. */
function latencyLine(name, r) {
  const ms = r.samples.map((x) => x.ms);
  return `| ${name} | ${int(r.result.requests)} | ${fmt(r.result.requests / r.seconds, 0)} | ${int(r.result.non2xx)} | ${int(r.result.errors)} / ${int(r.result.timeouts)} | ${fmt(percentile(ms, 50), 0)} | ${fmt(percentile(ms, 90), 0)} | ${fmt(percentile(ms, 99), 0)} | ${fmt(Math.max(...ms), 0)} |`;
}

function windowLine(name, samples) {
  const ms = samples.map((s) => s.ms);
  const bad = samples.filter((s) => !s.ok).length;
  return `| ${name} | ${int(ms.length)} | | ${int(bad)} | | ${fmt(percentile(ms, 50), 0)} | ${fmt(percentile(ms, 90), 0)} | ${fmt(percentile(ms, 99), 0)} | ${fmt(Math.max(...ms), 0)} |`;
}

async function main() {
  const startedAt = performance.now();
  const redisUrl = process.env.REDIS_URL ?? (ownRedis = await startOwnRedis(check)).url;
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  redis.on('error', (err) => console.error(`bench redis: ${err.message}`));
  const server = await info(redis, 'server');
  console.log(`load bench: ${opt.rate} req/s over ${opt.connections} connections (${opt.pacing === 'burst' ? "autocannon's own pacing: bursts at each second's start" : 'arrivals spread over each second'}), ingest.chunkItems ${opt.chunkItems ?? 'default'}; baseline ${opt.baselineSeconds} s, then ${opt.loadSeconds} s with a ${int(opt.uploadItems)}-line upload starting after ${opt.uploadAfterSeconds} s`);
  console.log(`Redis ${redisUrl} (${server.redis_version}, ${ownRedis ? `own redis-server, pid ${ownRedis.pid}` : `shared, key prefix ${prefix}`})`);
  const svc = await startServices(redisUrl);
  const loops = eventLoopSampler(svc.metrics);
  const pings = redisPingSampler(redis);
  try {
    await steadyLoad(svc.apiBase, WARMUP_SECONDS); // JIT, connections and caches warm; not reported
    const names = scriptNames(join(root, 'packages', 'store', 'lua'));
    if (ownRedis) await slowCommands(redis, names); // empties the slow log
    const c0 = await commandStats(redis);
    const cpu0 = await cpuNow();
    const baseline = await steadyLoad(svc.apiBase, opt.baselineSeconds);
    const c1 = await commandStats(redis);
    const cpu1 = await cpuNow();
    const slow1 = ownRedis ? await slowCommands(redis, names) : null;
    const load = await steadyLoad(svc.apiBase, opt.loadSeconds, uploadDuringLoad(svc.apiBase));
    const c2 = await commandStats(redis);
    const cpu2 = await cpuNow();
    const slow2 = ownRedis ? await slowCommands(redis, names) : null;
    check();
    for (const c of children) if (!isRunning(c)) throw new Error(`${c.name} is not running`);

    const up = load.extra;
    const inWindow = load.samples.filter((s) => s.at >= up.startedAt && s.at <= up.coalescedAt);
    const p99 = (phase) => percentile(phase.samples.map((x) => x.ms), 99);
    const b = { p99: p99(baseline) };
    const l = { p99: p99(load) };
    const failures = load.result.non2xx + load.result.errors + load.result.timeouts;
    const ingestSeconds = (up.coalescedAt - up.startedAt) / 1000;

    console.log('\n| phase | requests | req/s | non-2xx | errors / timeouts | p50 ms | p90 ms | p99 ms | max ms |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(latencyLine(`baseline (${opt.baselineSeconds} s)`, baseline));
    console.log(latencyLine(`under upload (${opt.loadSeconds} s)`, load));
    console.log(windowLine(`… only while the upload streamed and was coalesced (${fmt(ingestSeconds)} s, raw)`, inWindow));
    console.log(`\nUpload: ${int(opt.uploadItems)} lines (${fmt(up.bytes / 1024 / 1024)} MB); 202 after ${fmt(up.seconds202, 2)} s; all coalesced after ${fmt(ingestSeconds, 2)} s → ${int(opt.uploadItems / ingestSeconds)} items/s`);
    console.log('\nEvent-loop delay (ms; worst 1-s reading of prom-client\'s monitorEventLoopDelay, 10 ms resolution) and Redis PING round trip from the bench:');
    for (const [name, from, to] of [['baseline', baseline.startedAt, baseline.endedAt], ['upload window', up.startedAt, up.coalescedAt], ['whole load phase', load.startedAt, load.endedAt]]) {
      const a = loops.summary('api', from, to);
      const w = loops.summary('worker', from, to);
      const p = pings.summary(from, to);
      console.log(`  ${name}: API p99 ${fmt(a.p99)} max ${fmt(a.max)}; worker p99 ${fmt(w.p99)} max ${fmt(w.max)}; Redis PING p99 ${fmt(p.p99)} max ${fmt(p.max)} (${p.samples} pings)`);
    }
    console.log(`  the bench's own event loop (autocannon's timers): baseline p99 ${fmt(baseline.bench.p99)} max ${fmt(baseline.bench.max)}; load phase p99 ${fmt(load.bench.p99)} max ${fmt(load.bench.max)}`);
    console.log(`\nCores busy (of ${os.cpus().length}): baseline ${coresUsed(cpu0, cpu1)}; upload window ${coresUsed(up.cpuAtStart, up.cpuAtEnd)}; whole load phase ${coresUsed(cpu1, cpu2)}`);
    const top = (from, to) => topCommands(from, to, 6).map((c) => `${c.name} ${int(c.calls)}× ${fmt(c.usec / Math.max(1, c.calls) / 1000, 2)} ms/call`).join(', ');
    console.log(`\nRedis server time, baseline: ${top(c0, c1)}`);
    console.log(`Redis server time, load phase: ${top(c1, c2)}`);
    const slow = (list) => (list.length ? list.slice(0, 6).map((e) => `${e.name} ${int(e.count)}× max ${fmt(e.maxMs)} ms (≤${int(e.maxArgs)} args)`).join(', ') : 'none');
    if (slow1) {
      console.log(`Redis commands ≥ 2 ms (slow log), baseline: ${slow(slow1)}`);
      console.log(`Redis commands ≥ 2 ms (slow log), load phase: ${slow(slow2)}`);
    }

    const ratio = l.p99 / b.p99;
    const met = l.p99 < TARGET_P99_MS && failures === 0;
    console.log(`\nMachine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${os.loadavg().map((x) => fmt(x, 2)).join(' ')}, Node ${process.version}, Redis ${server.redis_version}; ${new Date().toISOString().slice(0, 10)}`);
    console.log(`p99 under upload ÷ baseline p99: ${fmt(ratio, 2)}`);
    console.log(`${met ? 'TARGET MET' : 'TARGET MISSED'}: p99 under upload ${fmt(l.p99, 0)} ms < ${TARGET_P99_MS} ms: ${l.p99 < TARGET_P99_MS ? 'yes' : 'no'}; failed requests (non-2xx + errors + timeouts) ${int(failures)} = 0: ${failures === 0 ? 'yes' : 'no'}`);
    console.log(`\nBench wall time ${fmt((performance.now() - startedAt) / 1000)} s`);
  } finally {
    loops.stop();
    pings.stop();
  }
}

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    for (const c of [...children].reverse()) await stopChild(c).catch((err) => console.error(`stopping ${c.name}: ${err.message}`));
    children = [];
    if (redis && !ownRedis) await deletePrefix(redis, prefix).catch((err) => console.error(`deleting ${prefix}:*: ${err.message}`));
    redis?.disconnect();
    await ownRedis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping children${ownRedis ? ' and our redis-server' : ` and deleting ${prefix}:*`}`);
    crashed ??= new Error(`interrupted by ${signal}`);
    void cleanup().finally(() => process.exit(130));
  });
}
// last resort if something exits the process without cleanup: no child outlives the bench
process.on('exit', () => {
  for (const c of children) if (isRunning(c)) process.kill(c.pid, 'SIGKILL');
  ownRedis?.kill();
});

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (err) {
  console.error(`\nload bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}

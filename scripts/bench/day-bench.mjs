#!/usr/bin/env node
// `npm run bench:day`: one budget day of tenant `news` (1,000 units, Asia/Shanghai), three
// callers, in under 5 minutes of wall time on an accelerated clock (CLOCK_RATE), run twice:
// with today's policy (no urgent reserve, no debounce) and with the new defaults (the reserve,
// minRefreshIntervalMs 10 min). Real Redis, the built API, worker and simulator as processes of
// their own, all on one clock (CLOCK_START_MS, CLOCK_OFFSET_MS, CLOCK_RATE and the simulator's
// SIM_CLOCK_*), the day starting at local 00:00:30. The traffic is day-traffic.mjs; the figures
// day-figures.mjs. A benchmark, not a test: a missed target prints MISSED and the exit code
// stays 0; a crash, an error answer or the deadline exits 1.
// Settings a build may not have (callers[].weight, tenant minRefreshIntervalMs, the request's
// not_before: the bench was written before they arrived) are detected from the config schema and
// the API contract; without them the runs go on and the figures they would give print n/a.
// Env: DAY_CLOCK_RATE (300), DAY_DEADLINE_SECONDS (1200, the whole bench), DAY_RECORD_DIR (writes
// each run's requests, completions and the simulator's calls there as JSON, to look into a
// figure), REDIS_URL to use an existing Redis under key prefixes of its own instead of starting one.
/* global AbortSignal */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import configPkg from '@refresh/config';
import contractPkg from '@refresh/contract';
import corePkg from '@refresh/core';
import storePkg from '@refresh/store';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { freePort, isRunning, sleep, startChild, stopChild, waitHttpOk, waitTcp } from './children.mjs';
import { benchEnv } from './bench-services.mjs';
import { CALLERS, runFigures } from './day-figures.mjs';
import { dayTraffic } from './day-traffic.mjs';
import { startOwnRedis } from './own-redis.mjs';
import { deletePrefix, info } from './redis-stats.mjs';
import { bodyStats, urlBody } from './url-body.mjs';
import nodeVersion from '../node-version.cjs';

nodeVersion.assertNodeVersion('npm run bench:day');

const { ConfigError, parseFileConfig } = configPkg;
const { refreshRequestBody } = contractPkg;
const { acceleratedClock } = corePkg;
const { tenantKeys } = storePkg;

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const TENANT = 'news';
const ZONE = 'Asia/Shanghai';
const DAILY_LIMIT = 1000;
const CALLS_PER_SECOND = 50;
const LINGER_MS = 1000;
const WEIGHTS = { A: 1, B: 1, C: 1 };
/** wall ms from starting the services to the clock's anchor (local 00:00:30): time to get ready */
const LEAD_MS = 8_000;
/** clock ms the run goes on after the day ends: items deferred to the reset go out and complete */
const TAIL_MS = 15 * 60_000;
const TARGET = { highWaitMs: LINGER_MS + 1000, fairness: 0.95 };

const num = (name, dflt, max = Infinity) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new Error(`${name} must be a positive number up to ${max}, got "${process.env[name]}"`);
  return v;
};
const RATE = num('DAY_CLOCK_RATE', 300, corePkg.MAX_CLOCK_RATE);
const DEADLINE_MS = num('DAY_DEADLINE_SECONDS', 1200) * 1000;
const tag = randomBytes(4).toString('hex');
const sim = { projectId: randomBytes(16).toString('hex'), accessKey: `DAY${randomBytes(8).toString('hex').toUpperCase()}`, secretKey: randomBytes(24).toString('hex') };
const keys = Object.fromEntries(CALLERS.map((k) => [k, randomBytes(24).toString('base64url')]));
const webhookSecret = randomBytes(24).toString('hex');
const tmp = mkdtempSync(join(os.tmpdir(), 'day-bench-'));

let ownRedis = null;
let redis = null;
let children = [];
let hookServer = null;
/** the key prefix of the run under way, deleted on the way out when the Redis is shared */
let currentPrefix = null;
let crashed = null;
const check = () => {
  if (crashed) throw crashed;
};
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
/** A clock span for people: 1.2 s, 14 min 5 s, 9 h 58 min. */
function span(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 60_000) return `${sign}${fmt(a / 1000)} s`;
  if (a < 3_600_000) return `${sign}${Math.floor(a / 60_000)} min ${Math.round((a % 60_000) / 1000)} s`;
  return `${sign}${Math.floor(a / 3_600_000)} h ${Math.round((a % 3_600_000) / 60_000)} min`;
}
const local = (ms) => DateTime.fromMillis(ms, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss');

/**
 * Which of the settings the runs differ by this build knows: each is tried on the config schema
 * (strict: an unknown field is refused) or looked up in the API's request schema.
 */
function detectFeatures() {
  const tenant = { id: TENANT, projectId: 'p', endpoint: 'http://127.0.0.1:1', auth: { type: 'aksk', accessKey: 'a', secretKey: 's' } };
  const caller = { id: 'x', apiKeySha256: '0'.repeat(64), tenants: [TENANT] };
  const accepts = (file) => {
    try {
      parseFileConfig(file);
      return true;
    } catch (err) {
      if (err instanceof ConfigError) return false;
      throw err;
    }
  };
  return {
    weight: accepts({ tenants: [tenant], callers: [{ ...caller, weight: 1 }] }),
    minRefreshInterval: accepts({ tenants: [{ ...tenant, minRefreshIntervalMs: 600_000 }] }),
    notBefore: 'not_before' in refreshRequestBody.shape,
  };
}

const RUNS = [
  { name: "today's policy", reserve: { high: 0 }, minRefreshIntervalMs: 0 },
  // reserve omitted: the schema's default, 5% of dailyLimit released 60 min before the reset
  { name: 'new defaults', reserve: undefined, minRefreshIntervalMs: 600_000 },
];

function writeRunConfig(path, run, features, simPort, hookPort) {
  const sha = (s) => createHash('sha256').update(s).digest('hex');
  writeFileSync(path, JSON.stringify({
    tenants: [{
      id: TENANT, projectId: sim.projectId, endpoint: `http://127.0.0.1:${simPort}`,
      auth: { type: 'aksk', accessKey: sim.accessKey, secretKey: sim.secretKey },
      dailyLimit: DAILY_LIMIT, timezone: ZONE, maxCallsPerSecond: CALLS_PER_SECOND,
      ...(run.reserve ? { reserve: run.reserve } : {}),
      ...(features.minRefreshInterval ? { minRefreshIntervalMs: run.minRefreshIntervalMs } : {}),
    }],
    callers: CALLERS.map((k) => ({
      id: `caller-${k}`, apiKeySha256: sha(keys[k]), tenants: [TENANT],
      ...(features.weight ? { weight: WEIGHTS[k] } : {}),
      webhook: { secret: webhookSecret, allowedHosts: [`127.0.0.1:${hookPort}`] },
    })),
    batching: { lingerMs: LINGER_MS },
    // The completion sweep is crash recovery, a matter of wall time: its grace (clock time) is
    // scaled by the rate so it stays 30 wall seconds, instead of 0.1 s at rate 300, where it
    // would warn about every retire job merely queued.
    worker: { completionSweepMs: 30_000 * RATE },
  }, null, 2));
}

/** Completion webhooks of every run: request id → completed_at (clock ms). */
const completedAt = new Map();
async function startHookServer() {
  const port = await freePort();
  hookServer = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      try {
        const body = JSON.parse(text);
        if (body.status === 'completed') completedAt.set(body.request_id, Date.parse(body.completed_at));
      } catch {
        // not ours to judge: the figure counts only what parses
      }
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise((resolve) => hookServer.listen(port, '127.0.0.1', resolve));
  return port;
}

/** Simulator, worker and API of one run, every one on the run's clock; resolves once all are ready. */
async function startServices(run, features, redisUrl, prefix, clockEnv, hookPort) {
  const [simPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const configPath = join(tmp, `refresh-config-${prefix}.json`);
  const simConfigPath = join(tmp, `sim-config-${prefix}.json`);
  writeRunConfig(configPath, run, features, simPort, hookPort);
  writeFileSync(simConfigPath, JSON.stringify({ projects: [sim], dailyLimit: DAILY_LIMIT, timezone: ZONE }));
  const env = Object.assign(benchEnv({ redisUrl, prefix, configPath, apiPort, metricsPort, simPort, sim }), clockEnv, { SIM_CONFIG: simConfigPath });
  const opts = { cwd: root, env, onUnexpectedExit: (err) => (crashed ??= err) };
  children = [
    startChild('vod-simulator', 'services/vod-simulator/dist/main.js', opts),
    startChild('refresh-worker', 'services/refresh-worker/dist/main.js', opts),
    startChild('ingest-api', 'services/ingest-api/dist/main.js', opts),
  ];
  await waitTcp(simPort, 20_000, check);
  await waitHttpOk(`http://127.0.0.1:${metricsPort}/readyz`, 20_000, check);
  await waitHttpOk(`http://127.0.0.1:${apiPort}/readyz`, 20_000, check);
  return { apiBase: `http://127.0.0.1:${apiPort}`, simBase: `http://127.0.0.1:${simPort}`, workerMetrics: `http://127.0.0.1:${metricsPort}/metrics` };
}

async function stopServices() {
  for (const c of [...children].reverse()) await stopChild(c).catch((err) => console.error(`stopping ${c.name}: ${err.message}`));
  children = [];
}

/** POSTs one event's request as its caller; resolves with the 202's body. */
async function send(apiBase, ev, hookPort) {
  const callback = `http://127.0.0.1:${hookPort}/hook`;
  const path = `/v1/tenants/${TENANT}/refresh-requests`;
  const auth = `Bearer ${keys[ev.caller]}`;
  if (ev.upload) {
    const { bytes } = bodyStats(ev.upload.run, ev.upload.count);
    return new Promise((resolve, reject) => {
      const req = http.request(`${apiBase}${path}?priority=${ev.priority}&callback_url=${encodeURIComponent(callback)}`, {
        method: 'POST', agent: false, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': bytes, authorization: auth },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', reject);
      urlBody(ev.upload.run, ev.upload.count).pipe(req);
    });
  }
  const body = { urls: ev.urls, priority: ev.priority, callback_url: callback, ...(ev.notBefore ? { not_before: ev.notBefore.toISO() } : {}) };
  const res = await fetch(`${apiBase}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, text: await res.text() };
}

/** The count of a prom-client counter with these labels in a /metrics text, 0 when absent. */
function counter(text, name, labels) {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** One run: fresh key prefix, fresh processes, the whole day's traffic, then what happened. */
async function runDay(run, features, redisUrl, hookPort) {
  const prefix = `daybench-${tag}-${RUNS.indexOf(run) + 1}`;
  currentPrefix = prefix;
  // the budget day: tomorrow in the tenant's zone, whatever today is
  const dayStart = DateTime.now().setZone(ZONE).plus({ days: 1 }).startOf('day');
  const day = dayStart.toISODate();
  const anchor = Date.now() + LEAD_MS;
  const offset = dayStart.plus({ seconds: 30 }).toMillis() - anchor;
  const clock = acceleratedClock({ rate: RATE, startMs: anchor, offsetMs: offset });
  const clockEnv = {
    CLOCK_RATE: String(RATE), CLOCK_START_MS: String(anchor), CLOCK_OFFSET_MS: String(offset),
    SIM_CLOCK_RATE: String(RATE), SIM_CLOCK_START_MS: String(anchor), SIM_CLOCK_OFFSET_MS: String(offset),
  };
  /** waits until the clock reads `at`, in wall steps of at most a second so a crash stops it */
  const until = async (at) => {
    for (;;) {
      check();
      const wallLeft = (at - clock.now()) / RATE;
      if (wallLeft <= 0) return;
      await sleep(Math.min(wallLeft, 1000));
    }
  };

  console.log(`\n## Run ${RUNS.indexOf(run) + 1}: ${run.name}`);
  console.log(`reserve ${run.reserve ? JSON.stringify(run.reserve) : 'default (5% of the limit, released 60 min before the reset)'}; minRefreshIntervalMs ${features.minRefreshInterval ? run.minRefreshIntervalMs : 'n/a (not in this build)'}; weights ${features.weight ? 'A 1, B 1, C 1' : 'n/a (not in this build)'}; key prefix ${prefix}`);
  const svc = await startServices(run, features, redisUrl, prefix, clockEnv, hookPort);
  const readyAt = clock.now();
  console.log(`services ready at clock ${local(readyAt)}; the day (${day}) starts at 00:00:30, ${fmt((anchor - Date.now()) / 1000)} s of wall time from now`);
  if (readyAt > dayStart.plus({ minutes: 2 }).toMillis()) console.log('  (the services were slow to start: the first minutes of the day were already gone)');

  const events = dayTraffic({ dayStart, tag, withScheduled: features.notBefore });
  const wallStart = Date.now();
  const sent = [];
  let nextReport = dayStart.plus({ hours: 4 }).toMillis();
  const report = async () => {
    const spent = Number((await redis.get(tenantKeys(prefix, TENANT).budget(day))) ?? 0);
    console.log(`  ${local(clock.now()).slice(11, 16)}: ${int(sent.length)} requests sent, ${int(spent)} units reserved today`);
  };
  for (const ev of events) {
    while (nextReport <= ev.at) {
      await until(nextReport);
      await report();
      nextReport += 4 * 3_600_000;
    }
    await until(ev.at);
    const p = (async () => {
      const sentAt = clock.now();
      const r = await send(svc.apiBase, ev, hookPort);
      const answeredAt = clock.now();
      if (r.status !== 202) throw new Error(`${ev.label} at ${local(ev.at)} answered ${r.status}: ${r.text.slice(0, 500)}`);
      return { ...ev, sentAt, answeredAt, accepted: JSON.parse(r.text) };
    })();
    p.catch((err) => (crashed ??= err));
    sent.push(p);
  }
  const dayEnd = dayStart.plus({ days: 1 }).toMillis();
  await until(dayEnd);
  await report();
  await until(dayEnd + TAIL_MS);
  const posts = await Promise.all(sent);
  const endedAt = clock.now();
  const wallSeconds = (Date.now() - wallStart) / 1000;
  await sleep(1500); // the last completion webhooks
  check();

  const calls = await (await fetch(`${svc.simBase}/_sim/calls`)).json();
  const metrics = await (await fetch(svc.workerMetrics)).text();
  const serviceCounter = Number((await redis.get(tenantKeys(prefix, TENANT).budget(day))) ?? 0);
  for (const c of children) if (!isRunning(c)) throw new Error(`${c.name} is not running`);
  await stopServices();
  if (!ownRedis) await deletePrefix(redis, prefix);
  currentPrefix = null;

  if (process.env.DAY_RECORD_DIR) {
    const file = join(process.env.DAY_RECORD_DIR, `day-bench-run-${RUNS.indexOf(run) + 1}.json`);
    const requests = posts.map(({ upload, urls, notBefore, accepted, ...p }) => ({
      ...p, items: upload ? upload.count : urls.length, ...(urls && urls.length <= 50 ? { urls } : {}), ...(notBefore ? { notBefore: notBefore.toISO() } : {}),
      requestId: accepted.request_id, estimate: accepted.estimated_completion_at, budgetDaysNeeded: accepted.budget_days_needed,
      completedAt: completedAt.get(accepted.request_id) ?? null,
    }));
    writeFileSync(file, JSON.stringify({ run: run.name, day, rate: RATE, requests, calls }, null, 1));
    console.log(`recorded in ${file}`);
  }
  const lag = Math.max(...posts.map((p) => p.sentAt - p.at));
  console.log(`day ${day} (+${TAIL_MS / 60_000} min of the next) took ${fmt(wallSeconds)} s of wall time; ${int(posts.length)} requests, the bench's latest send ${span(lag)} after its instant (clock)`);
  return runFigures({
    calls, posts, completedAt, day, dailyLimit: DAILY_LIMIT, weights: WEIGHTS, endedAt,
    eighteen: dayStart.set({ hour: 18 }).toMillis(),
    quotaRefusals: counter(metrics, 'refresh_worker_upstream_calls_total', { tenant: TENANT, outcome: 'quota_spent' }),
    serviceCounter,
  });
}

/** The side-by-side table of both runs, each figure marked against its target. */
function printFigures(figs, features) {
  const mark = (ok) => (ok ? 'MET' : 'MISSED');
  const rows = [];
  const row = (name, cell, target = '') => rows.push(`| ${name} | ${figs.map(cell).join(' | ')} | ${target} |`);
  const three = (o, f = int) => CALLERS.map((k) => f(o[k])).join(' / ');
  const highMax = (f) => {
    const bound = f.highWaits.some((w) => w.wait === null);
    return bound ? Math.max(...f.highWaits.map((w) => w.wait ?? w.lowerBound)) : Math.max(...f.highWaits.map((w) => w.wait));
  };
  const highOf = (f, label) => Math.max(...f.highWaits.filter((w) => w.label === label).map((w) => w.wait ?? w.lowerBound));

  row('units spent on the day (simulator record)', (f) => `${int(f.spent)} of ${int(f.dailyLimit)} (${fmt((100 * f.spent) / f.dailyLimit)}%) ${mark(f.spent === f.dailyLimit)}`, '100% of the limit');
  row('overspend: calls VOD refused for quota; service counter', (f) => `${int(f.quotaRefusals)}; ${int(f.serviceCounter)} of ${int(f.dailyLimit)} ${mark(f.quotaRefusals === 0 && f.serviceCounter <= f.dailyLimit)}`, '0; ≤ the limit');
  row('longest wait of a high item, 202 → its call (clock)', (f) => {
    const m = highMax(f);
    return `${f.highWaits.some((w) => w.wait === null) ? '> ' : ''}${span(m)} ${mark(m <= TARGET.highWaitMs)}`;
  }, `≤ ${span(TARGET.highWaitMs)} (lingerMs + 1 s)`);
  row('… of the 14:00 items / of the 23:30 items (clock)', (f) => `${span(highOf(f, 'C 14:00'))} / ${span(highOf(f, 'C 23:30'))}`, '');
  row('… of the 14:00 items in wall time', (f) => `${fmt(highOf(f, 'C 14:00') / RATE, 0)} ms`, '');
  row('units of A / B / C', (f) => three(f.units), '');
  row('share of the units A / B / C (weights 1 / 1 / 1)', (f) => three(f.units, (u) => `${fmt((100 * u) / Math.max(1, f.spent))}%`), 'by weight, within demand');
  row('demand A / B / C (distinct items asked on the day)', (f) => three(f.demand), '');
  row('weighted max-min fair share A / B / C', (f) => three(f.fair, (x) => fmt(x)), '');
  row("Jain's index of units ÷ fair share over A, B, C", (f) => `${fmt(f.fairness, 3)} ${mark(f.fairness >= TARGET.fairness)}`, `≥ ${TARGET.fairness}`);
  row('repeat sends (an item sent again the same day)', (f) => int(f.repeatSends), '');
  row('units saved by debounce (repeat sends avoided vs run 1)', (f, i) => (i === 0 ? '—' : features.minRefreshInterval ? int(figs[0].repeatSends - f.repeatSends) : 'n/a'), '');
  row('scheduled items (not_before 18:00) sent before 18:00', (f) => (features.notBefore ? `${int(f.early)} of ${int(f.scheduled)} ${mark(f.early === 0)}` : 'n/a'), '0');
  row('… their lateness after 18:00, median / max (clock)', (f) => {
    if (!features.notBefore) return 'n/a';
    const sorted = [...f.lateness].sort((a, b) => a - b);
    return `${span(sorted[Math.floor((sorted.length - 1) / 2)])} / ${span(sorted.at(-1))}${f.scheduledUnsent ? `; ${f.scheduledUnsent} never sent` : ''}`;
  }, '');
  row("estimate error: the 202's estimated_completion_at against the completion, median / p90 of the absolute error", (f) => `${span(f.estimate.median)} / ${span(f.estimate.p90)}`, '');
  row('… median of completion − estimate (> 0: later than estimated)', (f) => span(f.estimate.lateMedian), '');
  row('… requests the 202 expected done today (n): median / p90', (f) => `(${int(f.estimate.today.count)}) ${span(f.estimate.today.median)} / ${span(f.estimate.today.p90)}`, '');
  row('… requests it expected after the reset (n): median / p90', (f) => `(${int(f.estimate.later.count)}) ${span(f.estimate.later.median)} / ${span(f.estimate.later.p90)}`, '');
  row('requests with an estimate: completed / not by the end', (f) => `${int(f.estimate.count)} / ${int(f.estimate.open)}${f.estimate.openPastEstimate ? ` (${f.estimate.openPastEstimate} past their estimate)` : ''}`, '');

  console.log(`\n| figure | ${RUNS.map((r, i) => `run ${i + 1}: ${r.name}`).join(' | ')} | target |`);
  console.log(`|---|${RUNS.map(() => '---:').join('|')}|---|`);
  for (const r of rows) console.log(r);
}

async function main() {
  const startedAt = Date.now();
  const features = detectFeatures();
  console.log(`day bench: tenant ${TENANT}, ${int(DAILY_LIMIT)} units a day in ${ZONE}, ${CALLS_PER_SECOND} calls per clock second; CLOCK_RATE ${RATE}: a day in ${fmt(86_400 / RATE)} s of wall time`);
  const missing = [
    !features.weight && 'callers[].weight (every caller weighs the same in both runs anyway; the figures compare with weights 1 / 1 / 1)',
    !features.minRefreshInterval && 'the tenant\'s minRefreshIntervalMs (run 2 has no debounce: "units saved by debounce" is n/a)',
    !features.notBefore && "the request's not_before (the 50 scheduled items are not sent: their figures are n/a)",
  ].filter(Boolean);
  for (const m of missing) console.log(`not in this build, left out: ${m}`);

  const redisUrl = process.env.REDIS_URL ?? (ownRedis = await startOwnRedis(check)).url;
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  redis.on('error', (err) => console.error(`bench redis: ${err.message}`));
  const server = await info(redis, 'server');
  console.log(`Redis ${redisUrl} (${server.redis_version}, ${ownRedis ? `own redis-server, pid ${ownRedis.pid}` : 'shared, key prefixes of its own'})`);
  const hookPort = await startHookServer();

  const figs = [];
  for (const run of RUNS) figs.push(await runDay(run, features, redisUrl, hookPort));
  printFigures(figs, features);
  console.log(`\nUnits are what the simulator accepted on the day; demand is each caller's distinct items; the fair share is the weighted max-min allocation of ${int(DAILY_LIMIT)} units given those demands. Waits and errors are clock time: at CLOCK_RATE ${RATE}, every wall ms the services take is ${RATE} clock ms.`);
  console.log(`\nMachine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, load average ${os.loadavg().map((x) => fmt(x, 2)).join(' ')}, Node ${process.version}, Redis ${server.redis_version}; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`Bench wall time ${fmt((Date.now() - startedAt) / 1000)} s`);
}

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    await stopServices();
    if (redis && !ownRedis && currentPrefix) await deletePrefix(redis, currentPrefix).catch((err) => console.error(`deleting ${currentPrefix}:*: ${err.message}`));
    await new Promise((resolve) => (hookServer ? hookServer.close(resolve) : resolve()));
    redis?.disconnect();
    await ownRedis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the services${ownRedis ? ' and our redis-server' : ''}`);
    crashed ??= new Error(`interrupted by ${signal}`);
    void cleanup().finally(() => process.exit(130));
  });
}
// last resort if something exits the process without cleanup: no child outlives the bench
process.on('exit', () => {
  for (const c of children) if (isRunning(c)) process.kill(c.pid, 'SIGKILL');
  ownRedis?.kill();
});
// the hard deadline: whatever hangs, the bench ends
const deadline = setTimeout(() => {
  console.error(`\nday bench: deadline of ${DEADLINE_MS / 1000} s passed; stopping`);
  crashed ??= new Error('deadline passed');
  void cleanup().finally(() => process.exit(1));
}, DEADLINE_MS);

try {
  await main();
  clearTimeout(deadline);
  await cleanup();
  process.exit(0);
} catch (err) {
  clearTimeout(deadline);
  console.error(`\nday bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}

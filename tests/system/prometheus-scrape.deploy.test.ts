import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApi } from '@refresh/ingest-api';
import { createHealthServer } from '@refresh/refresh-worker';
import { QUEUE_NAMES, createRedis, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import { callerWithKey, REDIS_TARGET, eventually, silent, startSimulator, testConfig, testWorld, type Simulator } from './harness';

/**
 * A real Prometheus (Debian's `prometheus` package; .ci/run installs it) scrapes the real API
 * and worker every second, with deploy/prometheus/alerts.yml loaded. What operators will query,
 * the dashboard's expressions and the alert rules, is checked against what the services export.
 */
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const DEPLOY = resolve(__dirname, '../../deploy');
const API_KEY = 'scrape-key';
/** /metrics of both services asks for it, as deploy/prometheus/prometheus.yml sends it */
const METRICS_TOKEN = 'scrape-metrics-token';

function requirePrometheus(): void {
  const r = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `the prometheus binary ("${PROMETHEUS}") cannot be run: ${r.error?.message ?? r.stderr}. ` +
        'Install it with `apt-get install prometheus` (.ci/run does) or set PROMETHEUS_BIN.',
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
    s.on('error', fail);
  });
}

interface PromResponse<T> {
  status: 'success' | 'error';
  error?: string;
  data: T;
}
type Vector = { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: [number, string] }> };

describe('Prometheus scraping the API and the worker', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let api: string;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let promLog = '';
  const dir = mkdtempSync(join(tmpdir(), 'refresh-prom-'));

  const query = async (q: string) => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    return (await r.json()) as PromResponse<Vector>;
  };
  const scalar = async (q: string) => {
    const r = await query(q);
    const v = r.data?.result?.[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  };

  beforeAll(async () => {
    requirePrometheus();
    const started = await startSimulator({ faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 } });
    sim = started.sim;
    world = testWorld('scrape');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url }], {
      callers: [callerWithKey('cms', API_KEY, ['news'])],
      metrics: { bearerTokenSha256: createHash('sha256').update(METRICS_TOKEN).digest('hex') },
    });

    const redis = createRedis(REDIS_TARGET, 'api', () => undefined);
    const queueRedis = createRedis(REDIS_TARGET, 'api', () => undefined);
    const ingest = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(world.prefix) });
    const app = createApi({ config, redis, queues: { ingest }, logger: silent });
    const apiStarted = await app.start(0, '127.0.0.1');
    api = apiStarted.url;
    world.onClose(async () => {
      await app.stop();
      await ingest.close();
      await Promise.all([redis.quit(), queueRedis.quit()]);
    });
    const worker = await world.worker(config);
    // as main.ts wires it: the worker's registry served by its health server
    const health = createHealthServer(worker.metrics.registry, () => worker.ready(), config.metrics.bearerTokenSha256);
    const workerPort = await health.start(0, '127.0.0.1');
    world.onClose(() => health.stop());

    writeFileSync(join(dir, 'metrics-token'), METRICS_TOKEN);
    // credentials_file relative to the config, as deploy/prometheus/prometheus.yml has it
    const auth = 'authorization: { type: Bearer, credentials_file: metrics-token }';
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(join(DEPLOY, 'prometheus/alerts.yml'))}]`,
        'scrape_configs:',
        `  - { job_name: refresh-api, ${auth}, static_configs: [{ targets: ["127.0.0.1:${apiStarted.port}"] }] }`,
        `  - { job_name: refresh-worker, ${auth}, static_configs: [{ targets: ["127.0.0.1:${workerPort}"] }] }`,
      ].join('\n'),
    );
    // the port is free when picked, not reserved: if another process binds it first, Prometheus
    // exits ("address already in use") and is started again on another port
    for (let attempt = 1; ; attempt++) {
      const promPort = await freePort();
      promUrl = `http://127.0.0.1:${promPort}`;
      promLog = '';
      const p = spawn(
        PROMETHEUS,
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus = p;
      p.stderr!.on('data', (b: Buffer) => (promLog = (promLog + b.toString()).slice(-4000)));
      const ready = await eventually(
        async () => {
          if (p.exitCode !== null) return 'exited';
          return (await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false)) ? 'ready' : undefined;
        },
        'prometheus ready',
      );
      if (ready === 'ready') break;
      if (attempt === 5 || !/address already in use/.test(promLog)) throw new Error(`prometheus exited with ${p.exitCode}:\n${promLog}`);
    }
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      process.kill(prometheus.pid!, 'SIGTERM');
      await exited;
    }
    await world?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when requests flow through the API and the worker, then Prometheus sees items received, sent and the budget spent', async () => {
    const urls = Array.from({ length: 25 }, (_, i) => `https://cdn.example.com/scrape/${i}.m3u8`);
    const res = await fetch(`${api}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ urls, asset_ids: ['a1', 'a2', 'a3'] }),
    });
    expect(res.status).toBe(202);

    await eventually(async () => (await scalar('sum(refresh_api_items_received_total{tenant="news"})')) === 28 || undefined, 'items received in Prometheus');
    await eventually(async () => (await scalar('sum(refresh_worker_items_sent_total{tenant="news"})')) === 28 || undefined, 'items sent in Prometheus');
    expect(await scalar('sum(refresh_worker_items_sent_total{tenant="news",kind="url"})')).toBe(25);
    expect(await scalar('max(refresh_budget_used_items{tenant="news"})')).toBe(28);
    expect(await scalar('sum(up{job="refresh-worker"})')).toBe(1);
    expect(await scalar('sum(up{job="refresh-api"})')).toBe(1);
    expect(sim.calls().flatMap((c) => c.items)).toHaveLength(28);
  });

  it("when the dashboard's expressions are queried, then Prometheus accepts every one and each panel that should have data has it", async () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/dashboards/refresh.json'), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(15);
    const queryAll = () =>
      Promise.all(
        exprs.map(async ({ title, expr }) => {
          const r = await query(expr.replaceAll('$tenant', 'news').replaceAll('$__rate_interval', '1m'));
          return { title, expr, status: r.status, error: r.error, series: r.data?.result?.length ?? 0 };
        }),
      );
    // Nothing paused a tenant here, so that panel alone is rightly empty. Rates need two samples
    // in their window: poll until the scrapes have them.
    const empty = (rs: Awaited<ReturnType<typeof queryAll>>) => [...new Set(rs.filter((r) => r.series === 0).map((r) => r.title))];
    const EXPECTED_EMPTY = ['Paused tenants by reason'];
    let results = await queryAll();
    const deadline = Date.now() + 30_000;
    while (empty(results).join() !== EXPECTED_EMPTY.join() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      results = await queryAll();
    }
    expect(results.filter((r) => r.status !== 'success')).toEqual([]);
    expect(empty(results)).toEqual(EXPECTED_EMPTY);
  });

  it("when KEDA's scaling queries are run, then Prometheus answers each with one number", async () => {
    const keda = readFileSync(join(DEPLOY, 'k8s/optional/keda-scaledobject.yaml'), 'utf8');
    const queries = [...keda.matchAll(/^\s+query: (.+)$/gm)].map((m) => m[1]!);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      const r = await query(q);
      expect({ q, status: r.status, series: r.data.result.length }).toEqual({ q, status: 'success', series: 1 });
    }
  });

  it('when the alert rules are evaluated on the real metrics, then every rule evaluates without error and none fires', async () => {
    type Rule = { name: string; health: string; lastError?: string; state: string };
    const readRules = async () =>
      ((await (await fetch(`${promUrl}/api/v1/rules`)).json()) as PromResponse<{ groups: Array<{ rules: Rule[] }> }>).data.groups.flatMap((g) => g.rules);
    // before the first scrapes "no worker up" is rightly pending: poll until the rules settle
    let rules = await readRules();
    const deadline = Date.now() + 30_000;
    while (!(rules.length > 0 && rules.every((r) => r.health === 'ok' && r.state === 'inactive')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      rules = await readRules();
    }
    expect(rules.length).toBeGreaterThanOrEqual(7);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    expect(rules.filter((r) => r.state !== 'inactive').map((r) => `${r.name}: ${r.state}`)).toEqual([]);
  });
});

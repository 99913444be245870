import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { loadConfig } from '../src';
import { declaredMetrics } from './declared-metrics';
import { labelValuesQuery, namesIn, unaggregatedUses } from './promql-names';

/**
 * The deploy artifacts speak of the same metrics the services export. deploy/metrics-catalog.json
 * is the one list: it must equal what the services' sources declare, and every PromQL expression
 * in the alerts and the dashboard may name only what it lists, with the labels it lists.
 */
const ROOT = resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface CatalogMetric {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  job: string;
  labels: string[];
  shared?: boolean;
}
const catalog = JSON.parse(read('deploy/metrics-catalog.json')) as { defaultPrefixes: string[]; prometheus: string[]; metrics: CatalogMetric[] };

/** series name → the catalog entry it comes from (histograms expose _bucket, _sum and _count) */
const series = new Map<string, CatalogMetric>();
for (const m of catalog.metrics) {
  for (const suffix of m.type === 'histogram' ? ['_bucket', '_sum', '_count'] : ['']) series.set(m.name + suffix, m);
}
const TARGET_LABELS = ['job', 'instance'];
const isExported = (name: string) =>
  series.has(name) || catalog.prometheus.includes(name) || catalog.defaultPrefixes.some((p) => name.startsWith(p));
const labelsOf = (name: string): string[] | undefined => {
  const m = series.get(name);
  if (!m) return undefined; // defaults and Prometheus's own: labels not catalogued
  return [...m.labels, ...TARGET_LABELS, ...(name.endsWith('_bucket') ? ['le'] : []), '__name__'];
};

interface Expr {
  where: string;
  expr: string;
}

function alertExprs(): Expr[] {
  const doc = parseYaml(read('deploy/prometheus/alerts.yml')) as { groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ where: `alerts.yml ${r.alert ?? r.record}`, expr: String(r.expr) })));
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(read('deploy/grafana/dashboards/refresh.json')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
};

function dashboardExprs(): Expr[] {
  const walk = (panels: Panel[]): Expr[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? []).filter((t) => t.expr).map((t) => ({ where: `refresh.json "${p.title}"`, expr: t.expr! })),
      ...walk(p.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

/** KEDA's Prometheus triggers query the same metrics. */
function kedaExprs(): Expr[] {
  const docs = parseAllDocuments(read('deploy/k8s/optional/keda-scaledobject.yaml')).map((d) => d.toJS() as { spec?: { triggers?: Array<{ type: string; name?: string; metadata: { query?: string } }> } });
  return docs.flatMap((d) =>
    (d.spec?.triggers ?? []).filter((t) => t.type === 'prometheus').map((t) => ({ where: `keda-scaledobject.yaml ${t.name}`, expr: t.metadata.query ?? '' })),
  );
}

function variableQueries(): Array<{ where: string; query: string }> {
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `refresh.json variable ${v.name}`, query: typeof v.query === 'string' ? v.query : (v.query?.query ?? '') }));
}

describe('deploy/metrics-catalog.json against the services', () => {
  const declared = declaredMetrics(join(ROOT, 'services'));

  it('when the services\' sources are read, then they declare exactly the catalogued metrics', () => {
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.map((d) => d.name).sort()).toEqual(catalog.metrics.map((m) => m.name).sort());
  });

  it('when a metric is declared, then its type and labels are the catalogued ones', () => {
    const fromSource = Object.fromEntries(declared.map((d) => [d.name, { type: d.type, labels: [...d.labels].sort() }]));
    const fromCatalog = Object.fromEntries(catalog.metrics.map((m) => [m.name, { type: m.type, labels: [...m.labels].sort() }]));
    expect(fromSource).toEqual(fromCatalog);
  });
});

describe('PromQL in deploy/ against the catalog', () => {
  const exprs = [...alertExprs(), ...dashboardExprs(), ...kedaExprs()];

  it('when the alerts, the dashboard and the KEDA triggers are read, then every expression is found', () => {
    expect(alertExprs().length).toBeGreaterThanOrEqual(7);
    expect(dashboardExprs().length).toBeGreaterThanOrEqual(15);
    expect(kedaExprs().length).toBeGreaterThanOrEqual(1);
  });

  it('when an expression names a metric, then the services export it', () => {
    const unknown = exprs.flatMap(({ where, expr }) => namesIn(expr).metrics.filter((n) => !isExported(n)).map((n) => `${where}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it('when an expression calls a function, then PromQL has it', () => {
    expect(exprs.flatMap(({ where, expr }) => namesIn(expr).unknownFunctions.map((f) => `${where}: ${f}(`))).toEqual([]);
  });

  it('when a selector matches on a label, then its metric has that label', () => {
    const wrong = exprs.flatMap(({ where, expr }) =>
      namesIn(expr).selectors.flatMap((s) => {
        const allowed = s.metric ? labelsOf(s.metric) : undefined;
        return allowed ? s.labels.filter((l) => !allowed.includes(l)).map((l) => `${where}: ${s.metric}{${l}}`) : [];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('when an expression groups by a label, then a metric it uses has that label', () => {
    const wrong = exprs.flatMap(({ where, expr }) => {
      const names = namesIn(expr);
      const available = new Set([...TARGET_LABELS, 'le', ...names.metrics.flatMap((n) => labelsOf(n) ?? [])]);
      return names.groupingLabels.filter((l) => !available.has(l)).map((l) => `${where}: by/on (${l})`);
    });
    expect(wrong).toEqual([]);
  });

  it('when a gauge read from Redis is used, then it is combined across replicas with max, never summed', () => {
    const shared = catalog.metrics.filter((m) => m.shared).map((m) => m.name);
    const summed = exprs.flatMap(({ where, expr }) => shared.flatMap((name) => unaggregatedUses(expr, name).map((u) => `${where}: ${u}`)));
    expect(summed).toEqual([]);
  });

  it('when a job is selected, then it is one of the two scrape jobs', () => {
    const jobs = new Set(catalog.metrics.map((m) => m.job));
    const used = exprs.flatMap(({ expr }) => [...expr.matchAll(/job=~?"([^"]+)"/g)].flatMap((m) => m[1]!.split('|')));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((j) => !jobs.has(j))).toEqual([]);
    const scrape = parseYaml(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string }> };
    expect(scrape.scrape_configs.map((s) => s.job_name)).toEqual(expect.arrayContaining([...jobs]));
  });

  it('when the dashboard offers a tenant variable, then it reads a catalogued metric and label, and panels filter by it', () => {
    for (const { where, query } of variableQueries()) {
      const q = labelValuesQuery(query);
      expect({ where, parsed: Boolean(q) }).toEqual({ where, parsed: true });
      if (q?.expr) {
        expect(namesIn(q.expr).metrics.filter((n) => !isExported(n))).toEqual([]);
        for (const n of namesIn(q.expr).metrics) expect(labelsOf(n) ?? [q.label]).toContain(q.label);
      }
    }
    expect(variableQueries().map((v) => v.where)).toContain('refresh.json variable tenant');
    const tenantPanels = dashboardExprs().filter((e) => e.expr.includes('tenant=~"$tenant"'));
    expect(tenantPanels.length).toBeGreaterThanOrEqual(10);
  });
});

describe('deploy configs', () => {
  it('when the compose config file is loaded with the compose environment, then it is valid', () => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    const env = compose.services['refresh-worker']!.environment!;
    const config = loadConfig({ ...env, REFRESH_CONFIG: 'compose.yaml' }, () => read('deploy/config/compose.yaml'));
    expect(config.tenants.map((t) => t.id)).toEqual(['demo']);
  });

  it('when the Kubernetes config map is loaded with the Secret template\'s keys, then it is valid', () => {
    const secret = parseYaml(read('deploy/k8s/secret.example.yaml')) as { stringData: Record<string, string> };
    const config = loadConfig({ ...secret.stringData, REFRESH_CONFIG: 'refresh.yaml' }, () => read('deploy/k8s/config/refresh.yaml'));
    expect(config.tenants.length).toBeGreaterThan(0);
  });

  it('when docker-compose.yml mounts a file of the repository, then it exists', () => {
    const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { volumes?: string[]; build?: { dockerfile?: string } }> };
    const sources = Object.values(compose.services).flatMap((s) => [
      ...(s.volumes ?? []).map((v) => v.split(':')[0]!).filter((src) => src.startsWith('./')),
      ...(s.build?.dockerfile ? [s.build.dockerfile] : []),
    ]);
    expect(sources.length).toBeGreaterThan(3);
    expect(sources.filter((src) => !existsSync(join(ROOT, src)))).toEqual([]);
  });

  it('when a service is started by its image or its npm script, then it runs with its package.json\'s nodeArgs', () => {
    for (const service of ['ingest-api', 'refresh-worker', 'vod-simulator']) {
      const pkg = JSON.parse(read(`services/${service}/package.json`)) as { nodeArgs?: string[]; scripts: { start: string } };
      const args = pkg.nodeArgs ?? [];
      const cmd = /^CMD (\[.*\])$/m.exec(read(`deploy/docker/${service}.Dockerfile`))?.[1];
      expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...args, `services/${service}/dist/main.js`]);
      expect(pkg.scripts.start).toBe(['node', ...args, 'dist/main.js'].join(' '));
    }
    const root = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const api = (JSON.parse(read('services/ingest-api/package.json')) as { nodeArgs: string[] }).nodeArgs;
    expect(api.length).toBeGreaterThan(0);
    expect(root.scripts['start:api']).toBe(['node', ...api, 'services/ingest-api/dist/main.js'].join(' '));
  });
});

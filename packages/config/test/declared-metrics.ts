import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeclaredMetric {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  labels: string[];
  file: string;
}

const CLASSES = { Counter: 'counter', Gauge: 'gauge', Histogram: 'histogram', Summary: 'summary' } as const;
const METRIC_NAME = /^[a-z_:][a-z0-9_:]*_[a-z0-9_:]+$/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * The metrics declared in the services' sources, read as text: in every file that imports
 * prom-client, a metric name is a snake_case string that is the `name:` of an object or the
 * first argument of a call (a local factory such as state-gauges' `gauge('…', help, labels)`).
 * Its labels are the first array of strings after it; its type is the class constructed
 * around it, or the one class the file constructs.
 */
export function declaredMetrics(servicesDir: string): DeclaredMetric[] {
  const out: DeclaredMetric[] = [];
  for (const service of readdirSync(servicesDir)) {
    let files: string[];
    try {
      files = tsFiles(join(servicesDir, service, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (!/from ['"]prom-client['"]/.test(text)) continue;
      const constructed = [...text.matchAll(/new (Counter|Gauge|Histogram|Summary)\b/g)].map((m) => ({ at: m.index, cls: m[1] as keyof typeof CLASSES }));
      const classes = new Set(constructed.map((c) => c.cls));
      const hits = [...text.matchAll(/(?:\bname:\s*|\b\w+\(\s*)(['"`])([^'"`$]+)\1/g)]
        .filter((m) => METRIC_NAME.test(m[2]!))
        .map((m) => ({ at: m.index, name: m[2]! }));
      hits.forEach((hit, i) => {
        const window = text.slice(hit.at, hits[i + 1]?.at ?? text.length);
        const array = /\[((?:\s*['"][\w]+['"]\s*,?)*)\]/.exec(window);
        const labels = array ? [...array[1]!.matchAll(/['"](\w+)['"]/g)].map((m) => m[1]!) : [];
        // a constructor opened shortly before the name (`new Counter({ name: …`) names the type
        const owner = constructed.filter((c) => c.at < hit.at && hit.at - c.at < 40).pop();
        const cls = owner?.cls ?? (classes.size === 1 ? [...classes][0]! : undefined);
        out.push({ name: hit.name, type: cls ? CLASSES[cls] : 'unknown', labels, file });
      });
    }
  }
  return out;
}

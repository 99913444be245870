/**
 * Just enough PromQL reading to tell which metrics, functions and labels an expression names.
 * Not a parser: strings, label sets, ranges and grouping lists are cut out first, and every
 * identifier left is a function (followed by "("), a keyword, or a metric name.
 */

const FUNCTIONS = new Set([
  // aggregations
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile',
  'limitk', 'limit_ratio',
  // functions
  'abs', 'absent', 'absent_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month',
  'day_of_week', 'day_of_year', 'days_in_month', 'delta', 'deriv', 'exp', 'floor', 'histogram_avg', 'histogram_count',
  'histogram_fraction', 'histogram_quantile', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum', 'holt_winters',
  'double_exponential_smoothing', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'ln', 'log2',
  'log10', 'minute', 'month', 'predict_linear', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc',
  'sort_by_label', 'sort_by_label_desc', 'sqrt', 'time', 'timestamp', 'vector', 'year', 'avg_over_time',
  'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time', 'mad_over_time', 'acos', 'acosh', 'asin', 'asinh',
  'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad', 'pi',
]);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

export interface Selector {
  metric: string | undefined;
  labels: string[];
}

export interface ExprNames {
  metrics: string[];
  /** identifiers called like functions that PromQL does not have */
  unknownFunctions: string[];
  selectors: Selector[];
  /** label names in by/without/on/ignoring/group_x lists */
  groupingLabels: string[];
}

/** Grafana's $var, ${var} and [[var]] become a neutral token; strings are emptied. */
export function neutralize(expr: string): string {
  return expr
    .replace(/\$\{\w+(?::\w+)?\}|\$\w+|\[\[\w+\]\]/g, 'VAR')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

export function namesIn(expr: string): ExprNames {
  let text = neutralize(expr);
  const selectors: Selector[] = [];
  for (const m of text.matchAll(/([A-Za-z_:][\w:]*)?\s*\{([^}]*)\}/g)) {
    const labels = [...(m[2] ?? '').matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!);
    selectors.push({ metric: m[1] && !FUNCTIONS.has(m[1]) && !KEYWORDS.has(m[1]) ? m[1] : undefined, labels });
  }
  text = text.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  const groupingLabels: string[] = [];
  text = text.replace(GROUPING, (_m, _kw: string, list: string) => {
    groupingLabels.push(...list.split(',').map((s) => s.trim()).filter(Boolean));
    return ' ';
  });
  const metrics = new Set<string>();
  const unknownFunctions = new Set<string>();
  // an identifier starts with a letter, _ or :, and is not the tail of a number or duration (5m, 1e3)
  for (const m of text.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const id = m[1]!;
    if (KEYWORDS.has(id.toLowerCase()) || id === 'VAR') continue;
    if (m[2]) {
      if (!FUNCTIONS.has(id)) unknownFunctions.add(id);
      continue;
    }
    metrics.add(id);
  }
  return { metrics: [...metrics], unknownFunctions: [...unknownFunctions], selectors, groupingLabels };
}

/**
 * Where a metric is used other than directly under max/min/avg (or absent), e.g. summed.
 * For gauges every replica reports alike: a sum would count them once per replica.
 */
export function unaggregatedUses(expr: string, metric: string): string[] {
  const text = neutralize(expr);
  const bad: string[] = [];
  for (const m of text.matchAll(new RegExp(`(?<![\\w:])${metric}(?![\\w:])`, 'g'))) {
    const before = text.slice(0, m.index);
    if (!/(?:max|min|avg|absent|max_over_time|min_over_time|last_over_time)\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*$/.test(before)) {
      bad.push(`${before.slice(-40)}>>${metric}`);
    }
  }
  return bad;
}

/** Grafana's label_values(metric, label) and label_values(label). */
export function labelValuesQuery(query: string): { expr: string | undefined; label: string } | undefined {
  const m = /^\s*label_values\(\s*(?:(.*),)?\s*(\w+)\s*\)\s*$/s.exec(query);
  return m ? { expr: m[1]?.trim(), label: m[2]! } : undefined;
}

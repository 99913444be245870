/**
 * Huawei VOD's wire format, and the only place that knows it: field names, the error body
 * `{error_code, error_msg}`, task ids and refresh statuses.
 */
import type { RefreshResult, RefreshStatus, RefreshTarget } from './outcome';

export interface WireError {
  code: string;
  message: string;
}

const TASK_ID = /^[0-9a-f]{32}$/i;
const STATUSES: readonly RefreshStatus[] = ['PROCESSING', 'SUCCEED', 'FAILED'];

/** One of the two fields, never both: a call refreshes either asset ids or URLs. */
export function refreshBody(target: RefreshTarget): string {
  return JSON.stringify(target.kind === 'asset_id' ? { asset_id_list: target.items } : { urls: target.items });
}

export function parseTaskId(body: string): string | undefined {
  const taskId = field(parseJson(body), 'task_id');
  return typeof taskId === 'string' && TASK_ID.test(taskId) ? taskId.toLowerCase() : undefined;
}

/** Some Huawei pages spell the gateway prefix `APIG.`: callers see one spelling, `APIGW.`. */
export function parseWireError(body: string): WireError | undefined {
  const json = parseJson(body);
  const code = field(json, 'error_code');
  const message = field(json, 'error_msg');
  if (typeof code !== 'string' || code === '') return undefined;
  return { code: code.replace(/^APIG\./, 'APIGW.'), message: typeof message === 'string' ? message : '' };
}

/** Undefined when the body is not a readable result list; statuses compare without case. */
export function parseRefreshResults(body: string): RefreshResult[] | undefined {
  const list = field(parseJson(body), 'refresh_results');
  if (!Array.isArray(list)) return undefined;
  const results: RefreshResult[] = [];
  for (const entry of list as unknown[]) {
    const url = field(entry, 'url');
    const raw = field(entry, 'status');
    const status = typeof raw === 'string' ? STATUSES.find((s) => s === raw.toUpperCase()) : undefined;
    if (typeof url !== 'string' || status === undefined) return undefined;
    results.push({ url, status });
  }
  return results;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * Huawei's wire format, and the only place that knows it: VOD's field names, the gateway's error
 * body `{error_code, error_msg}`, task ids and refresh statuses; IAM's token request and answer.
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

export interface IamCredentials {
  /** Account (domain) name. */
  domain: string;
  /** IAM user name. */
  user: string;
  password: string;
  /** Project name, i.e. the region id such as cn-north-4. */
  project: string;
}

/** POST /v3/auth/tokens: password identity, scoped to one project by name. */
export function iamTokenBody(c: IamCredentials): string {
  return JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { domain: { name: c.domain }, name: c.user, password: c.password } } },
      scope: { project: { name: c.project } },
    },
  });
}

/** `token.expires_at` (ISO 8601, IAM writes microseconds) as ms since epoch. */
export function parseTokenExpiry(body: string): number | undefined {
  const expiresAt = field(field(parseJson(body), 'token'), 'expires_at');
  const ms = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** IAM answers errors Keystone-style, `{"error": {"code": 401, "message": "..."}}`. */
export function parseIamErrorMessage(body: string): string | undefined {
  const message = field(field(parseJson(body), 'error'), 'message');
  return typeof message === 'string' && message !== '' ? message : undefined;
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

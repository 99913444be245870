/**
 * The two upstream calls, RefreshAsset and ShowRefreshResult, authenticated with an AK/SK
 * signature or an IAM token. Each call resolves to its verdict (verdict.ts) and never throws
 * for anything upstream or the network does; only a misconfiguration (bad endpoint, timeouts, no
 * credentials) throws, at creation. A rejected `getToken` propagates unchanged: it is the
 * caller's own code, and only the caller knows whether it means "credentials broken" or "try
 * later".
 */
import { classifyFailure } from './classify-response';
import { closeExchange, createExchange, send, type Answer } from './http-exchange';
import type { RefreshTarget, RetryOutcome } from './outcome';
import { signRequest } from './signer';
import { refreshVerdict, showResultVerdict, type RefreshVerdict, type ShowResultVerdict } from './verdict';
import { parseRefreshResults, parseTaskId, refreshBody } from './wire';

/** How calls authenticate: an AK/SK signature, or an IAM token sent as X-Auth-Token. */
export type VodAuth =
  | { type: 'aksk'; accessKey: string; secretKey: string }
  /** Called before every call; caching and renewal are the caller's (tokens live 24 h). */
  | { type: 'token'; getToken: () => Promise<string> };

export interface VodClientOptions {
  /** e.g. https://vod.cn-north-4.myhuaweicloud.com */
  endpoint: string;
  /** 32-hex IAM project id of the region. */
  projectId: string;
  /** Takes precedence over accessKey/secretKey when given. */
  auth?: VodAuth;
  /** AK/SK without `auth`, as before `auth` existed. */
  accessKey?: string;
  secretKey?: string;
  /** Whole call, connect to last byte (ms). */
  timeoutMs: number;
  /** TCP connect (and TLS handshake) of a new socket (ms). */
  connectTimeoutMs: number;
  /** Clock for X-Sdk-Date and Retry-After dates (ms since epoch). */
  now?: () => number;
  /** Codes this tenant's upstream uses for an exhausted daily quota; they win over the table. */
  quotaErrorCodes?: readonly string[];
}

export interface VodClient {
  refresh(target: RefreshTarget): Promise<RefreshVerdict>;
  showRefreshResult(taskId: string): Promise<ShowResultVerdict>;
  /** Closes pooled sockets; safe to call twice. */
  close(): void;
}

export function createVodClient(opts: VodClientOptions): VodClient {
  const base = new URL(opts.endpoint);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`unsupported endpoint protocol: ${base.protocol}`);
  if (!(opts.timeoutMs > 0) || !(opts.connectTimeoutMs > 0)) throw new Error('timeoutMs and connectTimeoutMs must be positive');
  const auth = resolveAuth(opts);
  const now = opts.now ?? Date.now;
  const exchange = createExchange(opts.connectTimeoutMs);
  const path = `${base.pathname.replace(/\/+$/, '')}/v1/${encodeURIComponent(opts.projectId)}/asset/refresh`;
  const classes = { quotaErrorCodes: opts.quotaErrorCodes ?? [] };

  async function call(method: 'GET' | 'POST', url: string, body: string): Promise<Answer | RetryOutcome> {
    const headers: Record<string, string> = { Host: new URL(url).host, 'X-Project-Id': opts.projectId };
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    const credentials =
      auth.type === 'token'
        ? { 'X-Auth-Token': await auth.getToken() }
        : signRequest({ method, url, headers, body, accessKey: auth.accessKey, secretKey: auth.secretKey, date: new Date(now()) });
    return send(exchange.http, { method, url, headers: { ...headers, ...credentials }, body }, opts.timeoutMs);
  }

  return {
    async refresh(target) {
      const answer = await call('POST', new URL(path, base).toString(), refreshBody(target));
      if ('type' in answer) return refreshVerdict(answer, classes);
      const taskId = answer.status >= 200 && answer.status < 300 ? parseTaskId(answer.body) : undefined;
      return refreshVerdict(taskId ? { type: 'accepted', taskId, httpStatus: answer.status } : classifyFailure(answer, now()), classes);
    },
    async showRefreshResult(taskId) {
      const url = new URL(path, base);
      url.searchParams.set('task_id', taskId);
      const answer = await call('GET', url.toString(), '');
      if ('type' in answer) return showResultVerdict(answer, classes);
      const results = answer.status >= 200 && answer.status < 300 ? parseRefreshResults(answer.body) : undefined;
      return showResultVerdict(results ? { type: 'ok', results } : classifyFailure(answer, now()), classes);
    },
    close() {
      closeExchange(exchange);
    },
  };
}

function resolveAuth(opts: VodClientOptions): VodAuth {
  if (opts.auth) return opts.auth;
  if (opts.accessKey && opts.secretKey) return { type: 'aksk', accessKey: opts.accessKey, secretKey: opts.secretKey };
  throw new Error('either auth or accessKey and secretKey must be given');
}

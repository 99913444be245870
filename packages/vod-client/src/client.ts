/**
 * The two upstream calls, RefreshAsset and ShowRefreshResult, signed with AK/SK. Each call
 * resolves to an outcome and never throws for anything upstream or the network does; only a
 * misconfiguration (bad endpoint, bad timeouts) throws, at creation.
 */
import axios, { type AxiosInstance } from 'axios';
import { createAgents } from './agents';
import { classifyNetworkError } from './classify-error';
import { classifyFailure } from './classify-response';
import type { CallOutcome, RefreshTarget, RetryOutcome, ShowResultOutcome } from './outcome';
import { signRequest } from './signer';
import { parseRefreshResults, parseTaskId, refreshBody } from './wire';

export interface VodClientOptions {
  /** e.g. https://vod.cn-north-4.myhuaweicloud.com */
  endpoint: string;
  /** 32-hex IAM project id of the region. */
  projectId: string;
  accessKey: string;
  secretKey: string;
  /** Whole call, connect to last byte (ms). */
  timeoutMs: number;
  /** TCP connect (and TLS handshake) of a new socket (ms). */
  connectTimeoutMs: number;
  /** Clock for X-Sdk-Date and Retry-After dates (ms since epoch). */
  now?: () => number;
}

export interface VodClient {
  refresh(target: RefreshTarget): Promise<CallOutcome>;
  showRefreshResult(taskId: string): Promise<ShowResultOutcome>;
  /** Closes pooled sockets; safe to call twice. */
  close(): void;
}

interface Answer {
  status: number;
  body: string;
  retryAfter: string | undefined;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export function createVodClient(opts: VodClientOptions): VodClient {
  const base = new URL(opts.endpoint);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`unsupported endpoint protocol: ${base.protocol}`);
  if (!(opts.timeoutMs > 0) || !(opts.connectTimeoutMs > 0)) throw new Error('timeoutMs and connectTimeoutMs must be positive');
  const now = opts.now ?? Date.now;
  const agents = createAgents(opts.connectTimeoutMs);
  const http = axios.create({
    httpAgent: agents.http,
    httpsAgent: agents.https,
    proxy: false, // an ambient HTTP(S)_PROXY must not reroute signed calls
    maxRedirects: 0, // a redirect would need a new signature; it is reported, not followed
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_RESPONSE_BYTES,
  });
  const path = `${base.pathname.replace(/\/+$/, '')}/v1/${encodeURIComponent(opts.projectId)}/asset/refresh`;

  async function call(method: 'GET' | 'POST', url: string, body: string): Promise<Answer | RetryOutcome> {
    const headers: Record<string, string> = { Host: new URL(url).host, 'X-Project-Id': opts.projectId };
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    const auth = signRequest({ method, url, headers, body, accessKey: opts.accessKey, secretKey: opts.secretKey, date: new Date(now()) });
    return send(http, { method, url, headers: { ...headers, ...auth }, body }, opts.timeoutMs);
  }

  return {
    async refresh(target) {
      const answer = await call('POST', new URL(path, base).toString(), refreshBody(target));
      if ('type' in answer) return answer;
      const taskId = answer.status >= 200 && answer.status < 300 ? parseTaskId(answer.body) : undefined;
      return taskId ? { type: 'accepted', taskId, httpStatus: answer.status } : classifyFailure(answer, now());
    },
    async showRefreshResult(taskId) {
      const url = new URL(path, base);
      url.searchParams.set('task_id', taskId);
      const answer = await call('GET', url.toString(), '');
      if ('type' in answer) return answer;
      const results = answer.status >= 200 && answer.status < 300 ? parseRefreshResults(answer.body) : undefined;
      return results ? { type: 'ok', results } : classifyFailure(answer, now());
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** An HTTP answer, or a retry outcome when none came. The deadline covers the whole exchange. */
async function send(
  http: AxiosInstance,
  req: { method: string; url: string; headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<Answer | RetryOutcome> {
  // axios' own `timeout` is a socket idle timeout in Node; a slow trickle would outlive it.
  const controller = new AbortController();
  const deadline = { hit: false, timeoutMs };
  const timer = setTimeout(() => {
    deadline.hit = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await http.request<string>({
      method: req.method,
      url: req.url,
      headers: req.headers,
      data: req.body === '' ? undefined : Buffer.from(req.body, 'utf8'), // the exact bytes that were signed
      signal: controller.signal,
    });
    const retryAfter = res.headers['retry-after'];
    return { status: res.status, body: typeof res.data === 'string' ? res.data : '', retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined };
  } catch (error) {
    return classifyNetworkError(error, deadline);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One HTTP exchange with an upstream (VOD or IAM): pooled keep-alive sockets with a connect
 * deadline, a total deadline over the whole exchange, no proxy and no redirects. Resolves to the
 * answer, or to a retry outcome when no answer came; never throws.
 */
import axios, { type AxiosInstance } from 'axios';
import { createAgents, type Agents } from './agents';
import { classifyNetworkError } from './classify-error';
import type { RetryOutcome } from './outcome';

export interface Answer {
  status: number;
  body: string;
  retryAfter: string | undefined;
  /** String-valued response headers, names lower-cased. */
  headers: Readonly<Record<string, string>>;
}

export interface Exchange {
  http: AxiosInstance;
  agents: Agents;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export function createExchange(connectTimeoutMs: number): Exchange {
  const agents = createAgents(connectTimeoutMs);
  const http = axios.create({
    httpAgent: agents.http,
    httpsAgent: agents.https,
    proxy: false, // an ambient HTTP(S)_PROXY must not reroute signed or credential-bearing calls
    maxRedirects: 0, // a redirect would need a new signature; it is reported, not followed
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_RESPONSE_BYTES,
  });
  return { http, agents };
}

export function closeExchange(exchange: Exchange): void {
  exchange.agents.http.destroy();
  exchange.agents.https.destroy();
}

/** An HTTP answer, or a retry outcome when none came. The deadline covers the whole exchange. */
export async function send(
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
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
    return { status: res.status, body: typeof res.data === 'string' ? res.data : '', retryAfter: headers['retry-after'], headers };
  } catch (error) {
    return classifyNetworkError(error, deadline);
  } finally {
    clearTimeout(timer);
  }
}

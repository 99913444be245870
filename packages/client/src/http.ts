import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance } from 'axios';
import { RefreshApiError, RefreshNetworkError, apiError } from './errors';

export interface HttpOptions {
  baseUrl: string;
  apiKey: string;
  /** ms one attempt may take, from connecting to the whole answer; uploads get no limit */
  timeoutMs: number;
  /** attempts after the first, for calls that may be repeated */
  retries: number;
  /** first backoff in ms; doubles per attempt (full jitter), capped at 5 s */
  retryBaseMs: number;
}

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** Makes the body for one attempt. */
  body?: () => unknown;
  /**
   * Whether a failed attempt may be sent again: true for GETs and for POSTs whose body can be
   * made again and that carry an Idempotency-Key (the service answers a repeat with the first
   * request). A streamed upload is consumed by its first attempt, so it is never repeated.
   */
  repeatable: boolean;
  /** false for uploads: a large body may take longer than any fixed timeout to send */
  timeout?: boolean;
  signal?: AbortSignal;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const MAX_DELAY_MS = 5_000;
/** a Retry-After longer than this is not waited for: the caller decides, with the error's hint */
const MAX_RETRY_AFTER_MS = 30_000;

/** Transport for RefreshClient: axios, typed errors, and retries for repeatable calls. */
export class Http {
  private readonly axios: AxiosInstance;

  constructor(private readonly opts: HttpOptions) {
    this.axios = axios.create({
      baseURL: opts.baseUrl.replace(/\/+$/, ''),
      headers: { authorization: `Bearer ${opts.apiKey}`, accept: 'application/json' },
      // every status is an answer to classify here, not an exception thrown by axios
      validateStatus: () => true,
      // without redirects axios uses node's http directly; follow-redirects would keep a copy of
      // every uploaded byte in memory, to be able to send it again
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });
  }

  async send<T>(call: Call): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let failure: RefreshApiError | RefreshNetworkError;
      try {
        const res = await this.axios.request({
          method: call.method,
          url: call.path,
          params: call.query,
          headers: call.headers,
          data: call.body?.(),
          timeout: call.timeout === false ? 0 : this.opts.timeoutMs,
          signal: call.signal,
        });
        if (res.status >= 200 && res.status < 300) return res.data as T;
        failure = apiError(res.status, res.data, {
          retryAfter: header(res.headers['retry-after']),
          requestId: header(res.headers['x-request-id']),
        });
      } catch (err) {
        if (call.signal?.aborted) throw call.signal.reason;
        failure = networkError(err, !call.repeatable);
      }
      // a Retry-After longer than we would wait (a backlog full until the budget resets) is an answer, not a hiccup
      const waitsTooLong = failure instanceof RefreshApiError && (failure.retryAfterSeconds ?? 0) * 1000 > MAX_RETRY_AFTER_MS;
      const retryable = (failure instanceof RefreshNetworkError || RETRY_STATUSES.has(failure.status)) && !waitsTooLong;
      if (!call.repeatable || !retryable || attempt >= this.opts.retries) throw failure;
      await sleep(this.delayMs(attempt, failure), undefined, { signal: call.signal });
    }
  }

  private delayMs(attempt: number, failure: RefreshApiError | RefreshNetworkError): number {
    const backoff = Math.random() * Math.min(MAX_DELAY_MS, this.opts.retryBaseMs * 2 ** attempt);
    const hinted = failure instanceof RefreshApiError && failure.retryAfterSeconds !== undefined
      ? Math.min(MAX_RETRY_AFTER_MS, failure.retryAfterSeconds * 1000)
      : 0;
    return Math.max(backoff, hinted);
  }
}

function header(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function networkError(err: unknown, upload: boolean): RefreshNetworkError {
  if (axios.isAxiosError(err)) {
    const what = err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' ? 'timed out' : err.message;
    // The service answers a refusal at once and reads on (discarding) for a while before it
    // closes, so a refusal reaches this client as a 4xx. A reset mid-upload means it went on
    // sending past that bound, or something between cut it: a proxy's own size limit, most often.
    const hint = upload && (err.code === 'EPIPE' || err.code === 'ECONNRESET')
      ? ' (the connection closed while the upload was being sent: the body may be over a size limit)'
      : '';
    return new RefreshNetworkError(`no answer from the refresh service: ${what}${hint}`, err.code, { cause: err });
  }
  // not a transport failure: a bug in this client, or a failing body stream; let it surface
  throw err;
}

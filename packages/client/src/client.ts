import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RefreshWaitTimeoutError } from './errors';
import { Http } from './http';
import type { BudgetView, ItemView, ItemsPage, Priority, RefreshAccepted, RequestView, SpendView } from './types';
import { uploadBody, type SubmitItems } from './upload';

export interface RefreshClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  apiKey: string;
  /** ms one call may take (uploads excepted); default 30,000 */
  timeoutMs?: number;
  /** retries of a call that may be repeated, on a network error, 429 or 502-504; default 3 */
  retries?: number;
  /** first retry backoff in ms, doubling; default 250 */
  retryBaseMs?: number;
}

export interface SubmitOptions {
  priority?: Priority;
  /**
   * The service answers a repeat of the same key and body with the first request. One is made
   * for every submit that has none, so the client's own retries can never queue a request twice.
   */
  idempotencyKey?: string;
  /** where the service should POST the request's outcome, for services that support it */
  callbackUrl?: string;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** ms between looks; default 1,000 */
  intervalMs?: number;
  /** give up with RefreshWaitTimeoutError after this many ms; default: wait for ever */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** called with every view seen, the last (completed) one included */
  onProgress?: (view: RequestView) => void;
}

/** A client of the refresh service's HTTP API; answers are typed from its OpenAPI document. */
export class RefreshClient {
  private readonly http: Http;

  constructor(opts: RefreshClientOptions) {
    this.http = new Http({
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      timeoutMs: opts.timeoutMs ?? 30_000,
      retries: opts.retries ?? 3,
      retryBaseMs: opts.retryBaseMs ?? 250,
    });
  }

  /** Queues items for `tenant`; resolves once the service has durably queued the request. */
  submit(tenant: string, items: SubmitItems, opts: SubmitOptions = {}): Promise<RefreshAccepted> {
    const extra = { priority: opts.priority, callback_url: opts.callbackUrl };
    const body = uploadBody(items, extra);
    return this.http.send<RefreshAccepted>({
      method: 'POST',
      path: `/v1/tenants/${encodeURIComponent(tenant)}/refresh-requests`,
      query: body.json ? undefined : extra,
      headers: { 'content-type': body.contentType, 'idempotency-key': opts.idempotencyKey ?? randomUUID() },
      body: body.make,
      repeatable: body.repeatable,
      timeout: false,
      signal: opts.signal,
    });
  }

  get(requestId: string, opts: { signal?: AbortSignal } = {}): Promise<RequestView> {
    return this.http.send<RequestView>({ method: 'GET', path: requestPath(requestId), repeatable: true, signal: opts.signal });
  }

  /** Every unique item of the request, in order of first appearance, a page at a time. */
  async *items(requestId: string, opts: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<ItemView> {
    let cursor: string | null = '0';
    while (cursor !== null) {
      const page: ItemsPage = await this.http.send<ItemsPage>({
        method: 'GET',
        path: `${requestPath(requestId)}/items`,
        query: { cursor, limit: String(opts.pageSize ?? 500) },
        repeatable: true,
        signal: opts.signal,
      });
      yield* page.items;
      cursor = page.next_cursor;
    }
  }

  /** Polls the request until its status is `completed` (every item final) and resolves with that view. */
  async waitFor(requestId: string, opts: WaitOptions = {}): Promise<RequestView> {
    const interval = opts.intervalMs ?? 1_000;
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    let last: RequestView | undefined;
    for (;;) {
      last = await this.get(requestId, { signal: opts.signal });
      opts.onProgress?.(last);
      if (last.status === 'completed') return last;
      const left = deadline - Date.now();
      if (left <= 0) throw new RefreshWaitTimeoutError(requestId, last, opts.timeoutMs ?? 0);
      await sleep(Math.min(interval, left), undefined, { signal: opts.signal });
    }
  }

  budget(tenant: string, opts: { signal?: AbortSignal } = {}): Promise<BudgetView> {
    return this.http.send<BudgetView>({
      method: 'GET',
      path: `/v1/tenants/${encodeURIComponent(tenant)}/budget`,
      repeatable: true,
      signal: opts.signal,
    });
  }

  /** The spend ledger of budget days `from`..`to` (YYYY-MM-DD in the tenant's zone; default today). */
  spend(tenant: string, opts: { from?: string; to?: string; signal?: AbortSignal } = {}): Promise<SpendView> {
    const query = new URLSearchParams();
    if (opts.from) query.set('from', opts.from);
    if (opts.to) query.set('to', opts.to);
    const q = query.size ? `?${query.toString()}` : '';
    return this.http.send<SpendView>({
      method: 'GET',
      path: `/v1/tenants/${encodeURIComponent(tenant)}/spend${q}`,
      repeatable: true,
      signal: opts.signal,
    });
  }
}

const requestPath = (requestId: string) => `/v1/refresh-requests/${encodeURIComponent(requestId)}`;

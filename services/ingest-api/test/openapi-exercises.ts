import { createHash } from 'node:crypto';
import type { TenantGate } from '@refresh/store';
import type { OperationKey } from './contract';
import { KEYS, bearer, postJson, postText, type TestApi } from './helpers';

/** What an exercise may use: a working API, one whose Redis is unreachable, and helpers. */
export interface ExerciseContext {
  t: TestApi;
  /** the same config, but Redis never answers: every storage read is a 503 */
  down: { url: string };
  gate: TenantGate;
  now: number;
  /** a request accepted for tenant `news`, made once by the suite */
  requestId: string;
  get(base: string, path: string, key?: string | null): Promise<Response>;
}

/**
 * One real HTTP exchange whose answer the contract must describe. `operation` is the
 * document's (path template, method); `status` the answer expected. Every operation of the
 * document needs at least one row, or the coverage test fails: a new endpoint adds its rows here.
 */
export interface Exercise {
  when: string;
  operation: OperationKey;
  status: number;
  send(c: ExerciseContext): Promise<Response>;
}

const SUBMIT: OperationKey = 'POST /v1/tenants/{tenant}/refresh-requests';
const STATUS: OperationKey = 'GET /v1/refresh-requests/{request_id}';
const ITEMS: OperationKey = 'GET /v1/refresh-requests/{request_id}/items';
const BUDGET: OperationKey = 'GET /v1/tenants/{tenant}/budget';
const SPEND: OperationKey = 'GET /v1/tenants/{tenant}/spend';
const CANCEL: OperationKey = 'POST /v1/admin/refresh-requests/{request_id}/cancel';
const REQUEUE: OperationKey = 'POST /v1/admin/refresh-requests/{request_id}/requeue-failed';
const ADMIN_KEY = 'admin-key-for-the-contract';
export const ADMIN_KEY_SHA256 = createHash('sha256').update(ADMIN_KEY).digest('hex');

/** an admin action on a request, with the admin key unless told otherwise */
const act = (base: string, requestId: string, action: 'cancel' | 'requeue-failed', key: string | null = ADMIN_KEY) =>
  fetch(`${base}/v1/admin/refresh-requests/${requestId}/${action}`, { method: 'POST', headers: key === null ? {} : bearer(key) });

/** a fresh request of tenant news, so an admin action changes nothing the other exercises read */
async function freshRequest(c: ExerciseContext): Promise<string> {
  const res = await postJson(c.t, 'news', { asset_ids: [`admin-${Math.random().toString(36).slice(2)}`] });
  return ((await res.json()) as { request_id: string }).request_id;
}
const DROP_IN_POST: OperationKey = 'POST /v1/{project_id}/asset/refresh';
const DROP_IN_GET: OperationKey = 'GET /v1/{project_id}/asset/refresh';

/** a VOD-style call to the drop-in endpoint with the caller's key as X-Auth-Token */
const dropIn = (base: string, project: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/${project}/asset/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': KEYS.cms, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Runs `send` while tenant news's backlog counts as full (the default cap is 5,000,000 items). */
async function withFullBacklog(c: ExerciseContext, send: () => Promise<Response>): Promise<Response> {
  const staged = c.t.keys('news').staged;
  await c.t.redis.set(staged, 5_000_000);
  try {
    return await send();
  } finally {
    await c.t.redis.del(staged);
  }
}

const pause = (now: number) => ({
  reason: 'credentials' as const,
  code: 'APIGW.0301',
  message: 'Incorrect IAM authentication information',
  since: now - 60_000,
  probeAt: now + 840_000,
});

export const EXERCISES: Exercise[] = [
  // submitting
  { when: 'a JSON request is accepted', operation: SUBMIT, status: 202,
    send: ({ t }) => postJson(t, 'news', { asset_ids: ['ok1'], urls: ['https://cdn.example.com/a.mp4'], priority: 'high' }) },
  { when: 'a text/plain upload is accepted', operation: SUBMIT, status: 202,
    send: ({ t }) => postText(t, 'news', 'ok2\nhttps://cdn.example.com/b.mp4\n', '?priority=low') },
  { when: 'an Idempotency-Key is repeated with the same body', operation: SUBMIT, status: 202,
    send: async ({ t }) => {
      await postJson(t, 'news', { asset_ids: ['idem1'] }, { 'idempotency-key': 'k-same' });
      return postJson(t, 'news', { asset_ids: ['idem1'] }, { 'idempotency-key': 'k-same' });
    } },
  { when: 'the body has an unknown field', operation: SUBMIT, status: 400,
    send: ({ t }) => postJson(t, 'news', { asset_ids: ['x'], colour: 'red' }) },
  { when: 'the body has a field of the wrong type', operation: SUBMIT, status: 400,
    send: ({ t }) => postJson(t, 'news', { urls: 'https://cdn.example.com/a.mp4', priority: 'urgent' }) },
  { when: 'the body is not JSON', operation: SUBMIT, status: 400, send: ({ t }) => postJson(t, 'news', '{"asset_ids": [') },
  { when: 'an item is not valid', operation: SUBMIT, status: 400,
    send: ({ t }) => postJson(t, 'news', { asset_ids: ['has space'], urls: ['ftp://x/y'] }) },
  { when: 'the request has no items', operation: SUBMIT, status: 400, send: ({ t }) => postJson(t, 'news', {}) },
  { when: 'a text upload has a bad priority', operation: SUBMIT, status: 400, send: ({ t }) => postText(t, 'news', 'a1\n', '?priority=urgent') },
  { when: 'no API key is sent', operation: SUBMIT, status: 401, send: ({ t }) => postJson(t, 'news', { asset_ids: ['a'] }, { authorization: '' }) },
  { when: "the tenant is not the caller's", operation: SUBMIT, status: 404, send: ({ t }) => postJson(t, 'sports', { asset_ids: ['a'] }) },
  { when: 'the tenant is unknown', operation: SUBMIT, status: 404, send: ({ t }) => postJson(t, 'weather', { asset_ids: ['a'] }) },
  { when: 'an Idempotency-Key is reused with another body', operation: SUBMIT, status: 409,
    send: async ({ t }) => {
      await postJson(t, 'news', { asset_ids: ['c1'] }, { 'idempotency-key': 'k-conflict' });
      return postJson(t, 'news', { asset_ids: ['c2'] }, { 'idempotency-key': 'k-conflict' });
    } },
  { when: 'the JSON body is over the cap', operation: SUBMIT, status: 413,
    send: ({ t }) => postJson(t, 'news', { asset_ids: Array.from({ length: 400 }, (_, i) => `big-${i}`) }) },
  { when: 'the media type is not accepted', operation: SUBMIT, status: 415,
    send: ({ t }) => fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST', headers: { 'content-type': 'application/xml', ...bearer(KEYS.cms) }, body: '<a/>',
    }) },
  { when: "the tenant's backlog is at its cap", operation: SUBMIT, status: 429,
    send: (c) => withFullBacklog(c, () => postJson(c.t, 'news', { asset_ids: ['full'] })) },
  { when: 'Redis is unreachable', operation: SUBMIT, status: 503,
    send: ({ down }) => fetch(`${down.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...bearer(KEYS.cms) }, body: JSON.stringify({ asset_ids: ['a'] }),
    }) },

  // reading a request
  { when: 'a request is read', operation: STATUS, status: 200, send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}`) },
  { when: 'a request is read without a key', operation: STATUS, status: 401, send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}`, null) },
  { when: "another caller reads a request", operation: STATUS, status: 404,
    send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}`, KEYS.sportsDesk) },
  { when: 'a request is read while Redis is unreachable', operation: STATUS, status: 503,
    send: (c) => c.get(c.down.url, `/v1/refresh-requests/${c.requestId}`) },

  // its items
  { when: "a request's items are listed", operation: ITEMS, status: 200, send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}/items?limit=5`) },
  { when: 'the items query is out of range', operation: ITEMS, status: 400, send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}/items?limit=0`) },
  { when: 'the items query has an unknown field', operation: ITEMS, status: 400, send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}/items?page=2`) },
  { when: 'items are listed without a key', operation: ITEMS, status: 401, send: (c) => c.get(c.t.url, `/v1/refresh-requests/${c.requestId}/items`, null) },
  { when: 'items of an unknown request are listed', operation: ITEMS, status: 404, send: (c) => c.get(c.t.url, `/v1/refresh-requests/news.${'0'.repeat(16)}/items`) },
  { when: 'items are listed while Redis is unreachable', operation: ITEMS, status: 503, send: (c) => c.get(c.down.url, `/v1/refresh-requests/${c.requestId}/items`) },

  // the budget
  { when: 'the budget is read', operation: BUDGET, status: 200, send: (c) => c.get(c.t.url, '/v1/tenants/news/budget') },
  { when: 'the budget of a paused tenant is read', operation: BUDGET, status: 200,
    send: async (c) => {
      await c.gate.pause('news', pause(c.now));
      try {
        return await c.get(c.t.url, '/v1/tenants/news/budget');
      } finally {
        await c.t.redis.del(c.t.keys('news').pause);
      }
    } },
  { when: 'the budget of a throttled tenant is read', operation: BUDGET, status: 200,
    send: async (c) => {
      await c.gate.throttle('news', c.now + 30_000);
      try {
        return await c.get(c.t.url, '/v1/tenants/news/budget');
      } finally {
        await c.t.redis.del(c.t.keys('news').throttle);
      }
    } },
  { when: 'the budget is read without a key', operation: BUDGET, status: 401, send: (c) => c.get(c.t.url, '/v1/tenants/news/budget', null) },
  { when: "another tenant's budget is read", operation: BUDGET, status: 404, send: (c) => c.get(c.t.url, '/v1/tenants/sports/budget') },
  { when: 'an unknown tenant budget is read', operation: BUDGET, status: 404, send: (c) => c.get(c.t.url, '/v1/tenants/weather/budget') },
  { when: 'the budget is read while Redis is unreachable', operation: BUDGET, status: 503, send: (c) => c.get(c.down.url, '/v1/tenants/news/budget') },
  { when: 'the spend ledger is read', operation: SPEND, status: 200, send: (c) => c.get(c.t.url, '/v1/tenants/news/spend?from=2026-01-01&to=2026-01-03') },
  { when: 'the spend ledger is read as CSV', operation: SPEND, status: 200,
    send: (c) => fetch(`${c.t.url}/v1/tenants/news/spend`, { headers: { ...bearer(KEYS.cms), accept: 'text/csv' } }) },
  { when: 'the spend ledger is read for a range that is not one', operation: SPEND, status: 400, send: (c) => c.get(c.t.url, '/v1/tenants/news/spend?from=2026-02-01&to=2026-01-01') },
  { when: 'the spend ledger is read without a key', operation: SPEND, status: 401, send: (c) => c.get(c.t.url, '/v1/tenants/news/spend', null) },
  { when: 'the spend ledger is read while Redis is unreachable', operation: SPEND, status: 503, send: (c) => c.get(c.down.url, '/v1/tenants/news/spend') },

  // the drop-in endpoint: VOD's path and body
  { when: "VOD's body is posted to the drop-in endpoint", operation: DROP_IN_POST, status: 202,
    send: (c) => dropIn(c.t.url, 'p1', { asset_id_list: ['d1'], urls: ['https://cdn.example.com/d.mp4'] }) },
  { when: 'the drop-in body has a field VOD does not have', operation: DROP_IN_POST, status: 400,
    send: (c) => dropIn(c.t.url, 'p1', { asset_ids: ['d1'] }) },
  { when: 'the drop-in call has no key', operation: DROP_IN_POST, status: 401,
    send: (c) => dropIn(c.t.url, 'p1', { asset_id_list: ['d1'] }, { 'x-auth-token': '' }) },
  { when: "the drop-in project is another caller's", operation: DROP_IN_POST, status: 404,
    send: (c) => dropIn(c.t.url, 'p2', { asset_id_list: ['d1'] }) },
  { when: 'the drop-in project is unknown', operation: DROP_IN_POST, status: 404,
    send: (c) => dropIn(c.t.url, 'nope', { asset_id_list: ['d1'] }) },
  { when: 'an Idempotency-Key is reused on the drop-in endpoint with another body', operation: DROP_IN_POST, status: 409,
    send: async (c) => {
      await dropIn(c.t.url, 'p1', { asset_id_list: ['e1'] }, { 'idempotency-key': 'k-drop' });
      return dropIn(c.t.url, 'p1', { asset_id_list: ['e2'] }, { 'idempotency-key': 'k-drop' });
    } },
  { when: 'the drop-in body is over the cap', operation: DROP_IN_POST, status: 413,
    send: (c) => dropIn(c.t.url, 'p1', { asset_id_list: Array.from({ length: 400 }, (_, i) => `big-${i}`) }) },
  { when: 'the drop-in body is not JSON', operation: DROP_IN_POST, status: 415,
    send: (c) => fetch(`${c.t.url}/v1/p1/asset/refresh`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-auth-token': KEYS.cms }, body: 'a1\n' }) },
  { when: "the drop-in tenant's backlog is at its cap", operation: DROP_IN_POST, status: 429,
    send: (c) => withFullBacklog(c, () => dropIn(c.t.url, 'p1', { asset_id_list: ['full'] })) },
  { when: 'the drop-in endpoint is called while Redis is unreachable', operation: DROP_IN_POST, status: 503,
    send: (c) => dropIn(c.down.url, 'p1', { asset_id_list: ['d1'] }) },
  { when: "a task's results are read in VOD's shape", operation: DROP_IN_GET, status: 200,
    send: (c) => c.get(c.t.url, `/v1/p1/asset/refresh?task_id=${c.requestId}`) },
  { when: 'results are asked for without a task_id', operation: DROP_IN_GET, status: 400, send: (c) => c.get(c.t.url, '/v1/p1/asset/refresh') },
  { when: 'results are read without a key', operation: DROP_IN_GET, status: 401,
    send: (c) => c.get(c.t.url, `/v1/p1/asset/refresh?task_id=${c.requestId}`, null) },
  { when: 'results of an unknown task are read', operation: DROP_IN_GET, status: 400,
    send: (c) => c.get(c.t.url, '/v1/p1/asset/refresh?task_id=news.0123456789abcdef') },
  { when: 'results are read while Redis is unreachable', operation: DROP_IN_GET, status: 503,
    send: (c) => c.get(c.down.url, `/v1/p1/asset/refresh?task_id=${c.requestId}`) },

  // admin actions
  { when: "an admin cancels a request's pending items", operation: CANCEL, status: 200,
    send: async (c) => act(c.t.url, await freshRequest(c), 'cancel') },
  { when: 'a cancel comes without the admin key', operation: CANCEL, status: 401,
    send: async (c) => act(c.t.url, c.requestId, 'cancel', null) },
  { when: 'a cancel comes with a caller key instead of the admin key', operation: CANCEL, status: 401,
    send: async (c) => act(c.t.url, c.requestId, 'cancel', KEYS.cms) },
  { when: 'an unknown request is canceled', operation: CANCEL, status: 404,
    send: (c) => act(c.t.url, 'news.0123456789abcdef', 'cancel') },
  { when: 'a cancel comes while Redis is unreachable', operation: CANCEL, status: 503,
    send: (c) => act(c.down.url, c.requestId, 'cancel') },
  { when: "an admin requeues a request's failed items", operation: REQUEUE, status: 200,
    send: async (c) => act(c.t.url, await freshRequest(c), 'requeue-failed') },
  { when: 'a requeue comes without the admin key', operation: REQUEUE, status: 401,
    send: (c) => act(c.t.url, c.requestId, 'requeue-failed', null) },
  { when: 'an unknown request is requeued', operation: REQUEUE, status: 404,
    send: (c) => act(c.t.url, 'news.0123456789abcdef', 'requeue-failed') },
  { when: 'a canceled request is requeued', operation: REQUEUE, status: 409,
    send: async (c) => {
      const id = await freshRequest(c);
      await act(c.t.url, id, 'cancel');
      return act(c.t.url, id, 'requeue-failed');
    } },
  { when: 'a requeue comes while Redis is unreachable', operation: REQUEUE, status: 503,
    send: (c) => act(c.down.url, c.requestId, 'requeue-failed') },

  // probes, metrics, the document itself
  { when: 'liveness is probed', operation: 'GET /healthz', status: 200, send: (c) => c.get(c.t.url, '/healthz', null) },
  { when: 'readiness is probed', operation: 'GET /readyz', status: 200, send: (c) => c.get(c.t.url, '/readyz', null) },
  { when: 'readiness is probed while a tenant is paused', operation: 'GET /readyz', status: 200,
    send: async (c) => {
      await c.gate.pause('news', pause(c.now));
      try {
        return await c.get(c.t.url, '/readyz', null);
      } finally {
        await c.t.redis.del(c.t.keys('news').pause);
      }
    } },
  { when: 'readiness is probed while Redis is unreachable', operation: 'GET /readyz', status: 503, send: (c) => c.get(c.down.url, '/readyz', null) },
  { when: 'metrics are scraped', operation: 'GET /metrics', status: 200, send: (c) => c.get(c.t.url, '/metrics', null) },
  { when: 'the document is fetched', operation: 'GET /openapi.json', status: 200, send: (c) => c.get(c.t.url, '/openapi.json', null) },
  { when: 'the docs page is fetched', operation: 'GET /docs', status: 200, send: (c) => c.get(c.t.url, '/docs', null) },
];

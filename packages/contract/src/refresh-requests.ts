import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { bearerSecurity, errorResponses, isoTime, requestIdParam, tenantParam } from './common';

export const priority = z.enum(['high', 'normal', 'low']).meta({ id: 'Priority', description: 'dispatch order; FIFO within a priority' });

/** Checked against the caller's webhook allowlist by the API (400 when not allowed). */
const callbackUrl = z.string().meta({
  description: "POSTed a signed summary once every item is final; its host must be in the caller's webhook allowlist",
});

/** A scheduled refresh: none of the request's items is sent before this instant. */
const notBefore = isoTime.meta({
  description:
    'RFC 3339 instant before which none of the items is sent (an embargoed publish); they go out within lingerMs + 1 s after it when budget allows. ' +
    'In the past or more than 30 days ahead: 400',
  example: '2026-12-05T18:00:00+08:00',
});

/** The JSON form of a refresh request. Unknown fields are refused, not ignored. */
export const refreshRequestBody = z
  .strictObject({
    asset_ids: z.array(z.string()).optional().meta({ description: 'VOD media asset ids' }),
    urls: z.array(z.string()).optional().meta({ description: 'absolute http(s) URLs, at most 10,240 characters each' }),
    priority: priority.optional(),
    callback_url: callbackUrl.optional(),
    not_before: notBefore.optional(),
  })
  .meta({ id: 'RefreshRequestBody' });
export type RefreshRequestBody = z.infer<typeof refreshRequestBody>;

/** Query of a text/plain upload (one item a line). */
export const textUploadQuery = z.object({ priority: priority.default('normal'), callback_url: callbackUrl.optional(), not_before: notBefore.optional() });

/**
 * The completion estimate (estimateCompletion in @refresh/core): from the request's place in its
 * tenant's queues, the budget left today, the daily limit and the tenant's pace. Higher-priority
 * requests that arrive later push it back.
 */
export const completionEstimate = {
  estimated_completion_at: isoTime.nullable().meta({
    description:
      "when every item should have gone out and got VOD's verdict, counting the tenant's items that go before them, the budget left today and the daily limit; " +
      'null when nothing is left to wait for, or while sending for the tenant is paused (nothing can be promised)',
  }),
  budget_days_needed: z.number().int().min(1).nullable().meta({
    description: 'budget days the items need, counting today as 1; more than 1 means they wait for later local midnights. null when nothing is left to wait for',
  }),
};

export const refreshAccepted = z
  .object({
    request_id: z.string(),
    status_url: z.string().meta({ description: 'path of the request status' }),
    received: z.number().int().meta({ description: 'items received, duplicates included' }),
    ...completionEstimate,
  })
  .meta({ id: 'RefreshAccepted' });
export type RefreshAccepted = z.infer<typeof refreshAccepted>;

export const requestStatus = z.enum(['accepted', 'in_progress', 'completed']).meta({ id: 'RequestStatus' });
export const itemState = z
  .enum(['pending', 'deferred', 'in_flight', 'submitted', 'completed', 'failed', 'unknown', 'canceled', 'expired'])
  .meta({ id: 'ItemState' });

export const requestCounts = z.object({
  pending: z.number().int(),
  deferred: z.number().int().meta({
    description: "waiting for the budget reset (next_attempt_at): pending while the tenant's budget for today is spent, or claimed into a batch that must wait for the next budget day",
  }),
  in_flight: z.number().int().meta({ description: 'claimed into a batch that is being sent or retried' }),
  submitted: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  unknown: z.number().int(),
  canceled: z.number().int().meta({ description: 'pending items an admin canceled: never sent, final' }),
});

export const requestView = z
  .object({
    request_id: z.string(),
    tenant: z.string(),
    priority,
    created_at: isoTime,
    status: requestStatus,
    counts: requestCounts.meta({ description: 'unique items by state' }),
    task_ids: z.array(z.string()).meta({ description: "VOD's task ids for this request's items (the first 1,000)" }),
    received: z.number().int().meta({ description: 'lines received, duplicates included' }),
    ingested: z.number().int().meta({
      description:
        'lines coalesced into the queues so far, duplicates included; it reaches `received` once the whole request is read. ' +
        'Lines not coalesced yet count as pending: received − ingested tells "still being read" from "queued"',
    }),
    next_attempt_at: isoTime.optional().meta({
      description: 'when waiting items can move again: the budget reset for deferred items, the reserve release, or not_before for a request not yet due',
    }),
    not_before: isoTime.optional().meta({ description: 'the request was scheduled: nothing of it is sent before this instant' }),
    ...completionEstimate,
    canceled_at: isoTime.optional().meta({ description: 'when an admin canceled the request' }),
  })
  .meta({ id: 'RequestView' });
export type RequestView = z.infer<typeof requestView>;

export const itemView = z
  .object({
    kind: z.enum(['asset_id', 'url']),
    value: z.string(),
    state: itemState,
    task_id: z.string().optional(),
    submitted_at: isoTime.optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: "VOD's reason for a failed item" }),
    next_attempt_at: isoTime.optional().meta({
      description: 'a pending item held by the hot-item debounce (asked for again within minRefreshIntervalMs of its last send): when it goes, once for every request that asked meanwhile',
    }),
    covered_by: z.object({ asset_id: z.string() }).optional().meta({
      description: "a URL refreshed by its asset's refresh (the tenant's assetIdFromUrl): one unit for every waiting URL of the asset; its state and task_id are those of that call, verified against the URLs VOD reports",
    }),
  })
  .meta({ id: 'ItemView' });
export type ItemView = z.infer<typeof itemView>;

export const itemsQuery = z.strictObject({
  cursor: z.string().regex(/^\d{1,15}$/, 'cursor must be a value returned as next_cursor').default('0').transform(Number)
    .meta({ description: 'next_cursor of the previous page' }),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be an integer from 1 to 1000')
    .default('100')
    .transform(Number)
    .pipe(z.number().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000'))
    .meta({ description: 'items per page, 1..1000' }),
});

export const itemsPage = z
  .object({ items: z.array(itemView), next_cursor: z.string().nullable().meta({ description: 'null on the last page' }) })
  .meta({ id: 'ItemsPage' });
export type ItemsPage = z.infer<typeof itemsPage>;

export const refreshRequestPaths: ZodOpenApiPathsObject = {
  '/v1/tenants/{tenant}/refresh-requests': {
    post: {
      operationId: 'submitRefreshRequest',
      summary: 'Queue items for refresh',
      description:
        'Validates every item and queues the request. Any bad item refuses the whole request (400 listing up to 100 problems) and nothing is queued. ' +
        'Send application/json, or text/plain with one asset id or URL a line (streamed, any size).',
      security: bearerSecurity,
      requestParams: {
        path: z.object({ tenant: tenantParam }),
        query: z.object({
          priority: priority.optional().meta({ description: 'text/plain uploads only' }),
          callback_url: callbackUrl.optional().meta({ description: 'text/plain uploads only: as callback_url in the JSON body' }),
          not_before: notBefore.optional().meta({ description: 'text/plain uploads only: as not_before in the JSON body' }),
        }),
        header: z.object({
          'idempotency-key': z.string().optional().meta({ description: 'a retry with the same key and body answers with the first request' }),
        }),
      },
      requestBody: {
        content: {
          'application/json': { schema: refreshRequestBody },
          'text/plain': { schema: z.string().meta({ description: 'one item a line' }) },
        },
      },
      responses: {
        '202': {
          description: 'queued',
          headers: z.object({ location: z.string().meta({ description: 'the status URL' }) }),
          content: { 'application/json': { schema: refreshAccepted } },
        },
        ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503),
      },
    },
  },
  '/v1/refresh-requests/{request_id}': {
    get: {
      operationId: 'getRefreshRequest',
      summary: 'What became of a request',
      security: bearerSecurity,
      requestParams: { path: z.object({ request_id: requestIdParam }) },
      responses: {
        '200': { description: 'the request', content: { 'application/json': { schema: requestView } } },
        ...errorResponses(401, 404, 429, 503),
      },
    },
  },
  '/v1/refresh-requests/{request_id}/items': {
    get: {
      operationId: 'listRefreshRequestItems',
      summary: "A page of the request's unique items, in order of first appearance",
      security: bearerSecurity,
      requestParams: { path: z.object({ request_id: requestIdParam }), query: itemsQuery },
      responses: {
        '200': { description: 'a page of items', content: { 'application/json': { schema: itemsPage } } },
        ...errorResponses(400, 401, 404, 429, 503),
      },
    },
  },
};

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses, requestIdParam } from './common';
import { requestCounts, requestStatus } from './refresh-requests';

/**
 * Operators' actions on a request, behind the admin key (config `admin.apiKeySha256`), not a
 * caller's key: they act on any tenant's requests. Without an admin key configured these routes
 * do not exist (404, as the queue UI).
 */
export const adminBearerSecurity = [{ adminBearer: [] as string[] }];

const counts = requestCounts.meta({ description: "the request's unique items by state, after the action" });

export const cancelResult = z
  .object({
    request_id: z.string(),
    tenant: z.string(),
    canceled: z.number().int().meta({ description: 'pending items canceled by this call: never sent, no budget spent' }),
    kept_shared: z.number().int().meta({
      description:
        'pending items another request still wants: they stay pending and are sent once for it, and they still count ' +
        'as pending for this request too, which completes when they end',
    }),
    not_ingested: z.number().int().meta({ description: 'lines of a request still being coalesced that never will be (duplicates included)' }),
    status: requestStatus,
    counts,
  })
  .meta({ id: 'CancelResult' });
export type CancelResultBody = z.infer<typeof cancelResult>;

export const requeueResult = z
  .object({
    request_id: z.string(),
    tenant: z.string(),
    requeued: z.number().int().meta({ description: 'failed items made pending again by this call, as new attempts' }),
    status: requestStatus,
    counts,
  })
  .meta({ id: 'RequeueResult' });
export type RequeueResultBody = z.infer<typeof requeueResult>;

export const adminPaths: ZodOpenApiPathsObject = {
  '/v1/admin/refresh-requests/{request_id}/cancel': {
    post: {
      operationId: 'cancelRefreshRequest',
      summary: "Cancel a request's items that are still pending",
      description:
        'Pending items no other request wants are canceled (never sent, no budget spent); shared ones stay pending. ' +
        'Items in flight, submitted or final are left alone. A request still being coalesced stops there. ' +
        'Idempotent: a second call cancels nothing more. Logged as an audit line.',
      security: adminBearerSecurity,
      requestParams: { path: z.object({ request_id: requestIdParam }) },
      responses: {
        '200': { description: 'what the cancel did', content: { 'application/json': { schema: cancelResult } } },
        ...errorResponses(401, 404, 503),
      },
    },
  },
  '/v1/admin/refresh-requests/{request_id}/requeue-failed': {
    post: {
      operationId: 'requeueFailedItems',
      summary: "Send a request's failed items again",
      description:
        'Items refused by VOD, out of attempts or failed by VOD\'s verdict become pending again as new attempts in the queue of ' +
        "the request's priority (items of unknown outcome are not failed and stay). A completed request reopens and completes " +
        'again when they end. Idempotent: a second call finds nothing failed. Logged as an audit line.',
      security: adminBearerSecurity,
      requestParams: { path: z.object({ request_id: requestIdParam }) },
      responses: {
        '200': { description: 'what the requeue did', content: { 'application/json': { schema: requeueResult } } },
        ...errorResponses(401, 404, 409, 503),
      },
    },
  },
};

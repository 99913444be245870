import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorResponses } from './common';
import { priority } from './refresh-requests';

/**
 * The drop-in endpoint: VOD's own RefreshAsset / ShowRefreshResult path and wire format, so a
 * publishing system that calls VOD today switches by changing its base URL and credentials.
 * Unlike VOD there is no cap of 10 items a call.
 */

/** The caller's API key as VOD's token header, or as a Bearer key like every other route. */
export const dropInSecurity: Array<Record<string, string[]>> = [{ xAuthToken: [] }, { bearer: [] }];

export const projectIdParam = z
  .string()
  .meta({ description: "VOD's project id; the tenant is the caller's tenant configured with this `projectId`", example: '0123456789abcdef0123456789abcdef' });

/** VOD's RefreshAsset body, with no item limit. Unknown fields are refused, not ignored. */
export const dropInRefreshBody = z
  .strictObject({
    asset_id_list: z.array(z.string()).optional().meta({ description: 'VOD media asset ids, any number' }),
    urls: z.array(z.string()).optional().meta({ description: 'absolute http(s) URLs, at most 10,240 characters each, any number' }),
    priority: priority.optional().meta({ description: 'our extension (not in VOD): dispatch order, default normal' }),
  })
  .meta({ id: 'DropInRefreshBody' });
export type DropInRefreshBody = z.infer<typeof dropInRefreshBody>;

export const dropInAccepted = z
  .object({ task_id: z.string().meta({ description: 'our request id; pass it to GET ?task_id=' }) })
  .meta({ id: 'DropInAccepted' });
export type DropInAccepted = z.infer<typeof dropInAccepted>;

/** Pages are bounded: a request may hold millions of items; VOD's tasks never hold more than 10. */
export const DROP_IN_PAGE_DEFAULT = 1000;
export const DROP_IN_PAGE_MAX = 10_000;

export const dropInResultsQuery = z.strictObject({
  task_id: z.string({ error: 'task_id is required' }).min(1, 'task_id is required').meta({ description: 'the task_id the POST answered' }),
  cursor: z.string().regex(/^\d{1,15}$/, 'cursor must be a value returned as next_cursor').default('0').transform(Number)
    .meta({ description: 'our extension: next_cursor of the previous page' }),
  limit: z
    .string()
    .regex(/^\d{1,5}$/, `limit must be an integer from 1 to ${DROP_IN_PAGE_MAX}`)
    .default(String(DROP_IN_PAGE_DEFAULT))
    .transform(Number)
    .pipe(z.number().min(1, 'limit must be at least 1').max(DROP_IN_PAGE_MAX, `limit must be at most ${DROP_IN_PAGE_MAX}`))
    .meta({ description: `our extension: items per page, 1..${DROP_IN_PAGE_MAX}, default ${DROP_IN_PAGE_DEFAULT}` }),
});

export const vodRefreshStatus = z.enum(['PROCESSING', 'SUCCEED', 'FAILED']).meta({ id: 'VodRefreshStatus' });

export const dropInResult = z
  .union([
    z.object({ url: z.string(), status: vodRefreshStatus }),
    z.object({ asset_id: z.string().meta({ description: 'our extension: VOD reports URLs, we report the asset id sent' }), status: vodRefreshStatus }),
  ])
  .meta({ id: 'DropInResult' });
export type DropInResult = z.infer<typeof dropInResult>;

export const dropInResults = z
  .object({
    refresh_results: z.array(dropInResult).meta({ description: "the task's items in order of first appearance" }),
    next_cursor: z.string().optional().meta({ description: 'our extension: present only when more items follow' }),
  })
  .meta({ id: 'DropInResults' });
export type DropInResults = z.infer<typeof dropInResults>;

export const dropInPaths: ZodOpenApiPathsObject = {
  '/v1/{project_id}/asset/refresh': {
    post: {
      operationId: 'dropInRefreshAsset',
      summary: "VOD's RefreshAsset, any number of items",
      description:
        "VOD's body and path; the caller's API key as `X-Auth-Token` or `Authorization: Bearer`. Validated and queued exactly like " +
        '`POST /v1/tenants/{tenant}/refresh-requests`: any bad item refuses the whole request and nothing is queued. ' +
        'AK/SK-signed calls are refused (401).',
      security: dropInSecurity,
      requestParams: {
        path: z.object({ project_id: projectIdParam }),
        header: z.object({
          'idempotency-key': z.string().optional().meta({ description: 'a retry with the same key and body answers with the first task_id' }),
          'x-refresh-tenant': z.string().optional().meta({ description: 'the tenant to use when several of the caller\'s tenants share the project' }),
        }),
      },
      requestBody: { content: { 'application/json': { schema: dropInRefreshBody } } },
      responses: {
        '202': { description: 'queued', content: { 'application/json': { schema: dropInAccepted } } },
        ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503),
        '404': {
          ...errorResponses(404)['404'],
          description: 'the project has no tenant of the caller\'s (unknown and another caller\'s alike), or X-Refresh-Tenant names none of them',
        },
        '400': {
          ...errorResponses(400)['400'],
          description:
            "what VOD would refuse, as VOD does: `VOD.10053` \"The request parameter is illegal, illegal field: <field>.\" (our `details` beside it); our own `RFS.0001` only where VOD has no such check (the tenant a project maps to, X-Refresh-Tenant, Idempotency-Key)",
        },
      },
    },
    get: {
      operationId: 'dropInShowRefreshResult',
      summary: "VOD's ShowRefreshResult for a task_id the POST answered, a page at a time",
      security: dropInSecurity,
      requestParams: { path: z.object({ project_id: projectIdParam }), query: dropInResultsQuery },
      responses: {
        '200': { description: "the task's items and their status", content: { 'application/json': { schema: dropInResults } } },
        ...errorResponses(400, 401, 429, 503),
        '400': {
          ...errorResponses(400)['400'],
          description: 'a bad query, or a task_id that is unknown, another caller\'s or of another project (all alike), as VOD answers: `VOD.10053` "…illegal field: task_id."',
        },
      },
    },
  },
};

import { z } from 'zod';
import type { ZodOpenApiResponsesObject } from 'zod-openapi';

/** Every error answer has VOD's own shape, so callers parse one format whatever went wrong. */
export const errorBody = z
  .object({
    error_code: z.string().meta({ description: 'stable code, RFS.NNNN for this service', example: 'RFS.0001' }),
    error_msg: z.string(),
    details: z.unknown().optional().meta({ description: 'per-field problems, when there are any' }),
  })
  .meta({ id: 'ErrorBody' });
export type ErrorBody = z.infer<typeof errorBody>;

export const isoTime = z.iso.datetime({ offset: true });

export const tenantParam = z.string().meta({ description: 'tenant id from the service configuration', example: 'demo' });
export const requestIdParam = z.string().meta({ description: 'request id, `<tenant>.<16 hex>`', example: 'demo.5f0c7a1e9b2d4c83' });

/** A 429 says when to try again. */
const retryAfterHeaders = z.object({
  'Retry-After': z.number().int().min(1).meta({ description: 'whole seconds to wait before retrying' }),
});

/** The error answers an authenticated route may give, to spread into its `responses`. */
export function errorResponses(...statuses: number[]): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const status of statuses) {
    out[`${status}` as `4${string}`] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'error',
      ...(status === 429 && { headers: retryAfterHeaders }),
      content: { 'application/json': { schema: errorBody } },
    };
  }
  return out;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'the request is not valid; nothing was queued',
  401: 'missing or unknown API key',
  404: "a tenant or request that is unknown or not the caller's (one answer for both)",
  409: 'conflict (an Idempotency-Key reused with another body)',
  413: 'the body is too large',
  415: 'unsupported media type or encoding',
  429: "a limit was hit: the caller's request rate, or (submissions) the caller's open uploads or the tenant's backlog cap, counted as the body arrives; details.limit says which; retry after Retry-After",
  503: 'storage is unavailable; retry later',
};

/** Bearer API key of a caller (hex SHA-256 of it lives in the configuration). */
export const bearerSecurity = [{ bearer: [] as string[] }];

import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { bearerSecurity, errorResponses, isoTime, tenantParam } from './common';
import { completionEstimate } from './refresh-requests';

export const pauseView = z
  .object({
    reason: z.enum(['credentials', 'account', 'quota']),
    code: z.string().meta({ description: "VOD's error code that paused the tenant" }),
    message: z.string(),
    since: isoTime,
    probe_at: isoTime.meta({ description: 'when one call will test whether VOD accepts the tenant again' }),
  })
  .meta({ id: 'TenantPause' });

export const budgetView = z
  .object({
    daily_limit: z.number().int(),
    used: z.number().int().meta({ description: 'items reserved on the current budget day' }),
    remaining: z.number().int(),
    resets_at: isoTime.meta({ description: "next local midnight in the tenant's time zone" }),
    pending: z.number().int().meta({ description: 'items pending for the tenant, all requests together' }),
    scheduled: z
      .object({
        requests: z.number().int().meta({ description: 'requests with a not_before still ahead (not coalesced yet, so not in pending)' }),
        items: z.number().int().meta({ description: 'their lines, duplicates included (the next 1,000 requests)' }),
        next_at: isoTime.nullable().meta({ description: 'the earliest not_before among them' }),
      })
      .meta({ description: 'scheduled refreshes waiting for their not_before' }),
    spent_by_caller: z.record(z.string(), z.number()).meta({
      description:
        "units of `used` charged to each caller: an item's unit is split equally between the callers that asked for it, " +
        'and every unit spent, resent or refunded moves the charges with it',
    }),
    unattributed: z.number().meta({
      description: "units of `used` charged to no caller: requests recorded without one, and a day VOD said was spent (its quota code raises `used` to the limit)",
    }),
    reserve: z
      .object({
        high: z.number().int().meta({ description: 'units of each budget day only high-priority items may spend before the release (config reserve.high)' }),
        releases_at: isoTime.meta({ description: 'when, today, the reserve opens to every priority (reserve.releaseMinutesBeforeReset before resets_at)' }),
        held_back: z.number().int().meta({ description: 'units of remaining that normal and low items may not spend now; 0 after the release' }),
      })
      .meta({ description: 'the urgent reserve' }),
    paused: pauseView.nullable().meta({ description: 'null, or why sending is paused' }),
    throttled_until: isoTime.optional().meta({ description: 'present while VOD is throttling the tenant' }),
    estimated_completion_at: completionEstimate.estimated_completion_at.meta({
      description: "when everything pending now for the tenant should have gone out and got VOD's verdict; null when nothing is pending or while sending is paused",
    }),
    budget_days_needed: completionEstimate.budget_days_needed.meta({
      description: 'budget days the pending backlog needs, counting today as 1; null when nothing is pending',
    }),
  })
  .meta({ id: 'BudgetView' });
export type BudgetView = z.infer<typeof budgetView>;

export const budgetPaths: ZodOpenApiPathsObject = {
  '/v1/tenants/{tenant}/budget': {
    get: {
      operationId: 'getBudget',
      summary: "The tenant's budget today and whether sending is paused or throttled",
      security: bearerSecurity,
      requestParams: { path: z.object({ tenant: tenantParam }) },
      responses: {
        '200': { description: 'the budget', content: { 'application/json': { schema: budgetView } } },
        ...errorResponses(401, 404, 429, 503),
      },
    },
  },
};

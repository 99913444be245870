import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { bearerSecurity, errorResponses, tenantParam } from './common';

/** The longest range one read may cover: the ledger keeps 400 days. */
export const MAX_SPEND_DAYS = 400;

/** A calendar date: JavaScript reads 2026-02-30 as March 2nd, so the date must read back as itself. */
const isCalendarDate = (d: string) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
};
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD').refine(isCalendarDate, 'is not a calendar date');

export const spendQuery = z
  .strictObject({
    from: day.optional().meta({ description: "first budget day (the tenant's time zone), YYYY-MM-DD; default: `to`" }),
    to: day.optional().meta({ description: 'last budget day, YYYY-MM-DD; default: today' }),
  })
  .meta({ description: `at most ${MAX_SPEND_DAYS} days` });

const units = z.number();
export const spendDayView = z
  .object({
    day: z.string().meta({ description: 'the budget day, YYYY-MM-DD in the tenant\'s time zone' }),
    limit: z.number().int().meta({ description: "the day's limit (as it was when its first unit was spent; the configured one for a day nothing was spent on)" }),
    spent: units.meta({ description: 'units counted against the day: reserved for calls, less refunds, plus a quota refusal\'s raise (the budget\'s `used`)' }),
    accepted: units.meta({ description: 'units of calls VOD accepted (it gave a task id)' }),
    refused: units.meta({ description: 'units of calls VOD refused for their items (split and resent, or failed)' }),
    unknown_outcome: units.meta({ description: 'units of calls whose outcome is unknown (timeout, 5xx, a worker killed mid-call, a throttle or quota answer): VOD may or may not have counted them' }),
    refunded: units.meta({ description: 'units given back: the call provably never reached VOD' }),
    voided: units.meta({ description: 'units reserved for a call that then waited past the reset and spent on the next day' }),
    quota_raise: units.meta({ description: "units VOD's quota refusal added: the account's quota was used outside this service" }),
    by_kind: z.object({ asset_id: units, url: units }).meta({ description: 'units spent on asset-id and on URL refreshes (refunds not taken off)' }),
    by_caller: z.record(z.string(), units).meta({ description: "units charged to each caller: a unit is split equally between the callers whose items it carried; refunds taken off" }),
    unattributed: units.meta({ description: 'units charged to no caller: requests without one, and a quota raise' }),
    items_carried: z.number().int().meta({ description: 'items the spent units carried' }),
    saved: z
      .object({
        linked: z.number().int().meta({ description: 'items linked to a pending copy of the same item' }),
        debounced: z.number().int().meta({ description: 'items linked to a copy held by the hot-item debounce (minRefreshIntervalMs)' }),
        covered: z.number().int().meta({ description: "URLs carried by their asset's unit beyond the unit's own item (assetIdFromUrl)" }),
      })
      .meta({ description: 'units saved: items that cost no unit of their own' }),
    cover_misses: z.number().int().meta({ description: "covered URLs VOD's verdict for their asset did not list, or whose asset VOD refused: sent again as URLs" }),
  })
  .meta({ id: 'SpendDay' });
export type SpendDayView = z.infer<typeof spendDayView>;

export const spendView = z
  .object({
    tenant: z.string(),
    days: z.array(spendDayView).meta({ description: 'one entry a budget day, oldest first, days with nothing spent included' }),
  })
  .meta({ id: 'SpendView' });
export type SpendView = z.infer<typeof spendView>;

export const spendPaths: ZodOpenApiPathsObject = {
  '/v1/tenants/{tenant}/spend': {
    get: {
      operationId: 'getSpend',
      summary: "Where each budget day's units went: per caller, per use, and what was saved",
      description:
        'The spend ledger, kept 400 days. `Accept: text/csv` answers the same as CSV, one row a day, ' +
        'with a column `caller:<id>` for each caller of the tenant.',
      security: bearerSecurity,
      requestParams: { path: z.object({ tenant: tenantParam }), query: spendQuery },
      responses: {
        '200': {
          description: 'the ledger',
          content: { 'application/json': { schema: spendView }, 'text/csv': { schema: z.string() } },
        },
        ...errorResponses(400, 401, 404, 429, 503),
      },
    },
  },
};

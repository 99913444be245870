import type { TenantConfig } from '@refresh/config';
import type { LedgerDay } from '@refresh/store';
import { Counter, type Registry } from 'prom-client';

/** Values of the `use` label of refresh_budget_units_total: what a unit bought. */
export const UNIT_USES = ['asset_id', 'url'] as const satisfies ReadonlyArray<keyof LedgerDay['byKind']>;
/** Values of the `reason` label of refresh_budget_units_saved_total. */
export const SAVING_REASONS = ['linked', 'debounced', 'covered'] as const satisfies ReadonlyArray<keyof LedgerDay['saved']>;

/**
 * Counters of the spend ledger of each tenant's current budget day, read from Redis at scrape
 * time with the state gauges (one read serves both). A ledger counter only rises within the
 * day and starts again from 0 at the tenant's midnight, which Prometheus' rate() and increase()
 * read as a counter reset. Every replica reports the same values: take max, not sum.
 */
export function registerLedgerCounters(
  registry: Registry,
  opts: {
    tenants: readonly TenantConfig[];
    /** each tenant's caller ids (the config's), the only values of the caller label */
    callersOf: ReadonlyMap<string, readonly string[]>;
    /** the tenants' current ledgers, or null when Redis did not answer in time */
    ledgers: () => Promise<ReadonlyMap<string, LedgerDay> | null>;
  },
): void {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (c: Counter<L>, t: TenantConfig, d: LedgerDay) => void) =>
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const ledgers = await opts.ledgers();
        this.reset();
        for (const t of opts.tenants) {
          const d = ledgers?.get(t.id);
          if (d) fill(this, t, d);
        }
      },
    });

  counter(
    'refresh_budget_units_total',
    "Units of the tenant's current budget day spent for each caller (a unit carrying several callers' items in equal shares), by use: an asset_id or a url refresh; refunds are not taken off. Restarts at the tenant's midnight",
    ['tenant', 'caller', 'use'],
    (c, t, d) => {
      const known = new Set(opts.callersOf.get(t.id) ?? []);
      for (const [caller, byUse] of Object.entries(d.spentByCaller)) {
        // requests of no caller, and callers no longer in the config, are unattributed
        const label = known.has(caller) ? caller : 'unattributed';
        for (const use of UNIT_USES) if (byUse[use] > 0) c.inc({ tenant: t.id, caller: label, use }, byUse[use]);
      }
    },
  );
  counter(
    'refresh_budget_units_saved_total',
    "Items of the tenant's current budget day that cost no unit of their own, by reason: linked to a pending copy, held by the debounce and sent once, or covered by their asset's refresh. Restarts at the tenant's midnight",
    ['tenant', 'reason'],
    (c, t, d) => {
      for (const reason of SAVING_REASONS) c.inc({ tenant: t.id, reason }, d.saved[reason]);
    },
  );
  counter(
    'refresh_asset_cover_misses_total',
    "URLs of the tenant's current budget day that their asset's refresh did not cover (VOD's verdict did not list them, or VOD refused the asset id): sent again as URLs. Restarts at the tenant's midnight",
    ['tenant'],
    (c, t, d) => c.inc({ tenant: t.id }, d.coverMisses),
  );
}

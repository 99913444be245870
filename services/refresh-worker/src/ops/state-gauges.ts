import { PAUSE_REASONS, budgetDay, reserveHeldBack, reserveRule, type BudgetDay, type PauseReason } from '@refresh/core';
import type { TenantConfig } from '@refresh/config';
import { JOB_STATES, type MetricsStore, type QueueName, type StateReading } from '@refresh/store';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock';
import { registerLedgerCounters } from './ledger-counters';

/** ms a scrape waits for Redis; after it the Redis-read gauges are left out of that scrape */
export const STATE_READ_TIMEOUT_MS = 1500;

interface Snapshot {
  now: number;
  days: Map<string, BudgetDay>;
  /** null when Redis did not answer in time */
  reading: StateReading | null;
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Gauges of the shared state (budget, backlog, deferrals, pauses, completion outbox, queue jobs),
 * read from Redis when Prometheus scrapes, so every replica reports the same values and none keeps
 * a stale copy.
 * All gauges of one scrape share one read, one round trip, bounded by `timeoutMs`: a slow
 * Redis leaves them out of the scrape instead of hanging /metrics.
 */
export function registerStateGauges(
  registry: Registry,
  opts: {
    tenants: readonly TenantConfig[];
    store: MetricsStore;
    clock: Clock;
    logger: Logger;
    timeoutMs?: number;
    /** each tenant's caller ids (the config's), the only values of the charges' caller label */
    callers?: ReadonlyArray<{ id: string; tenants: readonly string[] }>;
  },
): void {
  const { tenants, store, clock, logger } = opts;
  const callersOf = new Map(tenants.map((t) => [t.id, (opts.callers ?? []).filter((c) => c.tenants.includes(t.id)).map((c) => c.id)]));
  const timeoutMs = opts.timeoutMs ?? STATE_READ_TIMEOUT_MS;

  let current: Promise<Snapshot> | null = null;
  const read = async (): Promise<Snapshot> => {
    const now = clock.now();
    const days = new Map(tenants.map((t) => [t.id, budgetDay(now, t.timezone)]));
    try {
      const reading = await within(store.read(tenants.map((t) => ({ id: t.id, dayId: days.get(t.id)!.dayId }))), timeoutMs);
      return { now, days, reading };
    } catch (err) {
      logger.warn({ err }, 'could not read queue state for metrics; the state gauges miss this scrape');
      return { now, days, reading: null };
    }
  };
  // prom-client calls every collect() in the same tick, so they all share the one read
  const snapshot = () => (current ??= read().finally(() => (current = null)));

  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, s: Snapshot) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        this.reset();
        fill(this, s);
      },
    });
  const eachTenant = (s: Snapshot, f: (t: TenantConfig, r: NonNullable<ReturnType<StateReading['tenants']['get']>>) => void) => {
    for (const t of tenants) {
      const r = s.reading?.tenants.get(t.id);
      if (r) f(t, r);
    }
  };
  const spent = (t: TenantConfig, used: number) => used >= t.dailyLimit;

  gauge('refresh_budget_used_items', "Items reserved from the tenant's budget on its current budget day", ['tenant'], (g, s) =>
    eachTenant(s, (t, r) => g.set({ tenant: t.id }, r.used)),
  );
  gauge('refresh_budget_limit_items', "The tenant's daily budget, items per budget day", ['tenant'], (g) => {
    for (const t of tenants) g.set({ tenant: t.id }, t.dailyLimit);
  });
  gauge('refresh_budget_resets_at_seconds', "Unix time the tenant's budget day ends (local midnight in its time zone)", ['tenant'], (g, s) => {
    for (const t of tenants) g.set({ tenant: t.id }, s.days.get(t.id)!.resetsAt / 1000);
  });
  gauge('refresh_pending_items', 'Items waiting in the tenant\'s queues to be sent, by priority (both kinds)', ['tenant', 'priority'], (g, s) =>
    eachTenant(s, (t, r) => {
      for (const [priority, n] of Object.entries(r.pending)) g.set({ tenant: t.id, priority }, n);
    }),
  );
  gauge('refresh_deferred_items', "Pending items that wait for the budget reset because today's budget is spent, by priority", ['tenant', 'priority'], (g, s) =>
    eachTenant(s, (t, r) => {
      for (const [priority, n] of Object.entries(r.pending)) g.set({ tenant: t.id, priority }, spent(t, r.used) ? n : 0);
    }),
  );
  gauge('refresh_oldest_pending_age_seconds', "Seconds the tenant's oldest pending item has waited since it was coalesced; 0 when none", ['tenant'], (g, s) =>
    eachTenant(s, (t, r) => g.set({ tenant: t.id }, r.oldestPendingAt === null ? 0 : Math.max(0, s.now - r.oldestPendingAt) / 1000)),
  );
  gauge(
    'refresh_tenant_paused',
    `1 when sending for the tenant is paused, with the reason (${PAUSE_REASONS.join(', ')}); reason="none" and 0 otherwise`,
    ['tenant', 'reason'],
    // one series a tenant, so a reason that ends does not linger at 1; left out when Redis did not answer
    (g, s) =>
      eachTenant(s, (t, r) => {
        const reason: PauseReason = r.paused?.reason ?? 'none';
        g.set({ tenant: t.id, reason }, r.paused ? 1 : 0);
      }),
  );
  gauge(
    'refresh_completion_outbox_requests',
    "Completed requests of the tenant whose retire job (retention, completion webhook) has not run yet: the completion outbox",
    ['tenant'],
    (g, s) => eachTenant(s, (t, r) => g.set({ tenant: t.id }, r.unretired)),
  );
  gauge(
    'refresh_completion_outbox_oldest_age_seconds',
    "Seconds since the oldest request in the tenant's completion outbox completed; 0 when none waits",
    ['tenant'],
    (g, s) => eachTenant(s, (t, r) => g.set({ tenant: t.id }, r.oldestUnretiredAt === null ? 0 : Math.max(0, s.now - r.oldestUnretiredAt) / 1000)),
  );
  gauge(
    'refresh_budget_charged_units',
    "Units of the tenant's current budget day charged to each of its callers (an item several asked for in equal shares); caller=\"unattributed\" for requests of no caller and a quota refusal's raise",
    ['tenant', 'caller'],
    (g, s) =>
      eachTenant(s, (t, r) => {
        let attributed = 0;
        for (const c of callersOf.get(t.id) ?? []) {
          const units = r.charges[c] ?? 0;
          attributed += units;
          g.set({ tenant: t.id, caller: c }, units);
        }
        // ids no longer in the config are bounded by the old config; they show as unattributed
        g.set({ tenant: t.id, caller: 'unattributed' }, Math.max(0, Math.round((r.used - attributed) * 1000) / 1000));
      }),
  );
  registerLedgerCounters(registry, {
    tenants,
    callersOf,
    ledgers: async () => {
      const s = await snapshot();
      return s.reading?.ledgers ?? null;
    },
  });
  gauge(
    'refresh_reserve_held_units',
    "Units of the tenant's remaining budget that normal and low items may not spend now (the urgent reserve, until its release)",
    ['tenant'],
    (g, s) =>
      eachTenant(s, (t, r) => {
        const rule = reserveRule(t.reserve, s.days.get(t.id)!.resetsAt);
        g.set({ tenant: t.id }, reserveHeldBack(rule, Math.max(0, t.dailyLimit - r.used), 'normal', s.now));
      }),
  );
  gauge('refresh_held_items', 'Pending items held by the hot-item debounce (minRefreshIntervalMs) until their interval since the last send has passed', ['tenant'], (g, s) =>
    eachTenant(s, (t, r) => g.set({ tenant: t.id }, r.held)),
  );
  gauge('refresh_scheduled_requests', 'Requests whose not_before has not come yet (accepted, not coalesced)', ['tenant'], (g, s) =>
    eachTenant(s, (t, r) => g.set({ tenant: t.id }, r.scheduled)),
  );
  gauge('refresh_queue_jobs', 'BullMQ jobs by queue (ingest, dispatch, results, webhooks) and state', ['queue', 'state'], (g, s) => {
    if (!s.reading) return;
    for (const [queue, counts] of Object.entries(s.reading.jobs) as Array<[QueueName, StateReading['jobs'][QueueName]]>) {
      for (const state of JOB_STATES) g.set({ queue, state }, counts[state]);
    }
  });
}

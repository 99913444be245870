import { relayCompletions, type CompletionOutbox, type RetireJob } from '@refresh/store';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Clock } from '../clock';

/**
 * When this worker relays its tenants' completion outboxes to the completions queue
 * (relayCompletions in the store, the one way a completion becomes a retire job):
 * - `relay`: the tenant's whole outbox, right after one of this worker's scripts completed a
 *   request of the tenant, so that the retire job exists before the job that completed the
 *   request ends. One relay of a tenant runs at a time in this process; the calls made while it
 *   runs share the one after it (which sees what they completed), so a burst of completions
 *   costs two relays, not one each.
 * - `sweep`: at start and then every `intervalMs` (worker.completionSweepMs), every configured
 *   tenant's completions older than `intervalMs`. Those are the ones a process that died between
 *   its completing script and its relay left behind (a rerun finds the outcome recorded and
 *   completes nothing), or ones whose retire jobs wait behind a busy completions queue; fresher
 *   ones are their own process's to relay. A completion is so relayed at most about twice
 *   `intervalMs` after such a crash.
 * Any number of replicas may relay at once: the job ids come from the completions.
 */
export function createCompletionRelay(deps: {
  outbox: CompletionOutbox;
  queue: Queue<RetireJob>;
  clock: Clock;
  logger: Logger;
  tenants: readonly string[];
  intervalMs: number;
}) {
  const { outbox, queue, clock, logger, tenants, intervalMs } = deps;
  const running = new Map<string, Promise<unknown>>();
  const queued = new Map<string, Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<number> | null = null;
  let stopped = false;

  /** Relays the tenant's whole outbox, after the relay of it under way if there is one. */
  function relay(tenant: string): Promise<unknown> {
    const waiting = queued.get(tenant);
    if (waiting) return waiting;
    const current = running.get(tenant);
    const pass: Promise<unknown> = (current ? current.catch(() => undefined) : Promise.resolve())
      .then(() => {
        queued.delete(tenant);
        running.set(tenant, pass);
        return relayCompletions(outbox, queue, tenant);
      })
      .finally(() => {
        if (running.get(tenant) === pass) running.delete(tenant);
      });
    (current ? queued : running).set(tenant, pass);
    return pass;
  }

  /** One round over every tenant; returns how many completions older than intervalMs it found. */
  async function sweepOnce(): Promise<number> {
    const before = clock.now() - intervalMs;
    let found = 0;
    for (const tenant of tenants) {
      const { relayed, oldestAt } = await relayCompletions(outbox, queue, tenant, before);
      if (relayed === 0) continue;
      found += relayed;
      logger.warn(
        { tenant, count: relayed, oldestCompletedAt: oldestAt },
        'completions not retired after worker.completionSweepMs: their retire jobs added unless queued already',
      );
    }
    return found;
  }

  /** Sweeps now (or joins the round under way). A failed round is logged; the next one tries again. */
  function sweep(): Promise<number> {
    sweeping ??= sweepOnce()
      .catch((err: Error) => {
        // the message the RefreshCompletionNotReported runbook names
        logger.warn({ err }, 'completion sweep failed; the next one tries again');
        return 0;
      })
      .finally(() => (sweeping = null));
    return sweeping;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void sweep().finally(schedule), clock.realMs(intervalMs));
    timer.unref();
  };

  return {
    relay,
    sweep,
    /** The first round, then one every intervalMs. */
    async start(): Promise<void> {
      await sweep();
      schedule();
    },
    /** No round starts after this; relays under way are waited for. Idempotent. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([sweeping, ...running.values(), ...queued.values()].map((p) => p?.catch(() => undefined)));
    },
  };
}
export type CompletionRelay = ReturnType<typeof createCompletionRelay>;

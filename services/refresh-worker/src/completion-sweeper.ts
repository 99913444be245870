import type { DispatchStore } from '@refresh/store';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { JobEnqueuer } from './enqueuer';

/**
 * Reports completions whose retire job was never added. The script that completes a request
 * also puts it in its tenant's completion outbox, atomically; the worker then adds the retire
 * job in a separate step, and mark-retired.lua takes the entry out when that job has run. A
 * worker that dies between the two steps leaves an entry without a job: no rerun would add it,
 * as the rerun finds the outcome already recorded. So every worker sweeps the outbox of every
 * configured tenant at start and then every `intervalMs`, and adds the retire job of each
 * entry older than `intervalMs` (the grace in which the normal path's own job is expected).
 *
 * Adding is idempotent: a job whose id exists is not added again, and a retire job that runs
 * again finds its completion no longer due (ingest-processor.ts). Any number of replicas may
 * sweep at once.
 */
export function createCompletionSweeper(deps: {
  store: DispatchStore;
  enqueue: JobEnqueuer;
  clock: Clock;
  logger: Logger;
  tenants: readonly string[];
  intervalMs: number;
}) {
  const { store, enqueue, clock, logger, tenants, intervalMs } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;

  /** One pass over every tenant; returns how many completions still due it found. */
  async function sweepOnce(): Promise<number> {
    const before = clock.now() - intervalMs;
    let found = 0;
    for (const tenant of tenants) {
      for await (const page of store.completionsBefore(tenant, before)) {
        // the others were retired by a worker of an earlier version (whose mark-retired left the
        // entry), or the request is gone: only their entries are cleared
        const due = await store.dueCompletions(tenant, page);
        if (due.length === 0) continue;
        await enqueue.retireCompletions(tenant, due);
        found += due.length;
        // usually a worker died between the two steps; also when retire jobs wait behind a
        // busy ingest queue (their jobs exist, nothing is added then)
        logger.warn(
          { tenant, count: due.length, oldestCompletedAt: due[0]?.completedAt, requestIds: due.slice(0, 10).map((c) => c.requestId) },
          'completions not retired after the grace: their retire jobs added unless queued already',
        );
      }
    }
    return found;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void sweep().finally(schedule), clock.realMs(intervalMs));
    timer.unref();
  };

  /** Sweeps now (or joins the sweep under way). A failed sweep is logged; the next one tries again. */
  function sweep(): Promise<number> {
    running ??= sweepOnce()
      .catch((err: Error) => {
        logger.warn({ err: err.message }, 'completion sweep failed; the next one tries again');
        return 0;
      })
      .finally(() => (running = null));
    return running;
  }

  return {
    sweep,
    /** The first sweep, then one every intervalMs. */
    async start(): Promise<void> {
      await sweep();
      schedule();
    },
    /** No sweep starts after this; one under way is waited for. Idempotent. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
export type CompletionSweeper = ReturnType<typeof createCompletionSweeper>;

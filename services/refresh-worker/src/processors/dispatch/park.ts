/**
 * How a dispatch run lets go of its job without finishing it: it waits (the job goes back to
 * BullMQ's delayed set, which uses no attempt), or its call is retried (an attempt is used).
 */
import { DelayedError } from 'bullmq';
import { pauseTenant } from '../../upstream/call-gate';
import type { JobHandle, Run } from './context';

/** Thrown to make BullMQ retry the job's call; carries the upstream's Retry-After. */
export class RetryableCallError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** The job waits `realMs` of wall time, then runs again (and resumes the batch it may hold). */
export async function handBack(run: JobHandle, realMs: number): Promise<never> {
  await run.job.moveToDelayed(Date.now() + realMs, run.token);
  throw new DelayedError();
}

/**
 * This job, and the batch it holds if any, waits for the budget reset `resetsAt` (`at` is now
 * on the worker's clock). The batch is marked waiting first, so that callers see its items as
 * deferred, not in flight, for the hours until then; its budget stays as it is.
 */
export async function waitForReset(run: Run, resetsAt: number, at: number): Promise<never> {
  await run.ctx.store.deferBatch(run.tenant.id, run.batchId, resetsAt);
  run.trace.waits('budget_day', resetsAt);
  return handBack(run, run.ctx.clock.realMs(resetsAt - at));
}

/** Pauses the tenant for every replica; this job (and its batch) waits for the probe. */
export async function blockTenant(run: Run, why: { reason: 'credentials' | 'account'; code: string; message: string }): Promise<never> {
  const { ctx } = run;
  const probeAt = await pauseTenant(
    { gate: ctx.gate, clock: ctx.clock, logger: ctx.logger, cooldownMs: ctx.config.upstream.pauseCooldownMs },
    run.tenant,
    run.tenant.id,
    why,
  );
  run.trace.waits('pause', probeAt);
  return handBack(run, ctx.clock.realMs(probeAt - ctx.clock.now()));
}

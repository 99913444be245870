import { DelayedError, type Job } from 'bullmq';
import { dispatchJob, type DispatchJob } from '@refresh/store';
import { createCallTrace, type CallTrace } from '../upstream/call-trace';
import { claimWhenDue, type Claimed } from './dispatch/claim';
import { dispatchContext, type Attempt, type DispatchContext, type DispatchDeps, type Run } from './dispatch/context';
import { wakeIfPending } from './dispatch/finish';
import { RetryableCallError, handBack } from './dispatch/park';
import { sendBatch } from './dispatch/send';

export { RetryableCallError } from './dispatch/park';

/** How long a job for a tenant this replica does not know waits before another try. */
const UNKNOWN_TENANT_RETRY_MS = 30_000;

/**
 * One dispatch job sends at most one batch, whose id is the job's id. Its steps, each in
 * dispatch/:
 *   claim (claim.ts; atomic: the call slot + items + budget, only once the midnight guard, the
 *   tenant's gate (gate.ts) and the pace let a call leave now) → wake a successor if more is
 *   pending → spend budget for the attempt (send.ts) → call VOD (call.ts) → act on the
 *   verdict (apply-verdict.ts).
 * A job that dies anywhere is run again by BullMQ with the same id and resumes its own batch.
 * Retries of the call are the job's attempts, with jittered exponential backoff.
 * A job holding a batch that must wait for the next budget day (see waitForReset, park.ts) marks
 * the batch waiting, so callers see its items as deferred; the wait ends just before the batch's
 * next call.
 */
export function createDispatchProcessor(deps: DispatchDeps) {
  const ctx = dispatchContext(deps);
  return async function processDispatch(job: Job<DispatchJob>, token?: string): Promise<string> {
    const trace = createCallTrace(job, deps.tracing === true);
    try {
      return await dispatch(ctx, job, token, trace);
    } catch (err) {
      // a run that ends waiting tells the run that calls what it waited on
      if (err instanceof DelayedError || err instanceof RetryableCallError) await trace.keep().catch(() => undefined);
      throw err;
    }
  };
}

async function dispatch(ctx: DispatchContext, job: Job<DispatchJob>, token: string | undefined, trace: CallTrace): Promise<string> {
  const { tenant: tenantId } = dispatchJob.parse(job.data);
  const tenant = ctx.tenants.get(tenantId);
  if (!tenant) {
    // a replica with an older config (rolling deploy): hand the job back rather than drop the
    // wake-up, so a replica that knows the tenant picks it up
    ctx.logger.warn({ tenant: tenantId }, 'dispatch for a tenant not in this config; handed back');
    // wall time, not clock time: it waits for a rollout of the config
    return handBack({ job, token }, UNKNOWN_TENANT_RETRY_MS);
  }
  const run: Run = { ctx, job, token, trace, tenant, batchId: job.id! };
  const claimed = await claimWhenDue(run);
  const ended = await actOnClaim(run, claimed);
  if (ended !== undefined) return ended;

  // A job run again (its worker died, possibly before waking a successor) or a reused job id
  // must not end a chain: wake the tenant if anything is still pending once this batch is done.
  const rerun = claimed.claim.action === 'existing';
  const batch = await ctx.store.batch(tenantId, run.batchId);
  if (!batch || batch.state === 'done') {
    if (rerun) {
      // the run that died may have recorded the 202 but not yet scheduled the polling
      // (a second poll job for the same batch is deduplicated by its id)
      if (batch?.taskId) await ctx.enqueue.poll(tenantId, run.batchId, batch.taskId, batch.doneAt ?? ctx.clock.now());
      // or it split the batch but died before queueing the halves (queueing twice is harmless)
      for (const child of batch?.splitInto ?? []) await ctx.enqueue.batch(tenantId, child);
      await wakeIfPending(ctx, tenantId);
    }
    return 'done';
  }
  const { now, day, budget, probing } = claimed;
  const attempt: Attempt = {
    ...run, batch, budget, day, now, probing,
    slotHeld: claimed.claim.action === 'send',
    waiting: batch.waitingUntil !== undefined,
    attempt: job.attemptsMade + 1,
    log: ctx.logger.child({ tenant: tenantId, batchId: run.batchId, kind: batch.kind, items: batch.ids.length }),
  };
  const result = await sendHeld(attempt);
  if (rerun) await wakeIfPending(ctx, tenantId);
  return result;
}

/**
 * What the claim decided: a result when the run ends here (nothing to send, or a wait for the
 * batch window or the budget), or undefined when it goes on to send the batch it holds.
 */
async function actOnClaim({ ctx, tenant, trace }: Run, { claim, day }: Claimed): Promise<string | undefined> {
  switch (claim.action) {
    case 'idle':
      return 'idle';
    case 'wait':
      trace.note('batch_window', claim.until);
      await ctx.enqueue.at(tenant.id, claim.until);
      return 'wait';
    case 'budget':
      // spent: the reset; only the urgent reserve left: its release (a high item wakes us sooner)
      trace.note(claim.until === undefined ? 'budget_day' : 'reserve', claim.until ?? day.resetsAt);
      await ctx.enqueue.at(tenant.id, claim.until ?? day.resetsAt);
      return 'budget';
    case 'send':
      // let another replica take the next batch while this one is on the wire
      if (claim.more > 0) await ctx.enqueue.now(tenant.id);
      return undefined;
    case 'existing':
      return undefined;
  }
}

/**
 * Sends the held batch. A job holding a batch must never end failed: its items would stay in
 * flight for good. An unexpected error (Redis, IAM) on the last attempt hands the job back for later.
 */
async function sendHeld(a: Attempt): Promise<string> {
  const { ctx, job } = a;
  try {
    return await sendBatch(a);
  } catch (err) {
    if (err instanceof DelayedError || err instanceof RetryableCallError || job.attemptsMade + 1 < ctx.maxAttempts) throw err;
    ctx.logger.error({ tenant: a.tenant.id, batchId: a.batchId, err }, 'unexpected error on the last attempt; batch kept for later');
    return handBack(a, ctx.clock.realMs(ctx.config.upstream.backoffMaxMs));
  }
}

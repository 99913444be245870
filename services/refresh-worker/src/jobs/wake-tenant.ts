import type { Queue } from 'bullmq';

/** Delayed jobs read a page at a time, so a long queue is never loaded at once. */
const PAGE = 500;

/**
 * Runs now every delayed job of `tenant` in `queue`: the jobs that waited for its pause to lift.
 * A job that waited for another reason (a poll's normal gap) only runs early, which is harmless.
 * The tenant's jobs are collected first, as promoting them while paging would shift the pages.
 */
export async function promoteTenantJobs(queue: Queue<{ tenant: string }>, tenant: string): Promise<number> {
  const waiting = [];
  for (let start = 0; ; start += PAGE) {
    const jobs = await queue.getDelayed(start, start + PAGE - 1);
    waiting.push(...jobs.filter((job) => job?.data.tenant === tenant));
    if (jobs.length < PAGE) break;
  }
  let promoted = 0;
  for (const job of waiting) {
    // it may have moved on by itself meanwhile: then there is nothing to promote
    if (await job.promote().then(() => true, () => false)) promoted++;
  }
  return promoted;
}

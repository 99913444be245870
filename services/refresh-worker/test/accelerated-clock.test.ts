/**
 * CLOCK_RATE in the worker: the scheduler's BullMQ delays are clock spans divided by the rate.
 * Read from the real queue's jobs, never timed: the clock here stands still on a fixed wall
 * instant, so every expected delay is exact.
 */
import { Queue } from 'bullmq';
import { acceleratedClock } from '@refresh/core';
import { QUEUE_NAMES, queuePrefix, type DispatchJob, type PollJob } from '@refresh/store';
import { createEnqueuer } from '../src/jobs/enqueuer';
import { testWorld } from './harness';

describe('a worker on an accelerated clock', () => {
  let world: ReturnType<typeof testWorld>;
  let queues: Array<Queue<never>>;
  const wall = Date.UTC(2026, 5, 1, 4, 0, 0);
  const anchor = wall - 2_000;

  beforeEach(() => {
    world = testWorld('clock-rate');
    queues = [];
  });
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await world.close();
  });

  /** A scheduler on the world's queues whose clock runs `rate` times as fast, read at `wall`. */
  function schedulerAt(rate: number) {
    const clock = acceleratedClock({ rate, startMs: anchor, offsetMs: 3_600_000 }, () => wall);
    const open = <T>(name: string) => {
      const q = new Queue<T>(name, { connection: world.redis, prefix: queuePrefix(world.prefix) });
      queues.push(q as unknown as Queue<never>);
      return q;
    };
    const dispatch = open<DispatchJob>(QUEUE_NAMES.dispatch);
    const results = open<PollJob>(QUEUE_NAMES.results);
    const scheduler = createEnqueuer({ dispatch: { queue: dispatch, maxAttempts: 3 }, results: { queue: results, initialDelayMs: 5_000 }, clock });
    return { clock, dispatch, results, scheduler };
  }

  it('when the rate is 300, then a dispatch due in 50 clock minutes waits 10 real seconds', async () => {
    const { clock, dispatch, scheduler } = schedulerAt(300);
    expect(clock.now()).toBe(anchor + 2_000 * 300 + 3_600_000);
    const due = clock.now() + 3_000_000;
    await scheduler.at('news', due);

    const job = await dispatch.getJob(`at.news.${due}`);
    expect(job?.opts.delay).toBe(10_000);
    expect(await job?.getState()).toBe('delayed');
  });

  it('when the span does not divide evenly, then the wait is rounded up, never ending before the due instant', async () => {
    const { clock, dispatch, scheduler } = schedulerAt(300);
    const due = clock.now() + 1_000; // the default lingerMs: 3.33 real ms
    await scheduler.at('news', due);
    expect((await dispatch.getJob(`at.news.${due}`))?.opts.delay).toBe(4);
  });

  it("when the rate is 300, then a batch's first result poll waits pollInitialDelayMs / 300", async () => {
    const { clock, results, scheduler } = schedulerAt(300);
    await scheduler.poll('news', 'b1', 'task-1', clock.now());
    expect((await results.getJob('poll.b1'))?.opts.delay).toBe(Math.ceil(5_000 / 300));
  });

  it('when the rate is 1, then delays are the clock spans themselves, as in production', async () => {
    const { clock, dispatch, results, scheduler } = schedulerAt(1);
    const due = clock.now() + 3_000_000;
    await scheduler.at('news', due);
    await scheduler.poll('news', 'b1', 'task-1', clock.now());
    expect((await dispatch.getJob(`at.news.${due}`))?.opts.delay).toBe(3_000_000);
    expect((await results.getJob('poll.b1'))?.opts.delay).toBe(5_000);
  });
});

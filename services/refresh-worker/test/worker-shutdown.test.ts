import { budgetDay } from '@refresh/core';
import { QUEUE_NAMES, createRedis, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import {
  REDIS_TARGET, assets, eventually, spawnWorker, startSimulator, stopWorker, testConfig, testWorld, writeConfigFile, type Simulator, type WorkerProcess,
} from './harness';

/**
 * SIGTERM to a real worker process (dist/main.js) while its calls to a slow VOD are on the
 * wire: it takes no new job, lets the calls finish and records them, closes its BullMQ workers
 * without leaving a job locked, and exits 0. A second worker then finishes the rest.
 */
describe('worker shutdown under load', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  const workers: WorkerProcess[] = [];
  const queues: Queue[] = [];
  const connections: Array<{ quit(): Promise<unknown> }> = [];

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopWorker(w, 'SIGKILL')));
    await Promise.all(queues.map((q) => q.close()));
    await Promise.all(connections.map((c) => c.quit()));
    await world?.close();
    await sim?.stop();
  });

  it('when a worker gets SIGTERM with calls in flight to a slow VOD, then those calls finish, it exits 0 holding nothing, and a second worker sends every other item exactly once', async () => {
    const started = await startSimulator({ taskDurationMs: 100, dailyLimit: 100_000, faults: { latencyMs: 800, errorRate5xx: 0, rate429: 0, hangRate: 0 } });
    sim = started.sim;
    world = testWorld('worker-term');
    // locks that outlive the test: a job left locked by the first worker would stall everything
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url, dailyLimit: 10_000, maxCallsPerSecond: 100 }], {
      batching: { lingerMs: 20 },
      worker: { concurrency: 4, stalledIntervalMs: 300_000, lockDurationMs: 300_000 },
      upstream: { timeoutMs: 5000, connectTimeoutMs: 500, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200, pollInitialDelayMs: 100, pollMaxDelayMs: 200 },
    });
    const requestIds: string[] = [];
    for (let r = 0; r < 3; r++) requestIds.push(await world.submit('news', assets(40, `r${r}-`)));
    const path = writeConfigFile(config);
    const first = spawnWorker(path, world.prefix, { SHUTDOWN_GRACE_MS: '20000' });
    workers.push(first);

    const counts = async () => {
      const all = await Promise.all(requestIds.map((id) => world.requests.get(id)));
      const sum = { pending: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0, canceled: 0 };
      for (const r of all) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r?.counts[k] ?? 0;
      return sum;
    };
    // batches are claimed and their calls are on the wire (VOD answers after 800 ms)
    await eventually(async () => (await counts()).in_flight >= 20 || undefined, 'calls in flight');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // the calls that were in flight were answered and recorded; nothing is held or locked
    const afterFirst = await counts();
    expect(afterFirst.in_flight).toBe(0);
    expect(afterFirst.failed).toBe(0);
    const prefix = queuePrefix(world.prefix);
    for (const name of [QUEUE_NAMES.ingest, QUEUE_NAMES.dispatch, QUEUE_NAMES.results]) {
      const connection = createRedis(REDIS_TARGET, 'worker', () => undefined);
      connections.push(connection);
      const q = new Queue(name, { connection, prefix });
      queues.push(q);
      expect(await q.getActiveCount()).toBe(0);
    }
    const sentByFirst = sim.calls().flatMap((c) => c.items).length;
    expect(sentByFirst).toBeGreaterThanOrEqual(20);
    expect(afterFirst.submitted + afterFirst.completed).toBe(sentByFirst);
    const day = budgetDay(Date.now(), 'Asia/Shanghai');
    const budgetUsed = async () => Number(await world.redis.get(world.keys('news').budget(day.dayId)));
    expect(await budgetUsed()).toBe(sentByFirst);

    workers.push(spawnWorker(path, world.prefix));
    await eventually(async () => (await counts()).completed === 120 || undefined, 'every item completed', 60_000);
    const sent = sim.calls().flatMap((c) => c.items);
    expect(new Set(sent).size).toBe(sent.length); // nothing sent twice
    expect(sent).toHaveLength(120);
    // what was reserved is what VOD accepted: nothing leaked from the interrupted worker
    expect(await budgetUsed()).toBe(120);
  });
});

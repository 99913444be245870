import { budgetDay } from '@refresh/core';
import {
  assets, eventually, spawnWorker, startSimulator, stopWorker, testConfig, testWorld, urls, writeConfigFile, type Simulator, type WorkerProcess,
} from './harness';

/**
 * A worker killed with SIGKILL after claiming a batch loses nothing: BullMQ hands its job to
 * another worker, which resumes the same batch (the claim is idempotent per job id).
 */
describe('crash safety', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  const workers: WorkerProcess[] = [];

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopWorker(w, 'SIGKILL')));
    await world?.close();
    await sim?.stop();
  });

  it('when the worker holding a claimed batch is killed, then another worker sends that batch', async () => {
    const started = await startSimulator();
    sim = started.sim;
    world = testWorld('crash');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: started.url }], {
      upstream: { timeoutMs: 60_000, connectTimeoutMs: 1000, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200 },
      worker: { concurrency: 4, stalledIntervalMs: 1000, lockDurationMs: 2000 },
    });
    const path = writeConfigFile(config);

    // VOD hangs: the first worker claims the batch and is stuck in the call when it dies
    sim.setFaults({ hangRate: 1 });
    const first = spawnWorker(path, world.prefix);
    workers.push(first);
    const requestId = await world.submit('news', assets(10));
    await eventually(async () => (await world.requests.get(requestId))?.counts.in_flight === 10, 'batch claimed');
    await stopWorker(first, 'SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(sim.calls()).toHaveLength(0);

    sim.setFaults({ hangRate: 0 });
    workers.push(spawnWorker(path, world.prefix));
    const r = await eventually(async () => {
      const s = await world.requests.get(requestId);
      return s && s.counts.submitted + s.counts.completed === 10 ? s : undefined;
    }, 'batch sent by the second worker', 60_000);
    expect(r.counts).toMatchObject({ pending: 0, in_flight: 0, failed: 0 });
    expect(sim.calls()).toHaveLength(1);
    expect(sim.calls()[0]?.items.sort()).toEqual(assets(10).map((a) => a.slice(2)).sort());
    expect(r.taskIds).toEqual([sim.calls()[0]!.taskId]);
  });

  it('when a worker is stopped in the middle of a large ingest, then it hands the request back and another finishes it', async () => {
    const started = await startSimulator();
    const world2 = testWorld('handback');
    try {
      const config = testConfig(world2.prefix, [{ id: 'news', endpoint: started.url, dailyLimit: 10 }]);
      const requestId = await world2.submit('news', urls(60_000));
      const first = await world2.worker(config);
      await eventually(async () => ((await world2.requests.get(requestId))?.ingested ?? 0) > 0 || undefined, 'ingest started');
      await first.stop();
      const halfway = await world2.requests.get(requestId);
      expect(halfway?.ingestDone).toBe(false);
      expect(halfway!.ingested).toBeLessThan(60_000);
      await world2.worker(config);
      const done = await eventually(async () => {
        const r = await world2.requests.get(requestId);
        return r?.ingestDone ? r : undefined;
      }, 'ingest finished by the second worker', 60_000);
      expect(done.ingested).toBe(60_000);
      const { pending, in_flight, submitted, completed } = done.counts;
      expect(pending + in_flight + submitted + completed).toBe(60_000);
    } finally {
      await world2.close();
      await started.sim.stop();
    }
  });

  it('when a job that claimed a batch is run again after dying before it woke a successor, then the rest of the backlog still goes out', async () => {
    const started = await startSimulator();
    const world3 = testWorld('rerun');
    try {
      const config = testConfig(world3.prefix, [{ id: 'news', endpoint: started.url }]);
      // coalesce 30 items with dispatching held, then claim one batch as a job that "died"
      await world3.dispatchQueue.pause();
      const requestId = await world3.submit('news', assets(30));
      const w = await world3.worker(config);
      await eventually(async () => (await world3.requests.get(requestId))?.ingestDone, 'coalesced');
      await world3.dispatchQueue.obliterate({ force: true });
      const day = budgetDay(Date.now(), 'Asia/Shanghai');
      const claim = await w.store.claim('news', 'died-1', { now: Date.now() + 5000, lingerMs: 0, maxItems: 10, dayId: day.dayId, dailyLimit: 1000, ttlSeconds: 600 });
      expect(claim.action).toBe('send');
      // BullMQ runs the same job again: only this job exists, no successor was ever added
      await world3.dispatchQueue.add('dispatch', { tenant: 'news' }, { jobId: 'died-1', attempts: 3 });
      await world3.dispatchQueue.resume();
      const r = await eventually(async () => {
        const s = await world3.requests.get(requestId);
        return s && s.counts.submitted + s.counts.completed === 30 ? s : undefined;
      }, 'whole backlog submitted');
      expect(r.counts).toMatchObject({ pending: 0, in_flight: 0 });
      expect(started.sim.calls().flatMap((c) => c.items)).toHaveLength(30);
    } finally {
      await world3.close();
      await started.sim.stop();
    }
  });

  it('when a job died right after splitting its batch, then its rerun queues the halves and every item goes out', async () => {
    const started = await startSimulator();
    const world4 = testWorld('split-rerun');
    try {
      const config = testConfig(world4.prefix, [{ id: 'news', endpoint: started.url }]);
      await world4.dispatchQueue.pause();
      const requestId = await world4.submit('news', assets(10));
      const w = await world4.worker(config);
      await eventually(async () => (await world4.requests.get(requestId))?.ingestDone, 'coalesced');
      await world4.dispatchQueue.obliterate({ force: true });
      const day = budgetDay(Date.now(), 'Asia/Shanghai');
      await w.store.claim('news', 'died-2', { now: Date.now() + 5000, lingerMs: 0, maxItems: 10, dayId: day.dayId, dailyLimit: 1000, ttlSeconds: 600 });
      // the dying run got as far as the split, not as far as queueing the halves
      expect(await w.store.splitBatch('news', 'died-2', Date.now())).toEqual(['died-2.1', 'died-2.2']);
      await world4.dispatchQueue.add('dispatch', { tenant: 'news' }, { jobId: 'died-2', attempts: 3 });
      await world4.dispatchQueue.resume();
      const r = await eventually(world4.settled(requestId), 'both halves sent');
      expect(r.counts.submitted + r.counts.completed).toBe(10);
      expect(started.sim.calls().map((c) => c.items.length).sort()).toEqual([5, 5]);
    } finally {
      await world4.close();
      await started.sim.stop();
    }
  });
});

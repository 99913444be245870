import { eventually, startSimulator, testConfig, testWorld, assets, type Simulator } from './harness';
import { spawnWorker, stopWorker, writeConfigFile, type WorkerProcess } from './processes';

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
      return s?.counts.submitted === 10 ? s : undefined;
    }, 'batch sent by the second worker', 60_000);
    expect(r.counts).toMatchObject({ pending: 0, in_flight: 0, failed: 0 });
    expect(sim.calls()).toHaveLength(1);
    expect(sim.calls()[0]?.items.sort()).toEqual(assets(10).map((a) => a.slice(2)).sort());
    expect(r.taskIds).toEqual([sim.calls()[0]!.taskId]);
  });
});

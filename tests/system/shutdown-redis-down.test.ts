import { callerWithKey, REDIS_URL, eventually, spawnApi, spawnWorker, startSimulator, stopWorker, testConfig, testWorld, writeConfigFile, type Simulator, type WorkerProcess, } from './harness';
import { startTcpProxy } from './tcp-proxy';

/**
 * A shutdown while Redis cannot be reached is bounded: queues and connections that cannot
 * close cleanly are given up after SHUTDOWN_GRACE_MS and a few seconds, and the process exits.
 * (Redis itself is never stopped: the processes reach it through a relay the test cuts.)
 */
describe('shutdown while Redis is unreachable', () => {
  let sim: Simulator;
  let world: ReturnType<typeof testWorld>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  const processes: WorkerProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopWorker(p, 'SIGKILL')));
    await proxy?.close();
    await world?.close();
    await sim?.stop();
  });

  it('when Redis goes away and then the API and a worker get SIGTERM, then both still exit', async () => {
    ({ sim } = await startSimulator());
    world = testWorld('redis-down');
    const redis = new URL(REDIS_URL);
    proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: 'http://127.0.0.1:9' }], {
      callers: [callerWithKey('cms', 'k', ['news'])],
    });
    const path = writeConfigFile(config);
    const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'info' };
    const api = await spawnApi(path, world.prefix, env);
    processes.push(api);
    const worker = spawnWorker(path, world.prefix, env);
    processes.push(worker);
    await eventually(async () => worker.output().includes('refresh worker started') || undefined, 'worker started');

    proxy.cut();
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    // the API's connections fail fast, so it closes cleanly; the worker's retrying connections
    // may not close at all, and then its deadline ends it with 1. Either way it ends.
    const [apiCode, workerCode] = await Promise.all([api.exited, worker.exited]);
    expect(apiCode).toBe(0);
    expect([0, 1]).toContain(workerCode);
  });
});

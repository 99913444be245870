import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createRefreshWorker } from '../src';
import { testConfig } from './harness';

// The policy is a server setting, so this runs on a redis-server of its own with an evicting
// policy, stopped by its pid; the shared Redis is never reconfigured.

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * redis-server on a port that was free when picked. Another process may bind it first: then the
 * server exits, and someone else's server could answer on that port, so only its own "Ready to
 * accept connections" counts, and it is started again on another port when it exited instead.
 */
async function startEvictingRedis(): Promise<{ server: ChildProcess; serverGone: Promise<unknown>; port: number; dir: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'worker-lru-redis-'));
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'allkeys-lru'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const serverGone = new Promise((resolve) => server.once('exit', resolve));
    let output = '';
    const ready = await new Promise<boolean>((resolve) => {
      server.stdout!.on('data', (d) => {
        output += String(d);
        if (output.includes('Ready to accept connections')) resolve(true);
      });
      void serverGone.then(() => resolve(false));
    });
    if (ready) {
      server.stdout!.resume();
      return { server, serverGone, port, dir };
    }
    rmSync(dir, { recursive: true, force: true });
    if (attempt === 5) throw new Error('redis-server exited at start five times (ports taken?)');
  }
}

describe('refresh worker start-up', () => {
  it('when Redis evicts keys (allkeys-lru), then the worker logs a warning naming the policy and still starts', async () => {
    const { server, serverGone, port, dir } = await startEvictingRedis();
    const url = `redis://127.0.0.1:${port}`;
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const base = testConfig('test-lru-worker', [{ id: 'lru', endpoint: 'http://127.0.0.1:9' }]);
    // this standalone server, even in the run on Redis Cluster (REDIS_CLUSTER_NODES would win over REDIS_URL)
    const worker = createRefreshWorker({ config: { ...base, env: { ...base.env, REDIS_URL: url, REDIS_CLUSTER_NODES: [] } }, logger });
    try {
      const probe = new Redis(url, { maxRetriesPerRequest: null });
      await probe.ping(); // waits (retrying) until the server listens
      probe.disconnect();

      await worker.start();

      expect(lines).toContainEqual(expect.objectContaining({ level: 40, policy: 'allkeys-lru', msg: expect.stringMatching(/not noeviction/) }));
      expect(await worker.ready()).toBe(true);
    } finally {
      await worker.stop();
      server.kill('SIGTERM');
      await serverGone;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

#!/usr/bin/env node
// `npm run test:cluster [-- JEST_ARGS]`: the Redis-backed integration suites (jest.cluster.config.js) on a
// three-master Redis Cluster started for the run (scripts/redis-cluster.mjs) and stopped after
// it, whatever the outcome. Every connection the tests, workers and APIs make is then a cluster
// client (REDIS_CLUSTER_NODES). Exits with jest's code.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clusterScript = join(root, 'scripts', 'redis-cluster.mjs');
const stateDir = mkdtempSync(join(tmpdir(), 'refresh-cluster-'));
const stop = () => spawnSync(process.execPath, [clusterScript, 'stop', stateDir], { stdio: 'inherit' });

const started = spawnSync(process.execPath, [clusterScript, 'start', stateDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const nodes = /^REDIS_CLUSTER_NODES=(.+)$/m.exec(started.stdout ?? '')?.[1];
if (started.status !== 0 || !nodes) {
  console.error('test:cluster: the Redis Cluster did not start');
  stop();
  process.exit(1);
}
console.log(`Redis Cluster at ${nodes}`);

const jest = spawn(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', join(root, 'jest.cluster.config.js'), ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, REDIS_CLUSTER_NODES: nodes },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => jest.kill(signal));
jest.on('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});

#!/usr/bin/env node
// A throwaway three-master Redis Cluster on loopback, for `npm run test:cluster` and CI.
//
//   node scripts/redis-cluster.mjs start [STATE_DIR]   prints REDIS_CLUSTER_NODES=host:port,...
//   node scripts/redis-cluster.mjs stop  [STATE_DIR]
//
// Uses the redis-server / redis-cli on the PATH (Debian's package), spare ports (each with its
// cluster bus port, +10000, free too), no persistence, data in STATE_DIR (default: a fixed
// folder under the OS temp dir). `stop` ends the servers by the pids `start` wrote there, never
// by name, so the shared Redis on 6379 and anyone else's servers are left alone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MASTERS = 3;
const [command, dirArg] = process.argv.slice(2);
const dir = dirArg ?? join(tmpdir(), 'refresh-redis-cluster');
const stateFile = join(dir, 'state.json');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port the OS hands out whose bus port (port + 10000) is free too. */
async function sparePort(taken) {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 35000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10000))) return port;
  }
  throw new Error('no spare port pair found');
}

function cli(port, ...args) {
  const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function stop() {
  if (!existsSync(stateFile)) return;
  const { pids } = JSON.parse(readFileSync(stateFile, 'utf8'));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

async function start() {
  stop(); // a cluster left by an earlier run in the same folder
  mkdirSync(dir, { recursive: true });
  const ports = [];
  const taken = new Set();
  for (let i = 0; i < MASTERS; i++) {
    const p = await sparePort(taken);
    ports.push(p);
    taken.add(p).add(p + 10000);
  }
  const pids = [];
  for (const port of ports) {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    const log = openSync(join(nodeDir, 'redis.log'), 'a');
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
      '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-node-timeout', '5000',
      '--save', '', '--appendonly', 'no', '--dir', nodeDir, '--daemonize', 'no',
    ], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    pids.push(child.pid);
  }
  writeFileSync(stateFile, JSON.stringify({ ports, pids }));
  for (const port of ports) await until(`redis-server on ${port}`, () => cli(port, 'ping').out.includes('PONG'));
  const nodes = ports.map((p) => `127.0.0.1:${p}`);
  const created = cli(ports[0], '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes');
  if (!created.ok) throw new Error(`redis-cli --cluster create failed:\n${created.out}`);
  for (const port of ports) {
    await until(`cluster_state:ok on ${port}`, () => cli(port, 'cluster', 'info').out.includes('cluster_state:ok'));
  }
  console.log(`REDIS_CLUSTER_NODES=${nodes.join(',')}`);
}

if (command === 'start') {
  start().catch((err) => {
    console.error(err.message);
    stop();
    process.exit(1);
  });
} else if (command === 'stop') {
  stop();
} else {
  console.error('usage: redis-cluster.mjs start|stop [STATE_DIR]');
  process.exit(2);
}

#!/usr/bin/env node
// `npm start`: the whole service on one machine with no set-up — VOD simulator, worker and API,
// each as its own process, exactly as they run alone (`npm run start:api` etc.).
// Uses REDIS_URL (default redis://127.0.0.1:6379); when nothing answers there and a
// redis-server binary is on the PATH, starts one on loopback with its data under .data/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import configPkg from '@refresh/config';
import nodeVersion from './node-version.cjs';
import { serviceNodeArgs } from './service-node-args.mjs';

const { DEMO } = configPkg;
nodeVersion.assertNodeVersion('npm start');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
env.REDIS_URL ??= 'redis://127.0.0.1:6379';
const redisUrl = new URL(env.REDIS_URL);
const children = [];

function reachable(host, port) {
  return new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: 1000 });
    s.once('connect', () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

function run(name, args, extraEnv = {}) {
  const child = spawn(process.execPath, [...serviceNodeArgs(name), ...args], { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the rest`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // reverse order: API first so nothing new arrives, then worker, simulator, Redis
  for (const c of [...children].reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const host = redisUrl.hostname || '127.0.0.1';
const port = Number(redisUrl.port || 6379);
if (!(await reachable(host, port))) {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const isLoopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (which.status !== 0 || !isLoopback) {
    console.error(`No Redis answers at ${env.REDIS_URL}${isLoopback ? ' and no redis-server is on the PATH' : ''}.\n` +
      'Start Redis (or set REDIS_URL to one) and run npm start again.');
    process.exit(1);
  }
  const dataDir = join(root, '.data');
  mkdirSync(dataDir, { recursive: true });
  console.log(`No Redis at ${env.REDIS_URL}: starting redis-server on 127.0.0.1:${port} with data in .data/`);
  const redis = spawn(which.stdout.trim(), ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir,
    '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', ''], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(redis);
  for (let i = 0; i < 50 && !(await reachable(host, port)); i++) await new Promise((r) => setTimeout(r, 100));
}

const demo = !env.REFRESH_CONFIG;
const simPort = env.SIM_PORT ?? '9000';
if (demo) env.SIMULATOR_URL ??= `http://127.0.0.1:${simPort}`;
run('vod-simulator', ['services/vod-simulator/dist/main.js'], { SIM_PORT: simPort });
run('refresh-worker', ['services/refresh-worker/dist/main.js']);
run('ingest-api', ['services/ingest-api/dist/main.js']);

const apiPort = env.PORT ?? '8080';
setTimeout(() => {
  if (stopping) return;
  console.log(`\nRefresh service on http://127.0.0.1:${apiPort} (simulated VOD on :${simPort})`);
  if (demo) {
    console.log(`Demo tenant "demo", API key: ${DEMO.apiKey}\nTry:\n` +
      `  curl -s -X POST http://127.0.0.1:${apiPort}/v1/tenants/demo/refresh-requests \\\n` +
      `    -H 'Authorization: Bearer ${DEMO.apiKey}' -H 'Content-Type: application/json' \\\n` +
      `    -d '{"urls":["https://cdn.example.com/movies/1.m3u8"],"asset_ids":["a1b2c3"]}'\n` +
      `  curl -s http://127.0.0.1:${apiPort}/v1/refresh-requests/<request_id> -H 'Authorization: Bearer ${DEMO.apiKey}'\n`);
  }
}, 1500).unref();

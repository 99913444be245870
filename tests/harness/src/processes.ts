import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@refresh/config';
import { REDIS_ENV } from './harness';

const SERVICES = join(__dirname, '..', '..', '..', 'services');
const WORKER_MAIN = join(SERVICES, 'refresh-worker', 'dist', 'main.js');
const API_MAIN = join(SERVICES, 'ingest-api', 'dist', 'main.js');
/** the API's Node options, as every launcher gives them (its package.json's `nodeArgs`) */
const API_NODE_ARGS = (JSON.parse(readFileSync(join(SERVICES, 'ingest-api', 'package.json'), 'utf8')) as { nodeArgs?: string[] }).nodeArgs ?? [];

/** Writes the config a test built in memory to a file, as an operator would. */
export function writeConfigFile(config: AppConfig): string {
  const { env: _env, source: _source, ...file } = config;
  const dir = mkdtempSync(join(tmpdir(), 'refresh-test-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(file));
  return path;
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts the built worker (`dist/main.js`) as a real child process. */
export function spawnWorker(configPath: string, prefix: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, ...REDIS_ENV, REFRESH_CONFIG: configPath, KEY_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export interface ApiProcess extends WorkerProcess {
  /** the API's base URL, once it listens */
  url: string;
}

/**
 * Starts the built API (`ingest-api/dist/main.js`) as a real child process on a port of its own
 * choosing, and resolves once it listens (read from its "listening" log line) and is ready.
 */
export async function spawnApi(configPath: string, prefix: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  const child = spawn(process.execPath, [...API_NODE_ARGS, API_MAIN], {
    env: { ...process.env, ...REDIS_ENV, REFRESH_CONFIG: configPath, KEY_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const look = () => {
      const m = /"port":(\d+)[^\n]*"msg":"ingest API listening"/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout?.on('data', look);
    void exited.then((code) => reject(new Error(`the API exited with ${code} before listening:\n${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  // listening is not ready: on a cluster the API answers 503 until its connections know the slots
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error(`the API never became ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out, exited, url };
}

/** Stops a worker we started, by its pid only. */
export async function stopWorker(w: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill(signal);
  await w.exited;
}

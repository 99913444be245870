import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@refresh/config';
import { REDIS_URL } from './harness';

const WORKER_MAIN = join(__dirname, '..', 'dist', 'main.js');

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
    env: { ...process.env, REDIS_URL, REFRESH_CONFIG: configPath, KEY_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Stops a worker we started, by its pid only. */
export async function stopWorker(w: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill(signal);
  await w.exited;
}

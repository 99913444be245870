/**
 * The fault suite's processes, all real and all on loopback: a Redis of its own (AOF, fsync on
 * every write), the simulator, the built API and N built workers. Each is started by this file
 * and stopped by its own pid, never by name; restarting keeps the port, the data dir and the
 * clock offset, as a process supervisor would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const ROOT = join(__dirname, '..', '..', '..');
const API_MAIN = join(ROOT, 'services', 'ingest-api', 'dist', 'main.js');
const WORKER_MAIN = join(ROOT, 'services', 'refresh-worker', 'dist', 'main.js');
const SIM_MAIN = join(ROOT, 'services', 'vod-simulator', 'dist', 'main.js');

export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** A child we started; `output` keeps its last lines for a failure report. */
export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private tail = '';

  constructor(readonly name: string, command: string, args: string[], env: Record<string, string>) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (this.tail = (this.tail + d.toString()).slice(-4000));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail;
  }

  /** Signals this process (by its pid) and waits for it to exit. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await this.exited;
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const answers = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;

export interface StackOptions {
  /** the service's config file contents (tenants' endpoints are filled in with the simulator's URL) */
  serviceConfig: (simUrl: string) => Record<string, unknown>;
  simConfig: Record<string, unknown>;
  workers: number;
  clockOffsetMs: number;
  keyPrefix: string;
}

export class FaultStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'refresh-faults-'));
  redisPort = 0;
  apiPort = 0;
  simPort = 0;
  redis?: Proc;
  api?: Proc;
  sim?: Proc;
  workers: Array<Proc | undefined> = [];
  private configPath = '';

  constructor(private readonly opts: StackOptions) {}

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redisPort}`;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }
  get simUrl(): string {
    return `http://127.0.0.1:${this.simPort}`;
  }

  async start(): Promise<void> {
    [this.redisPort, this.apiPort, this.simPort] = [await sparePort(), await sparePort(), await sparePort()];
    const simConfigPath = join(this.dir, 'sim.json');
    writeFileSync(simConfigPath, JSON.stringify(this.opts.simConfig));
    this.configPath = join(this.dir, 'config.json');
    writeFileSync(this.configPath, JSON.stringify(this.opts.serviceConfig(this.simUrl)));
    await this.startRedis();
    this.sim = new Proc('simulator', process.execPath, [SIM_MAIN], {
      SIM_PORT: String(this.simPort), SIM_CONFIG: simConfigPath, SIM_CLOCK_OFFSET_MS: String(this.opts.clockOffsetMs), LOG_LEVEL: 'warn',
    });
    await until('the simulator', answers(`${this.simUrl}/healthz`));
    await this.startApi();
    for (let i = 0; i < this.opts.workers; i++) this.startWorker(i);
  }

  async startRedis(): Promise<void> {
    this.redis = new Proc('redis', 'redis-server', [
      '--port', String(this.redisPort), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no',
    ], {});
    await until('redis', async () => {
      const r = new Redis(this.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    });
  }

  private serviceEnv(): Record<string, string> {
    return {
      REDIS_URL: this.redisUrl, REFRESH_CONFIG: this.configPath, KEY_PREFIX: this.opts.keyPrefix,
      CLOCK_OFFSET_MS: String(this.opts.clockOffsetMs), LOG_LEVEL: 'error',
    };
  }

  async startApi(): Promise<void> {
    this.api = new Proc('api', process.execPath, [API_MAIN], { ...this.serviceEnv(), PORT: String(this.apiPort) });
    await until('the API', answers(`${this.apiUrl}/healthz`));
  }

  startWorker(slot: number): void {
    this.workers[slot] = new Proc(`worker-${slot}`, process.execPath, [WORKER_MAIN], { ...this.serviceEnv(), METRICS_PORT: '0' });
  }

  async setSimFaults(faults: Record<string, number>): Promise<void> {
    const res = await fetch(`${this.simUrl}/_sim/faults`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults),
    });
    if (!res.ok) throw new Error(`simulator refused faults ${JSON.stringify(faults)}: ${res.status}`);
  }

  /** Every process still running gets SIGTERM (SIGKILL for Redis: its data dir is thrown away). */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w?.stop('SIGKILL')));
    await this.api?.stop('SIGKILL');
    await this.sim?.stop('SIGTERM');
    await this.redis?.stop('SIGKILL');
  }

  /** The last lines of every process, for a failure message. */
  outputs(): string {
    return [this.redis, this.sim, this.api, ...this.workers]
      .filter((p): p is Proc => p !== undefined)
      .map((p) => `--- ${p.name} (${p.running ? 'running' : 'exited'})\n${p.output().slice(-1500)}`)
      .join('\n');
  }
}

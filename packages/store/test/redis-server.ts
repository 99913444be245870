import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own, for settings the shared one must not be given. */
export interface OwnRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

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

/** One PING over a plain socket (a client library would keep retry timers alive). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += String(d);
      if (reply.includes('\r\n')) socket.end();
    });
    socket.once('close', () => resolve(reply.startsWith('+PONG')));
    socket.once('error', () => undefined);
  });
}

/**
 * Starts `redis-server` on a spare loopback port with `args` added, no persistence, and waits
 * until it answers PING. stop() ends it by its pid, never by name: the shared Redis stays up.
 *
 * The port is free when picked, not reserved: another process may bind it before the server
 * does. Then the server exits, and a PING on that port could be answered by someone else's
 * server; so only the server's own "Ready to accept connections" counts, and a server that
 * exited first is started again on another port.
 */
export async function startOwnRedis(args: string[]): Promise<OwnRedis> {
  for (let attempt = 1; ; attempt++) {
    const started = await startOnSparePort(args);
    if (started) return started;
    if (attempt === 5) throw new Error('redis-server exited at start five times (ports taken?)');
  }
}

async function startOnSparePort(args: string[]): Promise<OwnRedis | undefined> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'own-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  let output = '';
  const listening = new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (d) => {
      output += String(d);
      if (output.includes('Ready to accept connections')) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  try {
    if (!(await listening)) {
      await stop();
      return undefined;
    }
    child.stdout!.resume(); // keeps reading what it logs later, so it never blocks on a full pipe
    for (let i = 0; !(await answersPing(port)); i++) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
      if (i > 100) throw new Error(`redis-server on port ${port} did not answer PING`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid ?? -1, stop };
}

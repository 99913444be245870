// A redis-server of the bench's own on a spare loopback port, configured like the shared one
// (no persistence) but with noeviction stated and a slow log kept: other helpers' tests on the shared Redis would
// otherwise add their Lua scripts to our latencies. Stopped by its pid, never by name.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { freePort, waitTcp } from './children.mjs';

export async function startOwnRedis(check) {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'load-bench-redis-'));
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--maxmemory-policy', 'noeviction', '--dir', dir,
    // every command that runs 2 ms or longer is kept: Redis blocked by one script shows here
    '--slowlog-log-slower-than', '2000', '--slowlog-max-len', '100000',
  ], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let failed = null;
  child.once('error', (err) => (failed = err));
  await waitTcp(port, 10_000, () => {
    if (failed) throw new Error(`cannot start redis-server: ${failed.message}`);
    check();
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    },
  };
}

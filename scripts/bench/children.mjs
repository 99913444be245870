/* global AbortSignal */
// Child processes of the benchmark: start them, wait until they answer, read their CPU and
// memory from /proc, and stop them, only ever by their own pid.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { serviceNodeArgs } from '../service-node-args.mjs';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const TAIL_LINES = 40;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** kB of resident memory now and at its peak (VmRSS, VmHWM), or null once the process is gone. */
export function procMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far, or null once it is gone. */
export function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)" start at field 3; utime and stime are fields 14 and 15
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Starts `node <script>`; its output is forwarded to our stderr, prefixed with its name, and the
 * last lines kept for the error report (all of them; lines `quiet` picks are only not
 * forwarded). `onUnexpectedExit` fires if it ends before stop().
 */
export function startChild(name, script, { cwd, env, onUnexpectedExit, quiet = () => false, nodeArgs = [] }) {
  // own process group: a terminal's Ctrl-C reaches only the bench, which stops them in order;
  // a service runs with its own Node options, as it does in production
  const child = spawn(process.execPath, [...serviceNodeArgs(name), ...nodeArgs, script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const handle = { name, pid: child.pid, child, stopping: false, tail: [] };
  const forward = (stream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        handle.tail.push(line);
        if (handle.tail.length > TAIL_LINES) handle.tail.shift();
        if (!quiet(line)) process.stderr.write(`[${name}] ${line}\n`);
      }
    });
  };
  forward(child.stdout);
  forward(child.stderr);
  handle.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  void handle.exited.then((how) => {
    if (!handle.stopping) onUnexpectedExit(new Error(`${name} (pid ${handle.pid}) exited unexpectedly (${how})\n${handle.tail.join('\n')}`));
  });
  return handle;
}

export function isRunning(handle) {
  return handle.child.exitCode === null && handle.child.signalCode === null;
}

/** SIGTERM by pid, SIGKILL after `graceMs`; resolves once the process is gone. Safe to call twice. */
export function stopChild(handle, graceMs = 10_000) {
  handle.stopped ??= terminate(handle, graceMs);
  return handle.stopped;
}

async function terminate(handle, graceMs) {
  handle.stopping = true;
  if (!isRunning(handle)) return;
  process.kill(handle.pid, 'SIGTERM');
  let timer;
  const gone = await Promise.race([handle.exited.then(() => true), new Promise((r) => (timer = setTimeout(() => r(false), graceMs)))]);
  clearTimeout(timer);
  if (!gone && isRunning(handle)) {
    process.stderr.write(`${handle.name} (pid ${handle.pid}) ignored SIGTERM for ${graceMs} ms: SIGKILL\n`);
    process.kill(handle.pid, 'SIGKILL');
    await handle.exited;
  }
}

/** Polls `url` until it answers 200; throws after `timeoutMs` or as soon as `check()` throws. */
export async function waitHttpOk(url, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Waits until something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitTcp(port, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    const ok = await new Promise((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

// What the benchmark reads from Redis: INFO sections, command statistics, and the clean-up of
// its own key prefix (and nothing else: the Redis is shared).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** INFO <section> as a map of field → string. */
export async function info(redis, section) {
  const text = await redis.info(section);
  const out = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

/** Calls and µs per command since the server started (calls inside Lua scripts included). */
export async function commandStats(redis) {
  const raw = await info(redis, 'commandstats');
  const out = {};
  for (const [field, value] of Object.entries(raw)) {
    const m = /calls=(\d+),usec=(\d+)/.exec(value);
    if (m) out[field.replace(/^cmdstat_/, '')] = { calls: Number(m[1]), usec: Number(m[2]) };
  }
  return out;
}

export async function redisCpuSeconds(redis) {
  const cpu = await info(redis, 'cpu');
  return Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys);
}

/** The commands that took the most server time between two commandStats() snapshots. */
export function topCommands(before, after, limit) {
  return Object.entries(after)
    .map(([name, a]) => ({ name, calls: a.calls - (before[name]?.calls ?? 0), usec: a.usec - (before[name]?.usec ?? 0) }))
    .filter((c) => c.calls > 0)
    .sort((x, y) => y.usec - x.usec)
    .slice(0, limit);
}

/** SCAN MATCH `<prefix>:*` + UNLINK; then waits until Redis has freed them in the background. */
export async function deletePrefix(redis, prefix) {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  for (let i = 0; i < 300; i++) {
    const mem = await info(redis, 'memory');
    if (Number(mem.lazyfree_pending_objects ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return deleted;
}

/** sha1 → file name of our Lua scripts, to name the EVALSHAs of the slow log. */
export function scriptNames(luaDir) {
  const names = new Map();
  for (const file of readdirSync(luaDir)) {
    if (file.endsWith('.lua')) names.set(createHash('sha1').update(readFileSync(join(luaDir, file), 'utf8')).digest('hex'), file);
  }
  return names;
}

/**
 * The slow log since the last call (which empties it): how many commands ran at least the
 * server's threshold, and the longest, by command (our scripts by file name; BullMQ's and
 * others' by sha) with the largest argument count seen (a coalescing step has one per item).
 */
export async function slowCommands(redis, names) {
  const entries = await redis.slowlog('GET', -1);
  await redis.slowlog('RESET');
  const byName = new Map();
  for (const [, , usec, args] of entries) {
    const cmd = String(args[0]).toLowerCase();
    const name = cmd === 'evalsha' ? (names.get(String(args[1])) ?? `evalsha ${String(args[1]).slice(0, 8)}`) : cmd;
    // Redis keeps 32 arguments at most, the last one saying how many more there were
    const more = /^\.\.\. \((\d+) more arguments\)$/.exec(String(args.at(-1)));
    const argc = more ? args.length - 2 + Number(more[1]) : args.length - 1;
    const s = byName.get(name) ?? { name, count: 0, maxMs: 0, totalMs: 0, maxArgs: 0 };
    s.count++;
    s.maxMs = Math.max(s.maxMs, Number(usec) / 1000);
    s.totalMs += Number(usec) / 1000;
    s.maxArgs = Math.max(s.maxArgs, argc);
    byName.set(name, s);
  }
  return [...byName.values()].sort((a, b) => b.totalMs - a.totalMs);
}

import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import type { RedisClient } from '../src';
import { scriptSource } from '../src/scripts';

/** Our Lua scripts, includes pasted in, by the SHA1 ioredis sends with EVALSHA (and their source, sent by EVAL). */
const luaDir = join(__dirname, '..', 'lua');
export const LUA_FILES = readdirSync(luaDir).filter((f) => f.endsWith('.lua'));
const byDigest = new Map<string, string>();
const bySource = new Map<string, string>();
for (const file of LUA_FILES) {
  const src = scriptSource(file);
  byDigest.set(createHash('sha1').update(src).digest('hex'), file);
  bySource.set(src, file);
}

export interface ScriptCall {
  /** the .lua file, or `other` (BullMQ's own scripts) */
  script: string;
  keys: string[];
  argv: string[];
}

/**
 * Records every EVAL/EVALSHA the client sends, pipelines included, as it goes out (the
 * connection is real; this only listens). Returns the list it fills.
 */
export function recordScriptCalls(redis: RedisClient): ScriptCall[] {
  const calls: ScriptCall[] = [];
  const target = redis as unknown as { sendCommand: (cmd: { name: string; args: unknown[] }, ...rest: unknown[]) => unknown };
  const send = target.sendCommand.bind(redis);
  target.sendCommand = (cmd, ...rest) => {
    if (cmd.name === 'evalsha' || cmd.name === 'eval') {
      const [head, n, ...rest2] = cmd.args.map(String);
      const numKeys = Number(n);
      const script = (cmd.name === 'evalsha' ? byDigest.get(head!) : bySource.get(head!)) ?? 'other';
      calls.push({ script, keys: rest2.slice(0, numKeys), argv: rest2.slice(numKeys) });
    }
    return send(cmd, ...rest);
  };
  return calls;
}

/**
 * Why a call could not run on Redis Cluster, or null. Its KEYS must share one slot, and so must
 * every ARGV under the key prefix: scripts build the keys they do not declare (instances,
 * requests, batches) from such prefixes, and Redis 7 checks those only against the node, not
 * the slot, so a wrong one would pass until the slots were spread differently.
 */
export function slotViolation(call: ScriptCall, keyPrefix: string): string | null {
  const named = [...call.keys, ...call.argv.filter((a) => a.startsWith(`${keyPrefix}:`))];
  const slots = new Set(named.map((k) => calculateSlot(k)));
  return slots.size > 1 ? `${call.script} touches ${slots.size} slots: ${named.join(' ')}` : null;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

/** Lua scripts live one a file in ../lua; the header of each documents KEYS and ARGV. */
const SCRIPTS = {
  coalesceItems: { file: 'coalesce-items.lua', keys: 7 },
  claimBatch: { file: 'claim-batch.lua', keys: 9 },
  beginAttempt: { file: 'begin-attempt.lua', keys: 2 },
  holdBudget: { file: 'hold-budget.lua', keys: 2 },
  finishBatch: { file: 'finish-batch.lua', keys: 1 },
  recordResults: { file: 'record-results.lua', keys: 1 },
  splitBatch: { file: 'split-batch.lua', keys: 1 },
  finishIngest: { file: 'finish-ingest.lua', keys: 5 },
  readTenantState: { file: 'read-tenant-state.lua', keys: 7 },
  releaseTokenLock: { file: 'release-token-lock.lua', keys: 1 },
  invalidateToken: { file: 'invalidate-token.lua', keys: 1 },
  claimProbe: { file: 'claim-probe.lua', keys: 1 },
  throttleTenant: { file: 'throttle-tenant.lua', keys: 1 },
  acquireCallSlot: { file: 'acquire-call-slot.lua', keys: 1 },
  markQuotaSpent: { file: 'mark-quota-spent.lua', keys: 1 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;
export type ScriptedRedis = Redis & Record<ScriptName, ScriptFn>;

const luaDir = join(__dirname, '..', 'lua');
const sources = new Map<ScriptName, string>();

/** Registers every script on the client (EVALSHA with a fallback to EVAL, by ioredis). */
export function withScripts(redis: Redis): ScriptedRedis {
  for (const [name, { file, keys }] of Object.entries(SCRIPTS) as Array<[ScriptName, (typeof SCRIPTS)[ScriptName]]>) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] === 'function') continue;
    let lua = sources.get(name);
    if (!lua) {
      lua = readFileSync(join(luaDir, file), 'utf8');
      sources.set(name, lua);
    }
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return redis as ScriptedRedis;
}

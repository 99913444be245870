import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from './connections';

/**
 * Lua scripts live one a file in ../lua; the header of each documents KEYS and ARGV. A fragment
 * shared by several scripts lives in ../lua/includes and is pulled in by a line
 * `--- @include "includes/<file>.lua"` (bullmq's convention), so there is one copy to change.
 */
const SCRIPTS = {
  coalesceItems: { file: 'coalesce-items.lua', keys: 13 },
  claimBatch: { file: 'claim-batch.lua', keys: 16 },
  beginAttempt: { file: 'begin-attempt.lua', keys: 4 },
  holdBudget: { file: 'hold-budget.lua', keys: 4 },
  deferBatch: { file: 'defer-batch.lua', keys: 1 },
  finishBatch: { file: 'finish-batch.lua', keys: 3 },
  recordResults: { file: 'record-results.lua', keys: 3 },
  splitBatch: { file: 'split-batch.lua', keys: 1 },
  finishIngest: { file: 'finish-ingest.lua', keys: 6 },
  admitRequest: { file: 'admit-request.lua', keys: 8 },
  stageChunk: { file: 'stage-chunk.lua', keys: 7 },
  openUpload: { file: 'open-upload.lua', keys: 1 },
  claimIdempotencyKey: { file: 'claim-idempotency-key.lua', keys: 1 },
  discardRequest: { file: 'discard-request.lua', keys: 7 },
  readTenantState: { file: 'read-tenant-state.lua', keys: 8 },
  readRequestPosition: { file: 'read-request-position.lua', keys: 9 },
  releaseTokenLock: { file: 'release-token-lock.lua', keys: 1 },
  invalidateToken: { file: 'invalidate-token.lua', keys: 1 },
  claimProbe: { file: 'claim-probe.lua', keys: 1 },
  throttleTenant: { file: 'throttle-tenant.lua', keys: 1 },
  acquireCallSlot: { file: 'acquire-call-slot.lua', keys: 1 },
  countAuthFailure: { file: 'count-auth-failure.lua', keys: 1 },
  markQuotaSpent: { file: 'mark-quota-spent.lua', keys: 2 },
  markWebhookDelivered: { file: 'mark-webhook-delivered.lua', keys: 1 },
  cancelItems: { file: 'cancel-items.lua', keys: 4 },
  requeueFailed: { file: 'requeue-failed.lua', keys: 7 },
  markRetired: { file: 'mark-retired.lua', keys: 2 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
type ScriptFn = (...args: Array<string | number | Buffer>) => Promise<unknown>;
export type ScriptedRedis = RedisClient & Record<ScriptName, ScriptFn>;

const luaDir = join(__dirname, '..', 'lua');
const sources = new Map<ScriptName, string>();
const INCLUDE = /^--- @include "([\w./-]+)"$/gm;

/** A script's source with its includes pasted in (one level: fragments include nothing). */
export function scriptSource(file: string): string {
  return readFileSync(join(luaDir, file), 'utf8').replace(INCLUDE, (_, inc: string) => readFileSync(join(luaDir, inc), 'utf8'));
}

/** Registers every script on the client (EVALSHA with a fallback to EVAL, by ioredis). */
export function withScripts(redis: RedisClient): ScriptedRedis {
  for (const [name, { file, keys }] of Object.entries(SCRIPTS) as Array<[ScriptName, (typeof SCRIPTS)[ScriptName]]>) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] === 'function') continue;
    let lua = sources.get(name);
    if (!lua) {
      lua = scriptSource(file);
      sources.set(name, lua);
    }
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return redis as ScriptedRedis;
}

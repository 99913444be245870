import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../connections';

/**
 * Lua scripts live one a file in ../../lua; the header of each documents KEYS and ARGV. A fragment
 * shared by several scripts lives in ../../lua/includes and is pulled in by a line
 * `--- @include "includes/<file>.lua"` (bullmq's convention), so there is one copy to change.
 * Each script's key count is declared here and nowhere else: its typed function (./<script>.ts)
 * builds the keys, runScript checks that it built this many, and registry.test.ts that the count
 * is the one the script's header documents.
 */
export const SCRIPTS = {
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
} as const satisfies Record<string, { file: string; keys: number }>;

export type ScriptName = keyof typeof SCRIPTS;

/** What one call of a script sends: its KEYS, then its ARGV, in the order its header lists them. */
export interface ScriptArgs {
  keys: string[];
  argv: Array<string | number | Buffer>;
}

declare const scriptsDefined: unique symbol;
/** A client on which withScripts has defined every script: the only kind the typed functions take. */
export type ScriptedRedis = RedisClient & { readonly [scriptsDefined]: true };

type ScriptCommand = (args: Array<string | number | Buffer>) => unknown;

const luaDir = join(__dirname, '..', '..', 'lua');
const sources = new Map<ScriptName, string>();
const INCLUDE = /^--- @include "([\w./-]+)"$/gm;

/** A script's source with its includes pasted in (one level: fragments include nothing). */
export function scriptSource(file: string): string {
  return readFileSync(join(luaDir, file), 'utf8').replace(INCLUDE, (_, inc: string) => readFileSync(join(luaDir, inc), 'utf8'));
}

/** Registers every script on the client (EVALSHA with a fallback to EVAL, by ioredis). */
export function withScripts(redis: RedisClient): ScriptedRedis {
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    if (typeof commandOf(redis, name) === 'function') continue;
    const { file, keys } = SCRIPTS[name];
    let lua = sources.get(name);
    if (!lua) {
      lua = scriptSource(file);
      sources.set(name, lua);
    }
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return redis as ScriptedRedis;
}

/** Runs a script: the reply as Redis gave it, for the script's typed function to read. */
export async function runScript(redis: ScriptedRedis, name: ScriptName, args: ScriptArgs): Promise<unknown> {
  return command(redis, name)(sent(name, args));
}

/**
 * Adds a script call to a pipeline made by a ScriptedRedis (ioredis copies the client's
 * scripts onto its pipelines); its reply comes with the pipeline's.
 */
export function queueScript(pipe: ChainableCommander, name: ScriptName, args: ScriptArgs): void {
  void command(pipe, name)(sent(name, args));
}

/** The arguments after the key count (ioredis puts the count in), checked against the count declared. */
function sent(name: ScriptName, { keys, argv }: ScriptArgs): Array<string | number | Buffer> {
  const declared = SCRIPTS[name].keys;
  if (keys.length !== declared) throw new Error(`${SCRIPTS[name].file} takes ${declared} keys, given ${keys.length}`);
  // one array, which ioredis flattens: a chunk's thousands of items are never spread into a call
  return [...keys, ...argv];
}

function command(client: RedisClient | ChainableCommander, name: ScriptName): ScriptCommand {
  const fn = commandOf(client, name);
  if (typeof fn !== 'function') throw new Error(`script ${name} is not defined on this client (withScripts)`);
  return fn.bind(client) as ScriptCommand;
}

function commandOf(client: RedisClient | ChainableCommander, name: string): unknown {
  return (client as unknown as Record<string, unknown>)[name];
}

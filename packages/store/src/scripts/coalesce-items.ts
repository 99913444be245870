import type { Priority } from '@refresh/core';
import type { PreparedChunk } from '../coalesce-chunk';
import { PRIORITY_CODE, type TenantKeys } from '../keys';
import { runScript, type ScriptArgs, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** One chunk of a request's item keys, from line `cursor` of its stage (DispatchStore `coalesce` says what each is). */
export interface CoalesceChunk {
  requestId: string;
  priority: Priority;
  cursor: number;
  rawCount: number;
  /** the chunk's item keys, prepared (`prepareChunk`) */
  chunk: PreparedChunk;
  now: number;
  minRefreshIntervalMs: number;
  dayId: string;
  rawBytes: number;
}

/** What a chunk did; `held` (created but held by the debounce) and `covered` only when there are any. */
export interface CoalescedChunk {
  created: number;
  linked: number;
  duplicates: number;
  held?: number;
  covered?: number;
}

/** The script's answers other than counts: the chunk was applied already, or the request was canceled. */
const APPLIED_ALREADY = -1;
const CANCELED = -2;

function coalesceItemsArgs(k: TenantKeys, c: CoalesceChunk): ScriptArgs {
  const { chunk } = c;
  return {
    keys: [
      k.pending, k.seq, k.request(c.requestId), k.requestItems(c.requestId), k.requestSeen(c.requestId),
      k.queue('asset_id', c.priority), k.queue('url', c.priority), k.staged, k.lanes, k.lastSent, k.held, k.ledger(c.dayId), k.stagedBytes,
    ],
    argv: [
      c.requestId, PRIORITY_CODE[c.priority], c.now, c.cursor, c.rawCount, k.instancePrefix, c.minRefreshIntervalMs, c.rawBytes, chunk.assetIds === null ? 0 : 1,
      chunk.keys, chunk.digests, chunk.repeats, chunk.digestsDistinct ? 1 : 0, ...(chunk.assetIds === null ? [] : [chunk.assetIds]),
    ],
  };
}

/**
 * coalesce-items.lua: applies one chunk. null when it was applied already (a worker that died
 * mid-request resumes), 'canceled' once an admin canceled the request.
 */
export async function coalesceItems(redis: ScriptedRedis, k: TenantKeys, c: CoalesceChunk): Promise<CoalescedChunk | null | 'canceled'> {
  const res = replyList('coalesceItems', await runScript(redis, 'coalesceItems', coalesceItemsArgs(k, c)));
  if (res[0] === APPLIED_ALREADY) return null;
  if (res[0] === CANCELED) return 'canceled';
  // {created, linked, duplicates, held, covered}
  const [created = 0, linked = 0, duplicates = 0, held, covered] = res.map(Number);
  return { created, linked, duplicates, ...(held ? { held } : {}), ...(covered ? { covered } : {}) };
}

import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** One page of a cancel. */
export interface CanceledPage {
  /** pending items canceled */
  canceled: number;
  /** pending items another request still wants */
  kept: number;
  /** the next page's first index, or -1 after the last page */
  next: number;
  /** lines of the request that will never be coalesced */
  notIngested: number;
  /** requests this page completed */
  completedRequests: string[];
}

/** The script's answer when the request is gone. */
const GONE = -1;

/** cancel-items.lua: cancels one page of the request's pending items no other request wants; 'gone' when the request is. */
export async function cancelItems(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; from: number; pageSize: number; now: number; ttlSeconds: number },
): Promise<CanceledPage | 'gone'> {
  const reply = await runScript(redis, 'cancelItems', {
    keys: [k.pending, k.request(r.requestId), k.requestItems(r.requestId), k.completions],
    argv: [r.requestId, r.from, r.pageSize, r.now, r.ttlSeconds, k.instancePrefix, k.requestPrefix],
  });
  // {canceled, kept, next index or -1, lines never coalesced, ids of requests completed...} or {-1}
  const res = replyList('cancelItems', reply);
  if (Number(res[0]) === GONE) return 'gone';
  return { canceled: Number(res[0]), kept: Number(res[1]), next: Number(res[2]), notIngested: Number(res[3]), completedRequests: res.slice(4).map(String) };
}

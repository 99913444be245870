import type { TenantKeys } from '../keys';
import { runScript, type ScriptArgs, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/**
 * VOD's verdict on a submitted item: refreshed, refused (FAILED), or none before polling gave up;
 * or, for a URL its asset covered, `not_covered`: the asset's final verdict does not list it, so
 * it was not refreshed and is queued again as a URL (a cover miss).
 */
export type ItemVerdict = 'completed' | 'failed_vod' | 'unknown' | 'not_covered';
const VERDICT_CODE: Record<ItemVerdict, string> = { completed: 'C', failed_vod: 'V', unknown: 'U', not_covered: 'R' };

export interface RecordedResults {
  /** items this call moved out of `submitted`, per final verdict */
  recorded: Record<Exclude<ItemVerdict, 'not_covered'>, number>;
  /** the batch's items still submitted (no final verdict yet) */
  open: number;
  completedRequests: string[];
  /** covered URLs queued again as URLs (`not_covered`); only when there are any */
  requeued?: number;
}

interface Verdicts {
  batchId: string;
  verdicts: ReadonlyArray<{ id: string; verdict: ItemVerdict }>;
  now: number;
  ttlSeconds: number;
  /** the error items VOD reported FAILED are recorded with */
  failure: { code: string; message: string };
}

function recordResultsArgs(k: TenantKeys, r: Verdicts): ScriptArgs {
  return {
    keys: [k.batch(r.batchId), k.completions, k.pending],
    argv: [
      r.now, r.ttlSeconds, k.instancePrefix, k.requestPrefix, r.failure.code, r.failure.message.slice(0, 1000), k.ledgerPrefix,
      ...r.verdicts.flatMap(({ id, verdict }) => [id, VERDICT_CODE[verdict]]),
    ],
  };
}

/** record-results.lua: records VOD's verdicts on a submitted batch's items; only items still submitted change. */
export async function recordResults(redis: ScriptedRedis, k: TenantKeys, r: Verdicts): Promise<RecordedResults> {
  // {completed, failed, unknown, open, requeued, ids of requests this call completed...}
  const res = replyList('recordResults', await runScript(redis, 'recordResults', recordResultsArgs(k, r)));
  return {
    recorded: { completed: Number(res[0] ?? 0), failed_vod: Number(res[1] ?? 0), unknown: Number(res[2] ?? 0) },
    open: Number(res[3] ?? 0),
    completedRequests: res.slice(5).map(String),
    ...(Number(res[4]) > 0 ? { requeued: Number(res[4]) } : {}),
  };
}

import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/**
 * finish-ingest.lua: marks the request coalesced; true when it completed right there (every item
 * already final), which also put it in the completion outbox as of `now`.
 */
export async function finishIngest(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; ttlSeconds: number; now: number },
): Promise<boolean> {
  const reply = await runScript(redis, 'finishIngest', {
    keys: [k.request(r.requestId), k.requestSeen(r.requestId), k.requestStage(r.requestId), k.staged, k.completions, k.stagedBytes],
    argv: [r.ttlSeconds, r.now, r.requestId],
  });
  return 1 === Number(reply);
}

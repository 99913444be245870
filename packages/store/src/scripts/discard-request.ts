import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** discard-request.lua: drops a request's staging and record; the lines it gave back to the staged counter. */
export async function discardRequest(redis: ScriptedRedis, k: TenantKeys, r: { requestId: string }): Promise<number> {
  const reply = await runScript(redis, 'discardRequest', {
    keys: [k.request(r.requestId), k.requestStage(r.requestId), k.staged, k.uploads, k.uploadLeases, k.stagedBytes, k.uploadBytes],
    argv: [r.requestId],
  });
  return Number(reply);
}

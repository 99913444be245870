import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/**
 * Whether admit-request recorded the request; `backlog` is the tenant's before it. A chunk the
 * tenant's staged-bytes cap refused (stage-chunk.lua) carries the tenant's staged bytes and the
 * chunk's instead (its `backlog` is then -1).
 */
export type Admission = { admitted: boolean; backlog: number; stagedBytes?: number; incomingBytes?: number };

/**
 * admit-request.lua: records the request (`fields`, its HASH) and counts its lines in the
 * tenant's backlog, if the backlog has room for them (`maxBacklog` absent: no cap).
 */
export async function admitRequest(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; received: number; ttlSeconds: number; maxBacklog?: number; now: number; fields: Record<string, string | number> },
): Promise<Admission> {
  const reply = await runScript(redis, 'admitRequest', {
    keys: [k.pending, k.staged, k.request(r.requestId), k.requestStage(r.requestId), k.uploads, k.uploadLeases, k.stagedBytes, k.uploadBytes],
    argv: [r.maxBacklog ?? -1, r.received, r.ttlSeconds, r.now, r.requestId, ...Object.entries(r.fields).flat()],
  });
  const [admitted, backlog] = replyList('admitRequest', reply);
  return { admitted: admitted === 1, backlog: Number(backlog) };
}

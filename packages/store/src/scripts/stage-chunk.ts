import type { ItemChunk } from '../item-chunk';
import type { TenantKeys } from '../keys';
import type { Admission } from './admit-request';
import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** The bytes cap refused the chunk: the reply's third value. */
const BYTES_FULL = 1;

/**
 * stage-chunk.lua: stages one chunk of an upload still arriving, counted in the tenant's backlog
 * under the upload's lease, if the backlog (`maxBacklog`) and the staged bytes (`maxStagedBytes`,
 * absent: no cap) have room for it. Refused: nothing is written.
 */
export async function stageChunk(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; chunk: ItemChunk; maxBacklog: number; now: number; leaseMs: number; ttlSeconds: number; maxStagedBytes?: number },
): Promise<Admission> {
  const reply = await runScript(redis, 'stageChunk', {
    keys: [k.pending, k.staged, k.uploads, k.uploadLeases, k.requestStage(r.requestId), k.stagedBytes, k.uploadBytes],
    argv: [r.maxBacklog, r.now, r.leaseMs, r.ttlSeconds, r.requestId, r.maxStagedBytes ?? -1, r.chunk.itemBytes, r.chunk.bytes],
  });
  // {1, backlog} staged, {0, backlog} the items cap refused it, {0, staged bytes, 1} the bytes cap did
  const [ok, backlog, bytesFull] = replyList('stageChunk', reply);
  if (bytesFull === BYTES_FULL) return { admitted: false, backlog: -1, stagedBytes: Number(backlog), incomingBytes: r.chunk.itemBytes };
  return { admitted: ok === 1, backlog: Number(backlog) };
}

import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/**
 * open-upload.lua: takes one of a caller's places (`places`: callerKeys `uploads`, `requests` or
 * `webhooks`) under a lease, if it holds fewer than `limit`; `open` counts those before it.
 */
export async function openUpload(
  redis: ScriptedRedis,
  r: { places: string; member: string; now: number; leaseMs: number; limit: number },
): Promise<{ ok: boolean; open: number }> {
  const reply = await runScript(redis, 'openUpload', { keys: [r.places], argv: [r.now, r.leaseMs, r.limit, r.member] });
  const [ok, open] = replyList('openUpload', reply);
  return { ok: ok === 1, open: Number(open) };
}

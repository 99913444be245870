import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** invalidate-token.lua: true when the cached IAM token was still `token` and is forgotten. */
export async function invalidateToken(redis: ScriptedRedis, k: TenantKeys, r: { token: string }): Promise<boolean> {
  return 1 === Number(await runScript(redis, 'invalidateToken', { keys: [k.token], argv: [r.token] }));
}

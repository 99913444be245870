import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** release-token-lock.lua: true when `owner` held the tenant's IAM token lock and released it. */
export async function releaseTokenLock(redis: ScriptedRedis, k: TenantKeys, r: { owner: string }): Promise<boolean> {
  return 1 === Number(await runScript(redis, 'releaseTokenLock', { keys: [k.tokenLock], argv: [r.owner] }));
}

import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** throttle-tenant.lua: holds the tenant's calls until `until` (epoch ms) or a later hold; the hold in force. */
export async function throttleTenant(redis: ScriptedRedis, k: TenantKeys, r: { until: number }): Promise<number> {
  return Number(await runScript(redis, 'throttleTenant', { keys: [k.throttle], argv: [r.until] }));
}

import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** claim-probe.lua: true for the one caller that claims the paused tenant's due probe. */
export async function claimProbe(redis: ScriptedRedis, k: TenantKeys, r: { now: number; nextProbeAt: number }): Promise<boolean> {
  return Number(await runScript(redis, 'claimProbe', { keys: [k.pause], argv: [r.now, r.nextProbeAt] })) === 1;
}

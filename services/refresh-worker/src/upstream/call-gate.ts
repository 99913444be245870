import type { TenantConfig } from '@refresh/config';
import type { TenantGate, TenantPauseReason } from '@refresh/store';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { credentialsFingerprint } from './credentials';

/**
 * What every call to VOD for a tenant goes through, RefreshAsset and ShowRefreshResult alike:
 * the tenant's pause, its throttle and its shared call rate. Both processors use these, so a
 * tenant VOD or IAM refused sees no call of either kind, and its rate counts both.
 */

/**
 * Waits for a call slot under the tenant's shared call rate (all replicas, all calls);
 * `waited` hears of each sleep (wall ms), for the call's span.
 */
export async function takeCallSlot(gate: TenantGate, clock: Clock, tenant: TenantConfig, waited?: (ms: number) => void): Promise<void> {
  for (;;) {
    const slot = await gate.acquireCallSlot(tenant.id, clock.now(), tenant.maxCallsPerSecond);
    if (slot.ok) return;
    const ms = clock.realMs(Math.min(Math.max(slot.retryInMs, 1), 1000));
    waited?.(ms);
    await new Promise((r) => setTimeout(r, ms));
  }
}

/**
 * Pauses the tenant for every replica until a dispatch probe finds VOD accepting it again (or a
 * worker starts with changed credentials). Returns the instant the probe is due.
 */
export async function pauseTenant(
  deps: { gate: TenantGate; clock: Clock; logger: Logger; cooldownMs: number },
  tenant: TenantConfig | undefined,
  tenantId: string,
  why: { reason: TenantPauseReason; code: string; message: string },
): Promise<number> {
  const now = deps.clock.now();
  const probeAt = now + deps.cooldownMs;
  await deps.gate.pause(tenantId, { ...why, since: now, probeAt, ...(tenant ? { credentials: credentialsFingerprint(tenant) } : {}) });
  deps.logger.error({ tenant: tenantId, code: why.code, reason: why.reason, probeAt: new Date(probeAt).toISOString() }, 'VOD refused the tenant: paused');
  return probeAt;
}

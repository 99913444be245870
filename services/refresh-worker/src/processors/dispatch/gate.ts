import type { DispatchContext } from './context';

/** Why and until when a run must wait before it claims, and whether it is the probe of a pause. */
export interface GateState {
  waitUntil: number | null;
  probing: boolean;
  reason?: 'pause' | 'throttle';
}

/**
 * When this job must wait because of a pause or a throttle, the instant to wait for; and
 * whether this job is the one probe of a paused tenant (only a probe's success resumes it: a
 * call that left before the pause proves nothing).
 */
export async function gateWait(ctx: DispatchContext, tenantId: string, now: number): Promise<GateState> {
  const pause = await ctx.gate.getPause(tenantId);
  let probing = false;
  if (pause) {
    if (pause.probeAt > now) return { waitUntil: pause.probeAt, probing, reason: 'pause' };
    const next = now + ctx.config.upstream.pauseCooldownMs;
    if (!(await ctx.gate.claimProbe(tenantId, now, next))) return { waitUntil: next, probing, reason: 'pause' };
    probing = true;
    ctx.logger.info({ tenant: tenantId, reason: pause.reason }, 'paused tenant: probing VOD with one batch');
  }
  return { waitUntil: await ctx.gate.throttledUntil(tenantId, now), probing, reason: 'throttle' };
}

import type { TenantGate, TenantPause } from '@refresh/store';
import { dependency } from '../http/errors';

/** What the budget endpoint shows of a tenant's gate: paused (and why), throttled until when. */
export interface GateState {
  paused: TenantPause | null;
  /** epoch ms VOD's throttling ends; null when not throttled */
  throttledUntil: number | null;
}

export async function gateState(gate: TenantGate, tenant: string, now: number): Promise<GateState> {
  const [paused, throttledUntil] = await dependency(Promise.all([gate.getPause(tenant), gate.throttledUntil(tenant, now)]));
  return { paused, throttledUntil };
}

/** The pause as the API shows it: snake_case, ISO times. */
export function pauseView(p: TenantPause) {
  return {
    reason: p.reason,
    code: p.code,
    message: p.message,
    since: new Date(p.since).toISOString(),
    probe_at: new Date(p.probeAt).toISOString(),
  };
}

import type { TenantGate } from '@refresh/store';
import type { Readiness } from './health-server';

/**
 * Readiness with the tenants that are paused now as details. A paused tenant is the upstream's
 * verdict on that tenant, not a fault of this worker, so it never makes the worker unready.
 * The pause read gets `timeoutMs`; when it fails or is late the details are left out.
 */
export async function readinessWithPauses(
  ready: Promise<boolean>,
  gate: TenantGate,
  tenantIds: readonly string[],
  timeoutMs: number,
): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  const paused = Promise.race([gate.pausedAmong(tenantIds).catch(() => null), late]).finally(() => clearTimeout(timer));
  const [ok, pauses] = await Promise.all([ready, paused]);
  if (!pauses) return { ready: ok };
  return {
    ready: ok,
    details: {
      paused_tenants: pauses.map(({ tenant, pause }) => ({ tenant, reason: pause.reason, since: new Date(pause.since).toISOString() })),
    },
  };
}

import { createHash } from 'node:crypto';
import type { TenantConfig } from '@refresh/config';
import type { TenantGate } from '@refresh/store';
import type { Logger } from 'pino';

/**
 * A short, one-way fingerprint of a tenant's credentials (never the secrets themselves), kept
 * with a pause so that a worker started with different credentials knows the operator fixed them.
 */
export function credentialsFingerprint(tenant: TenantConfig): string {
  return createHash('sha256').update(JSON.stringify([tenant.projectId, tenant.endpoint, tenant.auth])).digest('hex').slice(0, 16);
}

/**
 * A config reload (a worker started with a new config, as a rollout does) lifts the pause of every
 * tenant whose credentials changed since VOD refused them; the others wait for their probe.
 */
export async function resumeTenantsWithNewCredentials(tenants: readonly TenantConfig[], gate: TenantGate, logger: Logger): Promise<string[]> {
  const resumed: string[] = [];
  for (const { tenant, pause } of await gate.pausedAmong(tenants.map((t) => t.id))) {
    const config = tenants.find((t) => t.id === tenant);
    if (!config || !pause.credentials || pause.credentials === credentialsFingerprint(config)) continue;
    if (await gate.resume(tenant)) {
      resumed.push(tenant);
      logger.info({ tenant, reason: pause.reason }, 'credentials changed in the config: tenant resumed');
    }
  }
  return resumed;
}

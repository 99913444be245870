import type { AppConfig, TenantConfig } from '@refresh/config';
import { tenantFor, type Caller } from './auth';
import { badRequest, forbidden, notFound } from './errors';

/** Header naming the tenant when several of a caller's tenants share one VOD project. */
export const TENANT_HEADER = 'X-Refresh-Tenant';

/**
 * The tenant a drop-in call means: the caller's tenant configured with the path's VOD
 * `projectId`. No tenant on that project → 404; none the caller may use → 403; several →
 * 400 unless `X-Refresh-Tenant` picks one (which must be the caller's and on that project).
 */
export function tenantForProject(config: AppConfig, caller: Caller, projectId: string, chosen: string | undefined): TenantConfig {
  const onProject = config.tenants.filter((t) => t.projectId === projectId);
  if (onProject.length === 0) throw notFound(`no tenant is configured for project ${projectId}`);
  if (chosen !== undefined) {
    const tenant = tenantFor(config, caller, chosen);
    if (tenant.projectId !== projectId) throw badRequest(`tenant ${tenant.id} (${TENANT_HEADER}) is not on project ${projectId}`);
    return tenant;
  }
  const usable = onProject.filter((t) => caller.tenants.has(t.id));
  const [only] = usable;
  if (!only) throw forbidden(`caller ${caller.id} may not use project ${projectId}`);
  if (usable.length > 1) {
    throw badRequest(
      `several of your tenants use project ${projectId} (${usable.map((t) => t.id).join(', ')}); choose one with the header ${TENANT_HEADER}: <tenant id>`,
    );
  }
  return only;
}

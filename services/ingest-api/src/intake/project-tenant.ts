import type { AppConfig, TenantConfig } from '@refresh/config';
import type { Caller } from '../auth/auth';
import { badRequest, notFound } from '../http/errors';

/** Header naming the tenant when several of a caller's tenants share one VOD project. */
export const TENANT_HEADER = 'X-Refresh-Tenant';

/**
 * The tenant a drop-in call means: the caller's tenant configured with the path's VOD
 * `projectId`. A project with no tenant of the caller's, whether unknown or another caller's,
 * answers one 404, word for word, so project ids are not confirmed; so does an X-Refresh-Tenant
 * that is not one of the caller's. Several of the caller's tenants on the project → 400 unless
 * `X-Refresh-Tenant` picks one (which must be on that project).
 */
export function tenantForProject(config: AppConfig, caller: Caller, projectId: string, chosen: string | undefined): TenantConfig {
  const usable = config.tenants.filter((t) => t.projectId === projectId && caller.tenants.has(t.id));
  if (chosen !== undefined) {
    const tenant = config.tenants.find((t) => t.id === chosen && caller.tenants.has(t.id));
    if (!tenant) throw notFound(`tenant ${chosen} (${TENANT_HEADER}) is not one of yours`);
    if (tenant.projectId !== projectId) throw badRequest(`tenant ${tenant.id} (${TENANT_HEADER}) is not on project ${projectId}`);
    return tenant;
  }
  const [only] = usable;
  if (!only) throw notFound(`project ${projectId} has no tenant of yours`);
  if (usable.length > 1) {
    throw badRequest(
      `several of your tenants use project ${projectId} (${usable.map((t) => t.id).join(', ')}); choose one with the header ${TENANT_HEADER}: <tenant id>`,
    );
  }
  return only;
}

import type { AppConfig } from './load-config';

/**
 * The callers of a tenant and their weights (callers[].weight): how claims share each priority
 * of the tenant's budget between the callers' lanes. The worker's claims and the API's
 * estimates both read it here, so they can never disagree on who shares with whom.
 */
export function callerWeights(config: Pick<AppConfig, 'callers'>, tenantId: string): Record<string, number> {
  return Object.fromEntries(config.callers.filter((c) => c.tenants.includes(tenantId)).map((c) => [c.id, c.weight]));
}

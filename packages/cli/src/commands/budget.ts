import type { RefreshClient } from '@refresh/client';
import { printFields, printJson } from '../output';

/** `refresh budget <tenant>`: today's budget, and whether sending is paused or throttled. */
export async function budget(client: RefreshClient, tenant: string, flags: { json?: boolean }): Promise<void> {
  const view = await client.budget(tenant);
  if (flags.json) printJson(view);
  else printFields({ tenant, ...view });
}

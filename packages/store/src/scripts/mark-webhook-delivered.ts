import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** mark-webhook-delivered.lua: true when this call recorded the delivery of completion `gen`'s webhook. */
export async function markWebhookDelivered(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; at: number; gen: number },
): Promise<boolean> {
  return 1 === Number(await runScript(redis, 'markWebhookDelivered', { keys: [k.request(r.requestId)], argv: [r.at, r.gen] }));
}

import type { DropInResult } from '@refresh/contract';
import type { ItemRecord } from '@refresh/store';

type VodStatus = DropInResult['status'];

/**
 * Our item states in VOD's three ShowRefreshResult statuses. Everything not final yet is
 * PROCESSING, so a VOD client polling until nothing is PROCESSING waits for every item.
 * `unknown` (VOD never gave a verdict before polling gave up) is FAILED: it is final, so it
 * cannot stay PROCESSING without making such a client poll forever, and it must not read as
 * SUCCEED, since nobody knows the refresh happened; FAILED tells the caller to send it again.
 * `canceled` (an admin canceled it before it went out) is FAILED for the same reasons.
 */
const VOD_STATUS: Record<Exclude<ItemRecord['state'], 'expired'>, VodStatus> = {
  pending: 'PROCESSING',
  deferred: 'PROCESSING',
  in_flight: 'PROCESSING',
  submitted: 'PROCESSING',
  completed: 'SUCCEED',
  failed: 'FAILED',
  unknown: 'FAILED',
  // an admin canceled it before it was sent: final, and not refreshed
  canceled: 'FAILED',
};

/**
 * A page of items as VOD's `refresh_results`: URLs as `{url, status}`, asset ids as
 * `{asset_id, status}` (VOD reports an asset's URLs, which we never learn). An expired item
 * record is left out: it was final, kept for statusTtlDays, and its value is gone with it.
 */
export function toVodResults(items: readonly ItemRecord[]): DropInResult[] {
  const out: DropInResult[] = [];
  for (const item of items) {
    if (item.state === 'expired') continue;
    const status = VOD_STATUS[item.state];
    out.push(item.kind === 'url' ? { url: item.value, status } : { asset_id: item.value, status });
  }
  return out;
}

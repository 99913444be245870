import { normalizeUrl } from '@refresh/core';
import type { ItemVerdict } from '@refresh/store';
import type { RefreshResult } from '@refresh/vod-client';

/** The parts of a batch its verdicts depend on. */
export interface PolledBatch {
  kind: 'asset_id' | 'url';
  /** instance ids, in the batch's order */
  ids: readonly string[];
  /** what was sent for each: normalised URLs, or asset ids */
  values: readonly string[];
  /** URLs the batch's asset ids cover (asset cover), with their normalised URL */
  covered?: ReadonlyArray<{ id: string; url: string }>;
}

/** A final verdict; `null` while VOD has none (still processing, or not reported). */
type Verdict = Extract<ItemVerdict, 'completed' | 'failed_vod'> | null;

/**
 * The verdict of several reported statuses (compared without case): any FAILED fails, all
 * SUCCEED completes, anything else (PROCESSING, an unknown word, nothing reported) is not final.
 */
export function aggregateVerdict(statuses: readonly string[]): Verdict {
  if (statuses.length === 0) return null;
  const upper = statuses.map((s) => s.toUpperCase());
  if (upper.includes('FAILED')) return 'failed_vod';
  return upper.every((s) => s === 'SUCCEED') ? 'completed' : null;
}

/**
 * VOD's final verdicts for a batch's items, from one ShowRefreshResult answer; items with no
 * final verdict are left out (they stay submitted).
 *
 * URL batches: each item takes the status VOD reports for its URL. The worker sent normalised
 * URLs, so they are compared exactly first; an answer that spells scheme or host differently
 * still matches through the same normalisation. Asset-id batches: VOD reports the URLs of the
 * assets, which the worker does not know, so every item takes the batch's aggregate verdict.
 * Covered URLs (asset cover) are verified: each takes the status VOD reports for it, matched as
 * in URL batches; one VOD does not list once every listed URL is final was not refreshed by this
 * call (`not_covered`: it is sent again as a URL), so a wrong asset pattern costs units, never
 * freshness.
 */
export function verdictsFor(batch: PolledBatch, results: readonly RefreshResult[]): Array<{ id: string; verdict: ItemVerdict }> {
  const out: Array<{ id: string; verdict: ItemVerdict }> = [];
  const exact = group(results, (url) => url);
  const loose = group(results, normalizedOrNull);
  const statusesOf = (url: string): string[] | undefined => exact.get(url) ?? loose.get(url);
  if (batch.kind === 'asset_id') {
    const verdict = aggregateVerdict(results.map((r) => r.status));
    if (verdict) for (const id of batch.ids) out.push({ id, verdict });
    // a URL missing from the list may still appear while any listed one is not final, so it is
    // judged only once all are
    const listFinal = results.length > 0 && results.every((r) => aggregateVerdict([r.status]) !== null);
    for (const { id, url } of batch.covered ?? []) {
      const statuses = statusesOf(url);
      const own = statuses ? aggregateVerdict(statuses) : listFinal ? 'not_covered' : null;
      if (own) out.push({ id, verdict: own });
    }
    return out;
  }
  batch.ids.forEach((id, i) => {
    const verdict = aggregateVerdict(statusesOf(batch.values[i] ?? '') ?? []);
    if (verdict) out.push({ id, verdict });
  });
  return out;
}

/**
 * The delay before the next poll of a task `ageMs` old: as long as the task's age, so polls land
 * at 1, 2, 4, 8… × pollInitialDelayMs after acceptance (the gap doubles) without keeping a count,
 * never shorter than the initial delay nor longer than the cap, at least as long as the
 * upstream's Retry-After, and never past the deadline, where one last poll is made.
 */
export function nextPollDelay(
  ageMs: number,
  opts: { initialDelayMs: number; maxDelayMs: number; maxAgeMs: number },
  retryAfterMs = 0,
): number {
  const doubling = Math.min(opts.maxDelayMs, Math.max(opts.initialDelayMs, ageMs));
  const untilDeadline = Math.max(1, opts.maxAgeMs - ageMs);
  return Math.min(Math.max(doubling, retryAfterMs), untilDeadline);
}

function group(results: readonly RefreshResult[], keyOf: (url: string) => string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of results) {
    const key = keyOf(r.url);
    if (key === null) continue;
    const list = map.get(key);
    if (list) list.push(r.status);
    else map.set(key, [r.status]);
  }
  return map;
}

function normalizedOrNull(url: string): string | null {
  try {
    return normalizeUrl(url);
  } catch {
    return null; // not a URL we could have sent: matches nothing
  }
}

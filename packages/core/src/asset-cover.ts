/**
 * Asset cover: VOD's playback URLs carry their asset's id, so one asset-id refresh (one unit)
 * can refresh every URL of an asset that is waiting. A tenant names where the id sits in its
 * URLs with a regular expression of one capture group (`assetIdFromUrl`).
 */
import { validateAssetId } from './items';

/**
 * Why `source` cannot be an asset-id pattern, or null when it can: it must compile and have
 * exactly one capture group (named or not), which yields the id.
 */
export function assetPatternProblem(source: string): string | null {
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (err) {
    return `does not compile: ${(err as Error).message}`;
  }
  // An alternation with the empty pattern always matches, and its match has one slot per group.
  const groups = (new RegExp(`${re.source}|`).exec('')?.length ?? 1) - 1;
  return groups === 1 ? null : `must have exactly one capture group, has ${groups}`;
}

/**
 * The asset id `pattern` finds in `url`, or null: no match, or a capture that is not a valid
 * asset id (a wrong pattern must never produce an item VOD would refuse).
 */
export function assetIdFromUrl(url: string, pattern: RegExp): string | null {
  const id = pattern.exec(url)?.[1];
  if (id === undefined || validateAssetId(id) !== null) return null;
  return id;
}

/**
 * Which playback URLs an asset has. VOD answers ShowRefreshResult for an asset-id task with the
 * URLs it refreshed, never with the ids, so the simulator must know each asset's URLs: from the
 * configured catalogue, or else derived in VOD's own shape (the API page's example is
 * `https://example.com/asset/<asset id>/<file id>.flv`): a master playlist, two renditions and a
 * cover image.
 */
import type { ResolvedConfig } from './options';

export const DERIVED_FILES = ['index.m3u8', '720p.m3u8', '1080p.m3u8', 'cover.jpg'] as const;

export function playbackUrls(config: Pick<ResolvedConfig, 'catalogue' | 'catalogueBase'>, assetId: string): string[] {
  return config.catalogue[assetId] ?? DERIVED_FILES.map((file) => `${config.catalogueBase}/${assetId}/${file}`);
}

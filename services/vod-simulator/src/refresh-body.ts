/**
 * RefreshAsset body rules from the API page: `asset_id_list` and `urls` are optional string
 * arrays of at most 10 each, URLs at most 10,240 characters, and a call must name something.
 * A violation names the offending field, as VOD.10053 does.
 */
export const MAX_ITEMS_PER_FIELD = 10;
export const MAX_URL_LENGTH = 10_240;

export type RefreshKind = 'asset_id' | 'url' | 'mixed';

export type ParsedRefresh = { ok: true; kind: RefreshKind; items: string[] } | { ok: false; field: string };

export function parseRefreshBody(raw: Buffer | undefined): ParsedRefresh {
  let body: unknown;
  try {
    body = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    return { ok: false, field: 'body' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, field: 'body' };
  const fields = body as Record<string, unknown>;
  const assetIds = stringList(fields.asset_id_list);
  if (assetIds === undefined) return { ok: false, field: 'asset_id_list' };
  const urls = stringList(fields.urls);
  if (urls === undefined || urls.some((url) => url.length > MAX_URL_LENGTH)) return { ok: false, field: 'urls' };
  if (assetIds.length + urls.length === 0) return { ok: false, field: 'asset_id_list or urls' };
  const kind: RefreshKind = assetIds.length === 0 ? 'url' : urls.length === 0 ? 'asset_id' : 'mixed';
  return { ok: true, kind, items: [...assetIds, ...urls] };
}

// Absent and null both mean "not given", as a Java deserialiser on Huawei's side would read them.
function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_ITEMS_PER_FIELD) return undefined;
  return value.every((item): item is string => typeof item === 'string' && item !== '') ? value : undefined;
}

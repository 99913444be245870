import { AppError, ERROR_CODES } from '@refresh/core';
import { HttpError } from './errors';

/**
 * The drop-in endpoint answers what VOD would refuse as VOD does, so a publishing system's VOD
 * error handling works unchanged: 400 `VOD.10053`, "The request parameter is illegal, illegal
 * field: <field>." (docs/upstream-vod.md). Refusals VOD has no code for (our limits, our keys,
 * the tenant a project maps to, media types, sizes) keep our `RFS.` codes.
 */
export const VOD_ILLEGAL_PARAMETER = 'VOD.10053';

export function vodIllegalField(field: string, details?: unknown): HttpError {
  return new HttpError(VOD_ILLEGAL_PARAMETER, `The request parameter is illegal, illegal field: ${field}.`, 400, details);
}

/**
 * A validation refusal of a drop-in body or query (400 `RFS.0001` with field details) in VOD's
 * code, naming the first offending field as VOD would (`asset_id_list`, not `asset_id_list.3`).
 * Any other error is returned as it is.
 */
export function asVodRefusal(err: unknown, wholeBody: string): unknown {
  if (!(err instanceof AppError) || err.code !== ERROR_CODES.INVALID_REQUEST) return err;
  const first = Array.isArray(err.details) ? (err.details[0] as { field?: unknown; reason?: unknown } | undefined) : undefined;
  let field = typeof first?.field === 'string' ? first.field.split(/[.[]/)[0]! : '';
  // the body as a whole ("(root)"): an unknown key is named in the reason; else the body itself
  if (field === '' || field.startsWith('(')) field = /"([^"]+)"/.exec(String(first?.reason ?? ''))?.[1] ?? wholeBody;
  return vodIllegalField(field, err.details);
}

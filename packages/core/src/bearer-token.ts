import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Whether an `Authorization` header carries the bearer token whose hex SHA-256 is `tokenSha256`.
 * The config holds only the hash, like every other key; comparing hashes of equal length in
 * constant time says nothing about how much of a guess was right. No hash configured: open.
 */
export function bearerTokenMatches(authorization: string | undefined, tokenSha256: string | undefined): boolean {
  if (tokenSha256 === undefined) return true;
  const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (token === undefined) return false;
  const presented = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(presented, Buffer.from(tokenSha256, 'hex'));
}

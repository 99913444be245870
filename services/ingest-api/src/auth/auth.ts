import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig, TenantConfig } from '@refresh/config';
import type { RequestHandler, Response } from 'express';
import { notFound, unauthorized } from '../http/errors';

export interface Caller {
  id: string;
  tenants: ReadonlySet<string>;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
/** VOD's AK/SK signature scheme; its callers are told what to send instead. */
const SDK_SIGNATURE = /^SDK-HMAC-/i;
const TOKEN = /^[ \t]*([^\s]+)[ \t]*$/;

/**
 * The key a request presents: `Authorization: Bearer <key>`, or `X-Auth-Token: <key>`, VOD's
 * token header, so that a client of VOD switches by changing its base URL and its token. Both
 * may come, but then they must name the same key: a request meaning two callers is refused.
 */
function presentedKey(authorization: string | undefined, xAuthToken: string | undefined): string {
  const bearer = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  const token = xAuthToken !== undefined ? TOKEN.exec(xAuthToken)?.[1] : undefined;
  if (bearer !== undefined && token !== undefined && bearer !== token) {
    throw unauthorized('Authorization and X-Auth-Token name different keys; send one');
  }
  const key = bearer ?? token;
  if (key !== undefined) return key;
  if (authorization && SDK_SIGNATURE.test(authorization)) {
    throw unauthorized(
      'AK/SK-signed requests are not accepted; send the service API key as X-Auth-Token: <key> or Authorization: Bearer <key>',
    );
  }
  throw unauthorized();
}

/**
 * API-key authentication. The presented key is hashed and compared with every caller's
 * hash in constant time and without stopping at a match, so the answer time says nothing
 * about which caller, or how many, exist. The key itself is never stored or logged.
 */
export function createAuthenticate(config: AppConfig): RequestHandler {
  const callers = config.callers.map((c) => ({
    caller: { id: c.id, tenants: new Set(c.tenants) } satisfies Caller,
    hash: Buffer.from(c.apiKeySha256, 'hex'),
  }));
  return (req, res, next) => {
    const key = presentedKey(req.get('authorization'), req.get('x-auth-token'));
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let found: Caller | undefined;
    for (const c of callers) {
      const same = timingSafeEqual(presented, c.hash);
      found = same && found === undefined ? c.caller : found;
    }
    if (!found) throw unauthorized();
    res.locals.caller = found;
    next();
  };
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  // routes mount authenticate first; reaching here without it is a wiring bug
  if (!caller) throw new TypeError('route used callerOf without authenticate');
  return caller;
}

/**
 * The tenant a caller names in the path. One 404, word for word, whether the tenant is unknown
 * or another caller's: a caller probing tenant ids learns nothing about which exist, as with
 * request ids (status.ts) and drop-in project ids (project-tenant.ts).
 */
export function tenantFor(config: AppConfig, caller: Caller, tenantId: string): TenantConfig {
  const tenant = caller.tenants.has(tenantId) ? config.tenants.find((t) => t.id === tenantId) : undefined;
  if (!tenant) throw notFound(`tenant ${tenantId} is not one of yours`);
  return tenant;
}

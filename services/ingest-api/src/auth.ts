import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig, TenantConfig } from '@refresh/config';
import type { RequestHandler, Response } from 'express';
import { forbidden, notFound, unauthorized } from './errors';

export interface Caller {
  id: string;
  tenants: ReadonlySet<string>;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Bearer-key authentication. The presented key is hashed and compared with every caller's
 * hash in constant time and without stopping at a match, so the answer time says nothing
 * about which caller, or how many, exist. The key itself is never stored or logged.
 */
export function createAuthenticate(config: AppConfig): RequestHandler {
  const callers = config.callers.map((c) => ({
    caller: { id: c.id, tenants: new Set(c.tenants) } satisfies Caller,
    hash: Buffer.from(c.apiKeySha256, 'hex'),
  }));
  return (req, res, next) => {
    const m = BEARER.exec(req.get('authorization') ?? '');
    if (!m?.[1]) throw unauthorized();
    const presented = createHash('sha256').update(m[1], 'utf8').digest();
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
 * The tenant a caller names in the path. Unknown → 404; known but not the caller's → 403,
 * or 404 with `hide`, for reads whose ids must not confirm another tenant's data exists.
 */
export function tenantFor(config: AppConfig, caller: Caller, tenantId: string, hide = false): TenantConfig {
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant) throw notFound(`unknown tenant ${tenantId}`);
  if (!caller.tenants.has(tenant.id)) {
    if (hide) throw notFound();
    throw forbidden(`caller ${caller.id} may not use tenant ${tenant.id}`);
  }
  return tenant;
}

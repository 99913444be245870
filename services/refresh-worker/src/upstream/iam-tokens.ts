/**
 * IAM tokens for tenants with `auth.type = token`: one token per tenant, shared by every replica
 * through the store. A replica uses the cached token while it has more than REFRESH_MARGIN_MS
 * left; after that, one replica at a time (the store's lock) fetches a new one and the others
 * wait for it. Tokens are secrets: they and the password are never logged.
 */
import { randomUUID } from 'node:crypto';
import type { TenantConfig } from '@refresh/config';
import type { CachedToken, TokenStore } from '@refresh/store';
import { fetchIamToken } from '@refresh/vod-client';
import type { Logger } from 'pino';
import type { Clock } from '../clock';

/** A token is replaced when it has less than this left (IAM tokens live 24 h). */
export const REFRESH_MARGIN_MS = 3_600_000;
/** Added to the fetch timeout to make the lock outlive any fetch. */
const LOCK_SLACK_MS = 5_000;
/** How often a replica waiting for another's fetch looks at the cache. */
const POLL_INTERVAL_MS = 100;

export type TokenAuth = Extract<TenantConfig['auth'], { type: 'token' }>;
export type TokenTenant = TenantConfig & { auth: TokenAuth };

/**
 * IAM refused the tenant's password login (wrong password, user, domain or project). Retrying
 * will not help: the tenant should be paused until its config is fixed.
 */
export class TenantCredentialsError extends Error {
  override readonly name = 'TenantCredentialsError';
  constructor(
    readonly tenant: string,
    /** IAM's code, `HTTP.<status>` when it gives none */
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

export interface TokenProviderDeps {
  store: TokenStore;
  clock: Clock;
  logger: Logger;
  /** ms, a whole IAM call */
  timeoutMs: number;
  /** ms, connecting to IAM */
  connectTimeoutMs: number;
  /** ms the fetch lock lives; also how long a replica waits for another's fetch. Default timeoutMs + 5 s */
  lockTtlMs?: number;
}

export interface TokenProvider {
  /**
   * A token for the tenant. Throws TenantCredentialsError when IAM refuses the credentials, and
   * a plain Error when no token can be had now (IAM unreachable, another replica still fetching).
   */
  getToken(tenant: TokenTenant): Promise<string>;
  /** Forgets `token` (refused upstream, e.g. APIGW.0307) unless a newer one replaced it already. */
  invalidate(tenantId: string, token: string): Promise<void>;
}

export function createTokenProvider(deps: TokenProviderDeps): TokenProvider {
  const { store, clock } = deps;
  const lockTtlMs = deps.lockTtlMs ?? deps.timeoutMs + LOCK_SLACK_MS;
  // concurrent jobs of this replica share one lookup (and at most one fetch) per tenant
  const inflight = new Map<string, Promise<string>>();

  const fresh = (t: CachedToken): boolean => t.expiresAt - clock.now() > REFRESH_MARGIN_MS;
  const valid = (t: CachedToken): boolean => t.expiresAt > clock.now();

  async function obtain(tenant: TokenTenant): Promise<string> {
    const cached = await store.get(tenant.id);
    if (cached && fresh(cached)) return cached.token;
    const owner = randomUUID();
    if (await store.lock(tenant.id, owner, lockTtlMs)) return fetchHoldingLock(tenant, owner);
    // another replica is fetching; the old token still works meanwhile
    if (cached && valid(cached)) return cached.token;
    return awaitOtherReplica(tenant);
  }

  async function fetchHoldingLock(tenant: TokenTenant, owner: string): Promise<string> {
    const log = deps.logger.child({ tenant: tenant.id });
    let release = true;
    try {
      // another replica may have stored a new token between our read and our lock
      const cached = await store.get(tenant.id);
      if (cached && fresh(cached)) return cached.token;
      const { iamEndpoint, domain, user, password, project } = tenant.auth;
      const outcome = await fetchIamToken({
        iamEndpoint, domain, user, password, project,
        timeoutMs: deps.timeoutMs,
        connectTimeoutMs: deps.connectTimeoutMs,
        now: () => clock.now(),
      });
      if (outcome.type === 'ok') {
        await store.set(tenant.id, outcome.token, outcome.expiresAt, clock.now());
        log.info({ expiresAt: new Date(outcome.expiresAt).toISOString() }, 'IAM token fetched');
        return outcome.token;
      }
      if (outcome.type === 'rejected') {
        log.error({ code: outcome.code, httpStatus: outcome.httpStatus, message: outcome.message }, 'IAM refused the tenant credentials');
        throw new TenantCredentialsError(tenant.id, outcome.code, outcome.message, outcome.httpStatus);
      }
      if (cached && valid(cached)) {
        // Keep the lock until it expires: no replica tries IAM again before then, so a long
        // IAM outage costs one attempt per lock period, not one per call.
        release = false;
        log.warn({ code: outcome.code, message: outcome.message, expiresAt: new Date(cached.expiresAt).toISOString() }, 'IAM token refresh failed; using the current token until it lapses');
        return cached.token;
      }
      throw new Error(`tenant ${tenant.id}: no IAM token: ${outcome.message}`);
    } finally {
      if (release) await store.unlock(tenant.id, owner);
    }
  }

  /** Polls the cache for the token another replica is fetching; takes over if it gives up. */
  async function awaitOtherReplica(tenant: TokenTenant): Promise<string> {
    const deadline = Date.now() + lockTtlMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
      const cached = await store.get(tenant.id);
      // we only wait when we had no valid token, so any valid one is the other replica's
      if (cached && valid(cached)) return cached.token;
      const owner = randomUUID();
      // the other replica failed and released the lock: try ourselves
      if (await store.lock(tenant.id, owner, lockTtlMs)) return fetchHoldingLock(tenant, owner);
    }
    throw new Error(`tenant ${tenant.id}: no IAM token after waiting ${lockTtlMs} ms for another replica's fetch`);
  }

  return {
    getToken(tenant) {
      const running = inflight.get(tenant.id);
      if (running) return running;
      const p = obtain(tenant).finally(() => inflight.delete(tenant.id));
      inflight.set(tenant.id, p);
      return p;
    },
    async invalidate(tenantId, token) {
      if (await store.invalidate(tenantId, token)) deps.logger.info({ tenant: tenantId }, 'IAM token invalidated');
    },
  };
}

/**
 * Tokens the simulated IAM has issued. A token is an opaque random string; the registry knows
 * whom it was issued to, for which project and until when. Tokens survive reset(): a client
 * caching one must not see it vanish because a test cleared its calls.
 */
import { randomBytes } from 'node:crypto';
import type { IamUser } from './options';

export interface IssuedToken {
  user: IamUser;
  issuedAt: number;
  expiresAt: number;
  /** Invalidated early (expireTokens), as a password or permission change does. */
  revoked: boolean;
}

export interface TokenRegistry {
  issue(user: IamUser, now: number, ttlMs: number): { token: string; issued: IssuedToken };
  lookup(token: string): IssuedToken | undefined;
  /** Every token issued so far stops working; tokens issued later work. */
  expireAll(): void;
  /** Every token issued so far to this user stops working (a password change). */
  expireUser(domain: string, user: string): void;
  /** Tokens issued since the simulator started (reset() does not clear them). */
  issuedCount(): number;
}

export function createTokenRegistry(): TokenRegistry {
  const tokens = new Map<string, IssuedToken>();
  return {
    issue(user, now, ttlMs) {
      // IAM tokens are long base64 (PKI) strings starting "MII"; only the shape is imitated.
      const token = `MII${randomBytes(96).toString('base64url')}`;
      const issued: IssuedToken = { user, issuedAt: now, expiresAt: now + ttlMs, revoked: false };
      tokens.set(token, issued);
      return { token, issued };
    },
    lookup: (token) => tokens.get(token),
    issuedCount: () => tokens.size,
    expireAll() {
      for (const issued of tokens.values()) issued.revoked = true;
    },
    expireUser(domain, user) {
      for (const issued of tokens.values()) {
        if (issued.user.domain === domain && issued.user.user === user) issued.revoked = true;
      }
    },
  };
}

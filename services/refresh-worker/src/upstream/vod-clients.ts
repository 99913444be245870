import { LOG_REDACT, type AppConfig, type TenantConfig } from '@refresh/config';
import { createRedis, createTokenStore } from '@refresh/store';
import {
  createVodClient, unsentVerdict, type FailureVerdict, type RefreshVerdict, type ShowResultVerdict, type VodAuth, type VodClient,
} from '@refresh/vod-client';
import type { RedisClient } from '@refresh/store';
import pino, { type Logger } from 'pino';
import type { Clock } from '../clock';
import { TenantCredentialsError, createTokenProvider, type TokenProvider, type TokenTenant } from './iam-tokens';

export interface VodClients {
  /** RefreshAsset. Throws TenantCredentialsError when IAM refuses a token tenant's password. */
  call(tenant: TenantConfig, kind: 'asset_id' | 'url', items: string[]): Promise<RefreshVerdict>;
  /** ShowRefreshResult; throws like `call`. */
  showResult(tenant: TenantConfig, taskId: string): Promise<ShowResultVerdict>;
  /** Drops the IAM token this replica last used for the tenant (after APIGW.0307); no-op for AK/SK. */
  invalidateToken(tenant: TenantConfig): Promise<void>;
  /** Closes pooled sockets (and the token connection if this made one); safe to call twice. */
  close(): void;
}

export interface VodCallerDeps {
  /** Connection for the shared token cache; without one, a connection is made on first need. */
  redis?: RedisClient;
  logger?: Logger;
}

export function isTokenTenant(tenant: TenantConfig): tenant is TokenTenant {
  return tenant.auth.type === 'token';
}

/** VOD clients, one per tenant, created on first use and closed with the worker. */
export function vodCaller(config: AppConfig, clock: Clock, deps: VodCallerDeps = {}): VodClients {
  const clients = new Map<string, VodClient>();
  const lastToken = new Map<string, string>();
  const logger = deps.logger ?? pino({ name: 'refresh-worker', level: config.env.LOG_LEVEL, redact: LOG_REDACT });
  let ownRedis: RedisClient | undefined;
  let tokens: TokenProvider | undefined;

  function tokenProvider(): TokenProvider {
    if (!tokens) {
      const redis = deps.redis ?? (ownRedis = createRedis(config.env, 'worker', (err) => logger.warn({ err, connection: 'iam-tokens' }, 'redis error')));
      tokens = createTokenProvider({
        store: createTokenStore(redis, config.env.KEY_PREFIX),
        clock,
        logger,
        timeoutMs: config.upstream.timeoutMs,
        connectTimeoutMs: config.upstream.connectTimeoutMs,
      });
    }
    return tokens;
  }

  function authOf(tenant: TenantConfig): VodAuth {
    const { auth } = tenant;
    if (auth.type === 'aksk') return auth;
    const tokenTenant: TokenTenant = { ...tenant, auth };
    const provider = tokenProvider();
    return {
      type: 'token',
      getToken: async () => {
        const token = await provider.getToken(tokenTenant);
        lastToken.set(tenant.id, token);
        return token;
      },
    };
  }

  function client(tenant: TenantConfig): VodClient {
    let c = clients.get(tenant.id);
    if (!c) {
      c = createVodClient({
        endpoint: tenant.endpoint,
        projectId: tenant.projectId,
        auth: authOf(tenant),
        timeoutMs: config.upstream.timeoutMs,
        connectTimeoutMs: config.upstream.connectTimeoutMs,
        // X-Sdk-Date comes from the same clock the budget day does
        now: () => clock.now(),
        quotaErrorCodes: tenant.quotaErrorCodes,
      });
      clients.set(tenant.id, c);
    }
    return c;
  }

  /**
   * A call whose token could not be had never left this process: it is a retry that spent no
   * upstream quota. Refused credentials are not retryable and propagate for the caller to pause.
   */
  async function guarded<T>(tenant: TenantConfig, run: (c: VodClient) => Promise<T>): Promise<T | FailureVerdict> {
    const c = client(tenant);
    try {
      return await run(c);
    } catch (err) {
      if (err instanceof TenantCredentialsError || !isTokenTenant(tenant)) throw err;
      return unsentVerdict(`IAM token unavailable: ${(err as Error).message}`);
    }
  }

  return {
    call: (tenant, kind, items) => guarded(tenant, (c) => c.refresh({ kind, items })),
    showResult: (tenant, taskId) => guarded(tenant, (c) => c.showRefreshResult(taskId)),
    async invalidateToken(tenant) {
      const token = lastToken.get(tenant.id);
      if (!tokens || token === undefined) return;
      lastToken.delete(tenant.id);
      await tokens.invalidate(tenant.id, token);
    },
    close() {
      for (const c of clients.values()) c.close();
      clients.clear();
      const redis = ownRedis;
      ownRedis = undefined;
      tokens = undefined;
      if (redis) void redis.quit().catch(() => redis.disconnect());
    },
  };
}

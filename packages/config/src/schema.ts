import { z } from 'zod';

const MAX_ITEMS_PER_CALL = 10; // VOD's RefreshAsset limit per kind and call

const tenantId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tenant ids are 1-64 of [A-Za-z0-9_-]');

const akskAuth = z.strictObject({
  type: z.literal('aksk'),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
});

/** IAM password login; one token per tenant is shared by every replica (cached in Redis). */
const tokenAuth = z.strictObject({
  type: z.literal('token'),
  iamEndpoint: z.url({ protocol: /^https?$/ }).default('https://iam.myhuaweicloud.com'),
  domain: z.string().min(1),
  user: z.string().min(1),
  password: z.string().min(1),
  /** project (region) name the token is scoped to, e.g. cn-north-4 */
  project: z.string().min(1),
});

const tenant = z.strictObject({
  id: tenantId,
  projectId: z.string().min(1),
  /** Base URL of VOD for the tenant's region, e.g. https://vod.cn-north-4.myhuaweicloud.com */
  endpoint: z.url({ protocol: /^https?$/ }),
  /** Items per budget day; VOD allows 1,000 per tenant. */
  dailyLimit: z.number().int().positive().default(1000),
  /** IANA zone whose local midnight starts a new budget day. Huawei does not document it. */
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone')
    .default('Asia/Shanghai'),
  auth: z.discriminatedUnion('type', [akskAuth, tokenAuth]),
  /**
   * VOD error codes that mean "today's refresh quota is spent". Huawei publishes none, so the
   * operator lists what their account returns; such an answer defers the tenant to the reset.
   */
  quotaErrorCodes: z.array(z.string().min(1)).default([]),
  /** calls per second to VOD for this tenant, shared by all replicas */
  maxCallsPerSecond: z.number().positive().max(1000).default(5),
});

/** hex SHA-256 of a key; the key itself never appears in config. */
const keySha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters').transform((s) => s.toLowerCase());

const caller = z.strictObject({
  id: z.string().min(1),
  /** hex SHA-256 of the caller's API key */
  apiKeySha256: keySha256,
  tenants: z.array(tenantId).min(1),
});

export const fileSchema = z
  .strictObject({
    tenants: z.array(tenant).min(1),
    callers: z.array(caller).default([]),
    /** Operators' access to the queue UI (/admin/queues); without a key the UI is not served. */
    admin: z
      .strictObject({
        /** hex SHA-256 of the admin key (Bearer, or the password of HTTP Basic) */
        apiKeySha256: keySha256.optional(),
      })
      .prefault({}),
    batching: z
      .strictObject({
        /** items per upstream call, 1..10 */
        maxItems: z.number().int().min(1).max(MAX_ITEMS_PER_CALL).default(MAX_ITEMS_PER_CALL),
        /** ms the oldest pending item may wait for a fuller batch */
        lingerMs: z.number().int().min(0).default(1000),
      })
      .prefault({}),
    upstream: z
      .strictObject({
        /** ms for the whole call */
        timeoutMs: z.number().int().positive().default(10_000),
        /** ms to establish the connection */
        connectTimeoutMs: z.number().int().positive().default(3_000),
        /** attempts per batch for network errors, 5xx and 429, including the first */
        maxAttempts: z.number().int().min(1).max(20).default(5),
        /** ms, first retry delay; doubles each attempt, with jitter */
        backoffBaseMs: z.number().int().positive().default(1_000),
        /** ms, cap of one retry delay */
        backoffMaxMs: z.number().int().positive().default(60_000),
        /** ms a tenant whose credentials or account VOD refused stays paused before a probe call */
        pauseCooldownMs: z.number().int().positive().default(15 * 60_000),
        /** ms after acceptance before the first ShowRefreshResult poll; doubles up to pollMaxDelayMs */
        pollInitialDelayMs: z.number().int().positive().default(5_000),
        /** ms, cap of the delay between polls of one task */
        pollMaxDelayMs: z.number().int().positive().default(5 * 60_000),
        /** ms after acceptance when a task still not final is given up as `unknown` */
        pollMaxAgeMs: z.number().int().positive().default(24 * 3_600_000),
      })
      .prefault({}),
    ingest: z
      .strictObject({
        /** bytes, cap of an application/json body */
        jsonBodyBytes: z.number().int().positive().default(10 * 1024 * 1024),
        /** bytes, cap of a text/plain upload (streamed, so memory does not grow with it) */
        textBodyBytes: z.number().int().positive().default(512 * 1024 * 1024),
        /** items per Redis write while staging and per coalescing step */
        chunkItems: z.number().int().min(1).max(10_000).default(2_000),
      })
      .prefault({}),
    worker: z
      .strictObject({
        /** jobs one worker process runs at once */
        concurrency: z.number().int().min(1).max(256).default(16),
        /** ms after which a job whose worker died is handed to another */
        stalledIntervalMs: z.number().int().positive().default(30_000),
        /** ms a job's lock lives without renewal (renewed every half); a dead worker's job moves on after it */
        lockDurationMs: z.number().int().min(1000).default(30_000),
      })
      .prefault({}),
    /** days request status and item outcomes are kept after their last change */
    statusTtlDays: z.number().positive().default(7),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.tenants.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id ${t.id}` });
      ids.add(t.id);
    });
    cfg.callers.forEach((c, i) =>
      c.tenants.forEach((t, j) => {
        if (!ids.has(t)) ctx.addIssue({ code: 'custom', path: ['callers', i, 'tenants', j], message: `unknown tenant ${t}` });
      }),
    );
  });

export const envSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REFRESH_CONFIG: z.string().optional(),
  /** API port */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** worker metrics/health port */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** every Redis key and queue lives under it */
  KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _.:- only (no braces)').default('refresh'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** ms added to the wall clock; for day-change tests and drills only */
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
});

export type FileConfig = z.output<typeof fileSchema>;
export type EnvConfig = z.output<typeof envSchema>;
export type TenantConfig = FileConfig['tenants'][number];
export type CallerConfig = FileConfig['callers'][number];

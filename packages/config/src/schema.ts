import { MAX_CLOCK_RATE, assetPatternProblem, parseHostPattern } from '@refresh/core';
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
  /**
   * items the tenant may have waiting (pending, plus received but not yet coalesced); a
   * submission that would go beyond it is refused with 429. Bounds Redis memory per tenant.
   */
  maxBacklogItems: z.number().int().positive().default(5_000_000),
  /**
   * bytes of lines the tenant's requests have staged in Redis and the worker has not coalesced
   * yet, uploads still arriving included; a chunk that would go beyond it is refused with 429
   * (mid-upload too). Items are capped by maxBacklogItems, but a line may be 10 KiB long: this
   * bounds the staging's memory whatever the lines' length. Default 1 GiB.
   */
  maxStagedBytes: z.number().int().positive().default(1024 * 1024 * 1024),
  /**
   * Hot-item debounce (ms): an item asked for again less than this after its last send waits
   * until this long after that send, then goes once for every request that arrived meanwhile.
   * 0 (the default) sends every repeat as soon as it can.
   */
  minRefreshIntervalMs: z.number().int().min(0).max(86_400_000).default(0),
  /**
   * Asset cover (off when absent): a regular expression with one capture group that yields the
   * asset id from the tenant's playback URLs, e.g. `^https?://[^/]+/asset/([0-9a-f]{32})/`. Waiting
   * URLs of one asset, and the asset id itself, then go as one asset-id item for one unit; VOD's
   * verdict lists the URLs it refreshed, and a URL it did not list is sent again on its own.
   */
  assetIdFromUrl: z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      const problem = assetPatternProblem(source);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /**
   * The urgent reserve: `high` units of each budget day (default 5% of dailyLimit, rounded
   * down) that normal and low items may not spend until `releaseMinutesBeforeReset` minutes
   * before the reset; from then on anyone may, so a day with a backlog still ends fully spent.
   * 0 turns it off.
   */
  reserve: z
    .strictObject({
      high: z.number().int().min(0).optional(),
      releaseMinutesBeforeReset: z.number().int().min(0).max(1440).default(60),
    })
    .default({ releaseMinutesBeforeReset: 60 }),
}).transform((t, ctx) => {
  const high = t.reserve.high ?? Math.floor(t.dailyLimit * 0.05);
  if (high > t.dailyLimit) {
    ctx.addIssue({
      code: 'custom',
      path: ['reserve', 'high'],
      message: `reserve.high (${high}) exceeds dailyLimit (${t.dailyLimit}) by ${high - t.dailyLimit}`,
    });
  }
  return { ...t, reserve: { high, releaseMinutesBeforeReset: t.reserve.releaseMinutesBeforeReset } };
});

/** hex SHA-256 of a key; the key itself never appears in config. */
const keySha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters').transform((s) => s.toLowerCase());

/**
 * An allowlist entry for completion webhooks: `host`, `host:port`, `[ipv6]:port` or `*.domain`,
 * no scheme. Kept in canonical form (lower case); see core's callback-url.ts for the matching.
 */
const allowedHost = z.string().transform((entry, ctx) => {
  const p = parseHostPattern(entry);
  if (typeof p === 'string') {
    ctx.addIssue({ code: 'custom', message: p });
    return z.NEVER;
  }
  return `${p.wildcard ? '*.' : ''}${p.host}${p.port === null ? '' : `:${p.port}`}`;
});

const caller = z.strictObject({
  id: z.string().min(1),
  /** hex SHA-256 of the caller's API key */
  apiKeySha256: keySha256,
  tenants: z.array(tenantId).min(1),
  /** requests per second to the API (every authenticated route), all API replicas together */
  maxRequestsPerSecond: z.number().positive().max(100_000).default(50),
  /** requests allowed at once after a quiet spell; default two seconds' worth of the rate */
  burst: z.number().int().min(1).max(1_000_000).optional(),
  /**
   * requests of the caller Redis may keep at once, all API replicas together: a request counts
   * from its acceptance for statusTtlDays (how long its status is kept), so this bounds the
   * status data one caller can pile up by request rate alone; beyond it, 429 caller_requests
   */
  maxRetainedRequests: z.number().int().min(1).max(100_000_000).default(100_000),
  /** uploads (request bodies being read) the caller may have open at once, all API replicas together */
  maxOpenUploads: z.number().int().min(1).max(1000).default(4),
  /**
   * The caller's share of each tenant's budget against the other callers of that tenant, within
   * one priority (weighted fair queuing over per-caller queues). Work-conserving: a share nobody
   * uses goes to the callers with a backlog.
   */
  weight: z.number().positive().max(1000).default(1),
  /** Completion webhooks: without this block the caller may not send `callback_url`. */
  webhook: z
    .strictObject({
      /** HMAC-SHA256 key of the Refresh-Signature header; write it as ${NAME} to keep it out of the file */
      secret: z.string().min(32, 'the webhook secret must be at least 32 characters'),
      /** the only hosts a callback_url may name; the allowlist is the whole control */
      allowedHosts: z.array(allowedHost).min(1),
    })
    .optional(),
}).transform(({ burst, ...c }) => ({ ...c, burst: burst ?? Math.max(1, Math.ceil(2 * c.maxRequestsPerSecond)) }));

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
    /**
     * Failed authentication per client address (an IPv4 address, an IPv6 /64), all API replicas
     * together: a key presented and refused, a caller's or the admin's, counts one. From the
     * failure over the limit until the window ends, every request presenting a key from that
     * address gets 429 without its key being checked, so guessing there learns nothing.
     */
    authFailures: z
      .strictObject({
        /** refused keys an address may present in one window */
        maxPerAddress: z.number().int().min(1).max(1_000_000).default(20),
        /** s, the window, from the address's first failure in it */
        windowSeconds: z.number().int().min(1).max(86_400).default(300),
      })
      .prefault({}),
    /** Who may read /metrics, on the API and on the worker's health port. */
    metrics: z
      .strictObject({
        /**
         * hex SHA-256 of the token /metrics asks for as `Authorization: Bearer <token>`, on the
         * API and the worker alike (401 without it). Unset: /metrics is open to anyone who
         * reaches the port, which lists tenant and caller ids; set it in production.
         */
        bearerTokenSha256: keySha256.optional(),
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
        /**
         * items per Redis write while staging and per coalescing step. A coalescing step is one
         * Lua script, and Redis serves nobody else while it runs: the chunk bounds how long a
         * small request can wait behind a large upload. 1,000 cut the longest step measured with
         * 2,000 by about a third, for about 9% of ingest throughput (docs/benchmarks.md, "Chunk size").
         */
        chunkItems: z.number().int().min(1).max(10_000).default(1_000),
        /**
         * bytes of a refused request's body (413, 401, 429, …, answered while it was still
         * arriving) read and thrown away after the answer before the connection is closed, so
         * that a client still sending reads the answer instead of a reset (see lingering-close.ts)
         */
        refusalDrainBytes: z.number().int().min(0).default(64 * 1024 * 1024),
        /** ms, how long at most that discarding goes on after the answer */
        refusalDrainMs: z.number().int().min(0).default(10_000),
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
        /**
         * ms between completion sweeps, and the age at which a completion counts as left behind.
         * A process relays the completions it makes to the completions queue right away; one
         * that dies first leaves them in the outbox. Every worker sweeps at start and then this
         * often, and relays every completion older than this. A completion is thus retired
         * (retention, webhook) at most about twice this after such a crash.
         */
        completionSweepMs: z.number().int().min(100).default(30_000),
      })
      .prefault({}),
    /** Delivery of completion webhooks (the `webhooks` queue). */
    webhooks: z
      .strictObject({
        /** deliveries tried per completed request, including the first */
        maxAttempts: z.number().int().min(1).max(50).default(10),
        /** ms, first retry delay; doubles each attempt, with jitter */
        backoffBaseMs: z.number().int().positive().default(5_000),
        /** ms, cap of one retry delay */
        backoffMaxMs: z.number().int().positive().default(3_600_000),
        /** ms for one delivery, connection to last byte of the answer */
        timeoutMs: z.number().int().positive().default(10_000),
        /**
         * deliveries one caller may have under way at once, all worker replicas together: a caller
         * whose receiver hangs holds at most this many delivery slots, the rest serve the others
         */
        perCallerConcurrency: z.number().int().min(1).max(100).default(2),
        /**
         * webhook jobs that failed for good kept for inspection (the queue UI), newest first; older
         * ones go, and any after 7 days. Bounds what failing receivers leave in Redis, whoever's.
         */
        keepFailedJobs: z.number().int().min(0).max(1_000_000).default(10_000),
      })
      .refine((w) => w.backoffMaxMs >= w.backoffBaseMs, { message: 'backoffMaxMs must be at least backoffBaseMs', path: ['backoffMaxMs'] })
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
  /**
   * Redis Cluster seed nodes, `host:port` comma-separated; when set every connection is a
   * cluster client (REDIS_URL then only lends its credentials and TLS). Empty: standalone.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/, 'host:port'))),
  REFRESH_CONFIG: z.string().optional(),
  /**
   * Express's `trust proxy`: whose X-Forwarded-For names the client, for the failed-authentication
   * limit per address and the admin audit log. Empty (default): nobody's, the client is the
   * socket's peer. A hop count (`1`), or addresses and CIDRs, comma-separated (`10.0.0.0/8`).
   * Behind a load balancer set it, or every client shares the balancer's address and its limit.
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((s): boolean | number | string => (s.trim() === '' ? false : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim())),
  /** API port */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** worker metrics/health port */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** every Redis key and queue lives under it */
  KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _.:- only (no braces)').default('refresh'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * ms that work in flight may take after SIGTERM. API: requests finish, and uploads still
   * arriving when it ends are refused (503) and discarded. Worker: jobs finish (calls, polls,
   * webhooks; a long ingest hands itself back at once); jobs still running when it ends are
   * left to BullMQ, which hands them on after lockDurationMs. Keep it above
   * upstream.connectTimeoutMs + upstream.timeoutMs, and Kubernetes' terminationGracePeriodSeconds
   * above preStop + this + a few seconds.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),
  /** ms added to the wall clock; for day-change tests and drills only */
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  /**
   * clock ms per wall ms, for tests and drills only: 300 passes a budget day in under 5 minutes.
   * Waits the worker derives from clock time are divided by it; HTTP timeouts stay real.
   */
  CLOCK_RATE: z.coerce.number().positive().max(MAX_CLOCK_RATE).default(1),
  /**
   * epoch ms, the wall instant a CLOCK_RATE clock is anchored at (there it reads that instant +
   * CLOCK_OFFSET_MS). Give every process of a run the same value so they agree on now; by
   * default each process anchors at its own start. No effect at rate 1.
   */
  CLOCK_START_MS: z.coerce.number().int().positive().optional(),
});

export type FileConfig = z.output<typeof fileSchema>;
export type EnvConfig = z.output<typeof envSchema>;
export type TenantConfig = FileConfig['tenants'][number];
export type CallerConfig = FileConfig['callers'][number];

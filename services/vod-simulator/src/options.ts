/**
 * Simulator configuration: one zod schema with explicit defaults, shared by createSimulator
 * (tests pass objects) and main (env and a JSON file). Functions are not configuration;
 * they come only through SimulatorOptions.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const faultsSchema = z.object({
  /** Added before answering every /v1 call (ms). */
  latencyMs: z.number().min(0),
  /** Share of /v1 calls answered 502 APIGW.0201. */
  errorRate5xx: rate,
  /** Share of /v1 calls answered 429 APIGW.0308 with Retry-After: 1. */
  rate429: rate,
  /** Share of /v1 calls never answered until stop(). */
  hangRate: rate,
  /**
   * Share of RefreshAsset calls that are accepted (recorded, counted, task issued) but whose
   * answer is never sent: VOD acted on the call, the caller cannot know. Default 0.
   */
  lostAnswerRate: rate.optional(),
  /** PRNG seed, so a run with the same calls draws the same faults. */
  seed: z.number().int().optional(),
});

export type Faults = z.infer<typeof faultsSchema>;

export const DEFAULT_FAULTS: Faults = { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 };

export const projectSchema = z.object({
  /** 32-hex IAM project id. */
  projectId: z.string().min(1),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  /** Overrides the simulator-wide daily item limit for this project. */
  dailyLimit: z.number().int().min(0).optional(),
  /** IAM project name, i.e. the region id (cn-north-4); tokens scoped to it may call this project. */
  name: z.string().min(1).optional(),
});

export type SimProject = z.infer<typeof projectSchema>;

export const iamUserSchema = z.object({
  /** Account (domain) name. */
  domain: z.string().min(1),
  user: z.string().min(1),
  password: z.string().min(1),
  /** The project the user's tokens are scoped to: a project's `name` (region id) or its projectId. */
  project: z.string().min(1),
});

export type IamUser = z.infer<typeof iamUserSchema>;

/** An error answer a test asks for: Huawei's `{error_code, error_msg}` with this status. */
export const scriptedAnswerSchema = z.object({
  status: z.number().int().min(200).max(599),
  /** Sent as given, so a test can use either gateway spelling (APIGW. or APIG.). */
  code: z.string().min(1),
  /** Defaults to the meaning Huawei documents for the code. */
  message: z.string().optional(),
  /** Adds a Retry-After header (seconds). */
  retryAfterSeconds: z.number().int().min(0).optional(),
});

export type ScriptedAnswer = z.infer<typeof scriptedAnswerSchema>;

export const quotaErrorSchema = z.object({
  status: z.number().int().min(400).max(599),
  code: z.string().min(1),
  message: z.string(),
});

export type QuotaError = z.infer<typeof quotaErrorSchema>;

export const simulatorConfigSchema = z.object({
  projects: z.array(projectSchema).min(1),
  /** Items accepted per project per local day. Huawei publishes 1,000 per tenant. */
  dailyLimit: z.number().int().min(0).default(1000),
  /** IANA zone whose midnight starts a new quota day. Huawei does not say; Beijing time is a guess. */
  timezone: z
    .string()
    .refine((zone) => DateTime.local().setZone(zone).isValid, 'unknown IANA time zone')
    .default('Asia/Shanghai'),
  /** Largest accepted X-Sdk-Date offset from the simulator's clock (ms); the gateway uses 15 min. */
  maxSkewMs: z.number().int().min(0).default(15 * 60_000),
  /** ShowRefreshResult reports PROCESSING for this long after acceptance, then SUCCEED or FAILED (ms). */
  taskDurationMs: z.number().int().min(0).default(2000),
  /** Users that may obtain tokens at POST /v3/auth/tokens. */
  iamUsers: z.array(iamUserSchema).default([]),
  /** Lifetime of an issued token (ms); IAM's is 24 hours. */
  tokenTtlMs: z.number().int().min(1).default(24 * 60 * 60_000),
  /**
   * The answer to a call that would exceed the daily limit. Huawei publishes no code for an
   * exhausted quota, so this is configurable: tests and benchmarks can try what the real one
   * turns out to be without changing code. The default reuses the documented "illegal parameter".
   */
  quotaError: quotaErrorSchema.default({
    status: 400,
    code: 'VOD.10053',
    message: 'The request parameter is illegal, illegal field: daily refresh quota exceeded.',
  }),
  faults: faultsSchema.partial().default({}),
  /**
   * The media catalogue: asset id → its playback URLs. ShowRefreshResult for an asset-id task
   * lists these URLs, as VOD lists the URLs it refreshed. Assets not listed get the URLs
   * `catalogueBase` derives (see catalogue.ts).
   */
  catalogue: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  /** Where derived playback URLs live: `<catalogueBase>/<asset id>/…`, VOD's own URL shape. */
  catalogueBase: z.string().regex(/^https?:\/\/[^/]+/).default('https://example.com/asset'),
});

/** What a JSON config file may hold. */
export type SimulatorConfig = z.input<typeof simulatorConfigSchema>;
export type ResolvedConfig = z.output<typeof simulatorConfigSchema>;

export interface SimulatorOptions extends SimulatorConfig {
  /** Injectable clock (ms since epoch); defaults to Date.now. */
  now?: () => number;
  /** Defaults to a silent logger. */
  logger?: Logger;
}

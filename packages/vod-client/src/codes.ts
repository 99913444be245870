/**
 * The one table of the codes Huawei documents for RefreshAsset and ShowRefreshResult, after the
 * error table in docs/upstream-vod.md: what each code means for the worker. Classification reads
 * a row's class; the reading of an HTTP answer (classify-response.ts) reads its `transient` flag.
 */
import type { RetryReason, TenantBlockReason } from './classification';

export type CodeRow = (
  | { class: 'throttled' }
  | { class: 'rejected_items' }
  | { class: 'token_expired' }
  | { class: 'tenant_blocked'; reason: TenantBlockReason }
  | { class: 'retry_later'; reason: RetryReason }
) & {
  /**
   * VOD answers this code with a 4xx, yet the same call may pass later (its own internal error,
   * the gateway's rate limit): the answer is a retry, and its Retry-After counts. The gateway's
   * own throttling, APIGW.0308, needs no flag: it comes as a 429.
   */
  transient?: true;
};

// Codes in their APIGW. spelling; `normaliseCode` maps APIG. onto it.
const TABLE: Readonly<Record<string, CodeRow>> = {
  'VOD.10051': { class: 'retry_later', reason: 'internal_error', transient: true },
  'VOD.10052': { class: 'retry_later', reason: 'internal_error', transient: true },
  'APIGW.0308': { class: 'throttled' },
  'VOD.10127': { class: 'throttled', transient: true },
  'VOD.10053': { class: 'rejected_items' },
  'VOD.10081': { class: 'rejected_items' },
  'VOD.10060': { class: 'rejected_items' },
  'VOD.10061': { class: 'rejected_items' },
  'VOD.10062': { class: 'rejected_items' },
  'VOD.10083': { class: 'rejected_items' },
  'APIGW.0301': { class: 'tenant_blocked', reason: 'credentials' },
  'APIGW.0303': { class: 'tenant_blocked', reason: 'credentials' },
  'APIGW.0305': { class: 'tenant_blocked', reason: 'credentials' },
  'APIGW.0302': { class: 'tenant_blocked', reason: 'account' },
  'APIGW.0306': { class: 'tenant_blocked', reason: 'account' },
  'APIGW.0310': { class: 'tenant_blocked', reason: 'account' },
  'VOD.10054': { class: 'tenant_blocked', reason: 'credentials' },
  'VOD.10055': { class: 'tenant_blocked', reason: 'account' },
  'VOD.10056': { class: 'tenant_blocked', reason: 'account' },
  'VOD.10057': { class: 'tenant_blocked', reason: 'account' },
  'APIGW.0307': { class: 'token_expired' },
};

/** Some Huawei pages spell the gateway prefix `APIG.`: the table knows one spelling, `APIGW.`. */
export function normaliseCode(code: string): string {
  return code.trim().replace(/^APIG\./, 'APIGW.');
}

/** The row of a code in its APIGW. spelling (normaliseCode), if the table has one. */
export function codeRow(code: string): CodeRow | undefined {
  return Object.hasOwn(TABLE, code) ? TABLE[code] : undefined;
}

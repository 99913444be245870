/**
 * The store's Lua scripts (../lua), one typed function each in scripts/<script>.ts, named as its
 * .lua file: it builds the script's KEYS and ARGV from named inputs and reads its reply, error
 * codes included, into TypeScript types. scripts/registry.ts lists the scripts with their key
 * counts and registers them. Store modules call these functions, never a script by name.
 */
export { withScripts, scriptSource, type ScriptedRedis } from './scripts/registry';
export { ScriptReplyError } from './scripts/reply';
export { acquireCallSlot, type CallSlot } from './scripts/acquire-call-slot';
export { admitRequest, type Admission } from './scripts/admit-request';
export { beginAttempt, type AttemptStart } from './scripts/begin-attempt';
export { cancelItems, type CanceledPage } from './scripts/cancel-items';
export { claimBatch, type BudgetContext, type ClaimOptions, type ClaimResult } from './scripts/claim-batch';
export { claimIdempotencyKey, type IdempotencyClaim } from './scripts/claim-idempotency-key';
export { claimProbe } from './scripts/claim-probe';
export { coalesceItems, type CoalesceChunk, type CoalescedChunk } from './scripts/coalesce-items';
export { countAuthFailure, type AuthFailureState } from './scripts/count-auth-failure';
export { deferBatch } from './scripts/defer-batch';
export { discardRequest } from './scripts/discard-request';
export { finishBatch, type BatchOutcome, type FailedUse, type FinishedBatch } from './scripts/finish-batch';
export { finishIngest } from './scripts/finish-ingest';
export { holdBudget } from './scripts/hold-budget';
export { invalidateToken } from './scripts/invalidate-token';
export { markQuotaSpent } from './scripts/mark-quota-spent';
export { markRetired, queueMarkRetired } from './scripts/mark-retired';
export { markWebhookDelivered } from './scripts/mark-webhook-delivered';
export { openUpload } from './scripts/open-upload';
export { readRequestPosition, type RequestPosition } from './scripts/read-request-position';
export { parseTenantQueues, queueReadTenantState, type TenantQueues } from './scripts/read-tenant-state';
export { recordResults, type ItemVerdict, type RecordedResults } from './scripts/record-results';
export { releaseTokenLock } from './scripts/release-token-lock';
export { requeueFailed, type RequeuedPage } from './scripts/requeue-failed';
export { splitBatch } from './scripts/split-batch';
export { stageChunk } from './scripts/stage-chunk';
export { throttleTenant } from './scripts/throttle-tenant';

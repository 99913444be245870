export { tenantKeys, callerKeys, addressKeys, queuePrefix, tenantOfRequest, parsePacked, PACK_BUCKET, itemDigest, pendingCount, type TenantKeys } from './keys';
export { createRedis, isCluster, splitHostPort, type RedisClient, type RedisRole, type RedisTarget } from './connections';
export { withScripts } from './scripts';
export { createRequestStore, newRequestId, type Admission, type RequestStore, type RequestRecord, type RequestCallback, type ItemRecord, type ItemState } from './request-store';
export { createDispatchStore, batchItemIds, type DispatchStore, type ClaimResult, type BatchRecord, type BudgetContext, type ItemVerdict, type RecordedResults, type FailedUse } from './dispatch-store';
export { createCompletionStore, type CompletionStore, type PendingCompletion } from './completion-store';
export { createAdminStore, ADMIN_PAGE_SIZE, type AdminStore, type CancelResult, type RequeueResult } from './admin-store';
export {
  ingestJob, dispatchJob, retireJob, retireJobId, retireJobEntry, pollJob, webhookJob, webhookJobOptions, webhookJobId, type RetireJob, type PollJob,
  type WebhookJob, QUEUE_NAMES, INGEST_JOB_OPTIONS, POLL_JOB_OPTIONS, dispatchJobOptions, type IngestJob, type DispatchJob,
  enqueueIngest, wakeDispatch, wakeDispatchAt, dispatchBatch, enqueuePoll, relayCompletions, enqueueWebhook, type CompletionOutbox,
} from './jobs';
export { createMetricsStore, JOB_STATES, type MetricsStore, type StateReading, type TenantStateReading, type JobState, type QueueName } from './metrics-store';
export { createTenantGate, parsePause, type TenantGate, type TenantPause, type TenantPauseReason, type CallSlot } from './tenant-gate';
export { createTokenStore, type TokenStore, type CachedToken } from './token-store';
export { scanKeysUnder, deleteKeysUnder, unlinkKeys } from './prefix-keys';
export { createCallerRate, createCallerRequests, createCallerUploads, createCallerWebhookSlots, type CallerRate, type CallerRequests, type CallerUploads, type CallerWebhookSlots } from './caller-rate';
export { createAuthFailures, type AuthFailures, type AuthFailureState } from './auth-failures';
export { checkMemoryPolicy, SAFE_MEMORY_POLICY, type PolicyLogger, type NodePolicy } from './memory-policy';
export { readLedger, parseLedgerDay, type LedgerDay } from './ledger';
export { instanceRows } from './instances';
export { ItemChunkWriter, itemChunk, type ItemChunk } from './item-chunk';
export { prepareChunk, type PreparedChunk } from './coalesce-chunk';

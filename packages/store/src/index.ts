export { tenantKeys, queuePrefix, tenantOfRequest, type TenantKeys } from './keys';
export { createRedis, type RedisRole } from './connections';
export { withScripts } from './scripts';
export { createRequestStore, newRequestId, type RequestStore, type RequestRecord, type ItemRecord, type ItemState } from './request-store';
export { createDispatchStore, type DispatchStore, type ClaimResult, type BatchRecord, type BudgetContext, type ItemVerdict, type RecordedResults } from './dispatch-store';
export { ingestJob, dispatchJob, retireJob, pollJob, type RetireJob, type PollJob, QUEUE_NAMES, INGEST_JOB_OPTIONS, POLL_JOB_OPTIONS, dispatchJobOptions, type IngestJob, type DispatchJob } from './jobs';
export { createMetricsStore, JOB_STATES, type MetricsStore, type StateReading, type TenantStateReading, type JobState, type QueueName } from './metrics-store';
export { createTenantGate, parsePause, type TenantGate, type TenantPause, type TenantPauseReason, type CallSlot } from './tenant-gate';
export { createTokenStore, type TokenStore, type CachedToken } from './token-store';

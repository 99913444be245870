import type { TenantConfig } from '@refresh/config';
import type { Priority } from '@refresh/core';
import { enqueueIngest, ingestJob, newRequestId, type RequestCallback } from '@refresh/store';
import { currentTraceparent } from '@refresh/telemetry';
import type { Logger } from 'pino';
import { UPLOAD_LEASE_MS, admit, backlogFull, checkBacklog, openUpload, retainRequest, stagedBytesFull } from './admission';
import type { Caller } from '../auth/auth';
import type { ApiContext } from '../context';
import { asUnavailable, badRequest, conflict, dependency } from '../http/errors';
import { IDEMPOTENCY_TTL_SECONDS } from './idempotency';
import { createStaging, type Staging } from './staging';

/** Seconds an upload's staging list lives without a new chunk; a crashed upload cleans itself. */
const STAGING_IDLE_TTL_SECONDS = 3600;

/**
 * Feeds a request's items to `staging` (each endpoint reads its own body format) and returns
 * the request's priority and the fingerprint of its body, to which an Idempotency-Key is bound.
 */
export type ItemSource = (staging: Staging) => Promise<Upload>;

export interface Upload {
  priority: Priority;
  /** hash of the body as sent (and of what the query adds to it), to which an Idempotency-Key is bound */
  fingerprint: string;
  /** where to POST the completion summary, already checked against the caller's allowlist */
  callback?: RequestCallback | undefined;
  /** epoch ms before which nothing of the request is sent (a scheduled refresh), already checked */
  notBefore?: number | undefined;
}

export interface AcceptInput {
  /** the body is a stream of lines (text/plain), not one JSON document: it counts among the caller's open uploads */
  streamed?: boolean;
  /** the authenticated caller, already authorised for `tenant` */
  caller: Caller;
  tenant: TenantConfig;
  /** hash of the Idempotency-Key header, null without one */
  idempotencyKeyHash: string | null;
  readItems: ItemSource;
  log: Logger;
}

export interface AcceptedRequest {
  requestId: string;
  /** items received, duplicates included */
  received: number;
  /** true when an Idempotency-Key named an earlier request with the same body */
  replayed: boolean;
}

/**
 * The one accept path of every ingest endpoint: validates every item while staging it,
 * records the request and enqueues its ingest job. It returns only once the job is in the
 * queue, so a caller's 202 means the request is durable. A request with any bad item (or none)
 * is refused whole and leaves nothing behind: no staging, no record, no job, no key.
 *
 * The steps, in order, so checks can be placed where they belong:
 * 1. admission (back-pressure: rate limits, 429) — before a byte of the body is read;
 * 2. read and stage the items; 3. the Idempotency-Key; 4. record and enqueue.
 */
/**
 * How long a key bound to a request not yet recorded stays its owner's: recording takes
 * milliseconds, and an owner refused forgets the key, so only an owner that died holds it so long.
 */
const IDEMPOTENCY_LEASE_MS = 10_000;
/** How often a retry waiting for a key's owner looks again. */
const IDEMPOTENCY_POLL_MS = 25;

export function createAcceptRequest(ctx: ApiContext) {
  const retentionSeconds = Math.ceil(ctx.config.statusTtlDays * 86400);

  /**
   * Binds the key to `requestId`, or finds the request it is bound to (claim-idempotency-key.lua).
   * While that request's owner may still be between binding and recording it (its lease), this
   * waits for one of the two: the request recorded (answered as a replay) or the lease over
   * (the owner is gone: the key is taken over). Never two requests for one key.
   */
  async function bindIdempotencyKey(tenantId: string, keyHash: string, fingerprint: string, requestId: string) {
    for (;;) {
      const prior = await dependency(
        ctx.store.rememberIdempotencyKey(tenantId, keyHash, fingerprint, requestId, IDEMPOTENCY_TTL_SECONDS, {
          now: ctx.now(),
          ms: IDEMPOTENCY_LEASE_MS,
        }),
      );
      if (prior.status !== 'pending') return prior;
      await new Promise((r) => setTimeout(r, IDEMPOTENCY_POLL_MS));
    }
  }

  return async function acceptRequest({ caller, tenant, idempotencyKeyHash: keyHash, readItems, log, streamed = false }: AcceptInput): Promise<AcceptedRequest> {
    // 1. admission: a tenant whose backlog is full is refused before its body is read (the
    // caller's rate was taken by authenticate; the exact backlog check is admit's, in step 4)
    await checkBacklog(ctx, caller, tenant);

    // 2. read and stage, as one of the caller's open uploads, counting the lines in the tenant's
    // backlog as they arrive (so no upload puts more in Redis than the cap allows)
    const requestId = newRequestId(tenant.id);
    // the request takes one of the caller's retained places first; it gives it back unless it
    // is recorded (a refusal, a replay of an earlier request)
    const release = await retainRequest(ctx, caller, requestId, retentionSeconds);
    let closeUpload = async () => undefined as void;
    try {
      // a streamed body (up to textBodyBytes) holds one of the caller's open uploads while it is
      // read; a JSON body is bounded by jsonBodyBytes and read whole, so it holds none
      if (streamed) closeUpload = await openUpload(ctx, caller, tenant.id, requestId);
      const accepted = await readStageAndRecord(requestId);
      if (accepted.replayed) await release();
      return accepted;
    } catch (err) {
      await release();
      throw err;
    } finally {
      await closeUpload();
    }

    async function readStageAndRecord(requestId: string): Promise<AcceptedRequest> {
      const staging = createStaging(ctx.store, tenant.id, requestId, {
        chunkItems: ctx.config.ingest.chunkItems,
        ttlSeconds: STAGING_IDLE_TTL_SECONDS,
        backlog: {
          max: tenant.maxBacklogItems,
          now: ctx.now,
          leaseMs: UPLOAD_LEASE_MS,
          refusal: (backlog, incoming) => backlogFull(ctx, caller, tenant, backlog, incoming),
          maxStagedBytes: tenant.maxStagedBytes,
          bytesRefusal: (staged, incoming) => stagedBytesFull(ctx, caller, tenant, staged, incoming),
        },
      });
      let upload: Upload;
      try {
        upload = await readItems(staging);
        if (staging.bad > 0) {
          throw badRequest(`${staging.bad} of ${staging.received} items are not valid`, staging.problems);
        }
        if (staging.received === 0) throw badRequest('the request has no items');
        await staging.finish();
      } catch (err) {
        await staging.discard();
        throw err;
      }

      // 3. idempotency: one request per (caller, key), whatever the replicas and the timing
      if (keyHash !== null) {
        let prior: Awaited<ReturnType<typeof ctx.store.rememberIdempotencyKey>>;
        try {
          prior = await bindIdempotencyKey(tenant.id, keyHash, upload.fingerprint, requestId);
        } catch (err) {
          await staging.discard();
          throw err;
        }
        if (prior.status !== 'new') {
          // a retry of an earlier request: its own staging and job exist, this copy is not needed
          await staging.discard();
          if (prior.status === 'conflict') throw conflict('Idempotency-Key was used before with a different body');
          return { requestId: prior.requestId, received: staging.received, replayed: true };
        }
      }

      // 4. record and enqueue
      try {
        // records the request only if the tenant's backlog has room for it (429 otherwise)
        await admit(ctx, caller, tenant,
          { tenant: tenant.id, requestId, priority: upload.priority, received: staging.received, createdAt: ctx.now(), callback: upload.callback, caller: caller.id, notBefore: upload.notBefore,
            // its trace (the caller's, or one begun here): what the spans of its calls link to
            traceparent: currentTraceparent() },
          retentionSeconds,
        );
        const job = ingestJob.parse({ tenant: tenant.id, requestId, priority: upload.priority });
        // a scheduled request is coalesced at its not_before: its items are not pending (nor linkable,
        // nor sendable) before then; the worker checks the instant again when the job runs
        const delay = upload.notBefore === undefined ? 0 : Math.max(0, upload.notBefore - ctx.now());
        await enqueueIngest(ctx.queues.ingest, job, delay > 0 ? ctx.realMs(delay) : 0);
      } catch (err) {
        await staging.discard();
        if (keyHash !== null) await ctx.store.forgetIdempotencyKey(tenant.id, keyHash).catch(() => undefined);
        throw asUnavailable(err);
      }

      ctx.metrics.countItems(tenant.id, staging.byKind);
      log.info({ tenant: tenant.id, requestId, received: staging.received, priority: upload.priority }, 'refresh request accepted');
      return { requestId, received: staging.received, replayed: false };
    }
  };
}
export type AcceptRequest = ReturnType<typeof createAcceptRequest>;

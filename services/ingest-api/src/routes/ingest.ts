import { classifyLine, type Priority } from '@refresh/core';
import { INGEST_JOB_OPTIONS, ingestJob, newRequestId } from '@refresh/store';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { callerOf, tenantFor } from '../auth';
import type { ApiContext } from '../context';
import { asUnavailable, badRequest, conflict, dependency, tooLarge, unsupportedMediaType } from '../errors';
import { IDEMPOTENCY_TTL_SECONDS, idempotencyKeyHash } from '../idempotency';
import { createJsonReader } from '../json-body';
import { routeName } from '../metrics';
import { logOf } from '../request-log';
import { createStaging, type Staging } from '../staging';
import { checkTextCharset, readTextLines } from '../text-upload';

/** Seconds an upload's staging list lives without a new chunk; a crashed upload cleans itself. */
const STAGING_IDLE_TTL_SECONDS = 3600;

const priorityQuery = z.enum(['high', 'normal', 'low']).default('normal');

/**
 * POST /v1/tenants/:tenant/refresh-requests: validates every item, stages them, records the
 * request and enqueues one ingest job. 202 only once the job is in the queue; a request with
 * any bad item is refused whole and leaves nothing behind.
 */
export function ingestRoutes(ctx: ApiContext): Router {
  const router = Router();
  const readJson = createJsonReader(ctx.config.ingest.jsonBodyBytes);
  const retentionSeconds = Math.ceil(ctx.config.statusTtlDays * 86400);

  router.post('/v1/tenants/:tenant/refresh-requests', routeName('ingest'), ctx.authenticate, async (req, res) => {
    const tenant = tenantFor(ctx.config, callerOf(res), String(req.params.tenant));
    const keyHash = idempotencyKeyHash(req);
    const requestId = newRequestId(tenant.id);
    const staging = createStaging(ctx.store, tenant.id, requestId, {
      chunkItems: ctx.config.ingest.chunkItems,
      ttlSeconds: STAGING_IDLE_TTL_SECONDS,
    });

    let upload: { priority: Priority; fingerprint: string };
    try {
      upload = await readItems(req, res, staging);
      if (staging.bad > 0) {
        throw badRequest(`${staging.bad} of ${staging.received} items are not valid`, staging.problems);
      }
      if (staging.received === 0) throw badRequest('the request has no items');
      await staging.finish();
    } catch (err) {
      await staging.discard();
      throw err;
    }

    const answer = (id: string) => ({ request_id: id, status_url: `/v1/refresh-requests/${id}`, received: staging.received });

    if (keyHash !== null) {
      let prior: Awaited<ReturnType<typeof ctx.store.rememberIdempotencyKey>>;
      try {
        prior = await dependency(
          ctx.store.rememberIdempotencyKey(tenant.id, keyHash, upload.fingerprint, requestId, IDEMPOTENCY_TTL_SECONDS),
        );
      } catch (err) {
        await staging.discard();
        throw err;
      }
      if (prior.status === 'same' && !(await dependency(ctx.store.get(prior.requestId)))) {
        // the key names a request that was never recorded (its API died before queueing it):
        // this request takes the key over instead of answering for one that does not exist
        await dependency(ctx.store.replaceIdempotencyKey(tenant.id, keyHash, upload.fingerprint, requestId, IDEMPOTENCY_TTL_SECONDS));
        prior = { status: 'new' };
      }
      if (prior.status !== 'new') {
        // a retry of an earlier request: its own staging and job exist, this copy is not needed
        await staging.discard();
        if (prior.status === 'conflict') throw conflict('Idempotency-Key was used before with a different body');
        res.status(202).location(`/v1/refresh-requests/${prior.requestId}`).json(answer(prior.requestId));
        return;
      }
    }

    try {
      await ctx.store.create(
        { tenant: tenant.id, requestId, priority: upload.priority, received: staging.received, createdAt: ctx.now() },
        retentionSeconds,
      );
      const job = ingestJob.parse({ tenant: tenant.id, requestId, priority: upload.priority });
      await ctx.queues.ingest.add('ingest', job, { ...INGEST_JOB_OPTIONS, jobId: requestId });
    } catch (err) {
      await staging.discard();
      if (keyHash !== null) await ctx.store.forgetIdempotencyKey(tenant.id, keyHash).catch(() => undefined);
      throw asUnavailable(err);
    }

    ctx.metrics.countItems(tenant.id, staging.byKind);
    logOf(res, ctx.logger).info(
      { tenant: tenant.id, requestId, received: staging.received, priority: upload.priority },
      'refresh request accepted',
    );
    res.status(202).location(`/v1/refresh-requests/${requestId}`).json(answer(requestId));
  });

  /** Feeds the body's items to staging by media type; returns the priority and body fingerprint. */
  async function readItems(req: Request, res: Response, staging: Staging): Promise<{ priority: Priority; fingerprint: string }> {
    const mediaType = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (mediaType === 'text/plain' && encoding !== 'identity') {
      throw unsupportedMediaType(`Content-Encoding ${encoding} is not accepted for text/plain uploads; send them uncompressed`);
    }
    if (mediaType === 'application/json') {
      const { body, fingerprint } = await readJson(req, res);
      for (const [field, kind] of [['asset_ids', 'asset_id'], ['urls', 'url']] as const) {
        const values = body[field] ?? [];
        for (let index = 0; index < values.length; index++) {
          const pending = staging.add(kind, values[index] ?? '', { index, field });
          if (pending) await pending;
        }
      }
      return { priority: body.priority ?? 'normal', fingerprint };
    }
    if (mediaType === 'text/plain') {
      checkTextCharset(req);
      const p = priorityQuery.safeParse(req.query.priority);
      if (!p.success) throw badRequest('priority must be one of high, normal, low');
      if (Number(req.get('content-length')) > ctx.config.ingest.textBodyBytes) {
        // refused before a byte is read; the connection cannot carry another request
        res.set('Connection', 'close');
        throw tooLarge(ctx.config.ingest.textBodyBytes);
      }
      let index = 0;
      try {
        const { fingerprint } = await readTextLines(
          req,
          { maxBytes: ctx.config.ingest.textBodyBytes, salt: p.data },
          (line, lineNumber) => staging.add(classifyLine(line), line, { index: index++, line: lineNumber }),
        );
        return { priority: p.data, fingerprint };
      } catch (err) {
        // the body was not read to its end: do not keep the connection for another request
        if (!req.complete) res.set('Connection', 'close');
        throw err;
      }
    }
    throw unsupportedMediaType('send application/json or text/plain');
  }

  return router;
}

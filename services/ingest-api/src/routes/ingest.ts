import { refreshRequestBody, textUploadQuery } from '@refresh/contract';
import { classifyLine } from '@refresh/core';
import { Router, type Request, type Response } from 'express';
import { createAcceptRequest, type Upload } from '../intake/accept-request';
import { answerTraceparent } from '../http/trace-header';
import { callerOf, tenantFor, type Caller } from '../auth/auth';
import { callbackFor } from '../intake/callback';
import type { ApiContext } from '../context';
import { badRequest, tooLarge, unsupportedMediaType } from '../http/errors';
import { idempotencyKeyHash } from '../intake/idempotency';
import { NO_ESTIMATE, requestOutlook } from '../views/estimate';
import { notBeforeOf } from '../intake/not-before';
import { createJsonReader } from '../intake/json-body';
import { routeName } from '../ops/metrics';
import { logOf } from '../http/request-log';
import { stageList, type Staging } from '../intake/staging';
import { checkTextCharset, readTextLines } from '../intake/text-upload';

/**
 * POST /v1/tenants/:tenant/refresh-requests: JSON or a streamed text/plain upload, taken in by
 * the shared accept path (accept-request.ts). 202 only once the job is in the queue; a request
 * with any bad item is refused whole and leaves nothing behind.
 */
export function ingestRoutes(ctx: ApiContext): Router {
  const router = Router();
  const readJson = createJsonReader(ctx.config.ingest.jsonBodyBytes, refreshRequestBody, ctx.shutdown);
  const acceptRequest = createAcceptRequest(ctx);

  router.post('/v1/tenants/:tenant/refresh-requests', routeName('ingest'), ctx.authenticate, async (req, res) => {
    const caller = callerOf(res);
    const tenant = tenantFor(ctx.config, caller, String(req.params.tenant));
    const accepted = await acceptRequest({
      caller,
      tenant,
      streamed: mediaTypeOf(req) === 'text/plain',
      idempotencyKeyHash: idempotencyKeyHash(req, caller.id),
      readItems: (staging) => readItems(req, res, staging, caller),
      log: logOf(res, ctx.logger),
    });
    const statusUrl = `/v1/refresh-requests/${accepted.requestId}`;
    // the request is queued whatever happens now: a failed read answers without an estimate, never with an error
    const estimate = await requestOutlook(ctx, tenant, accepted.requestId, ctx.now()).then((o) => o.estimate).catch((err: unknown) => {
      logOf(res, ctx.logger).warn({ err, requestId: accepted.requestId }, 'no completion estimate for an accepted request');
      return NO_ESTIMATE;
    });
    answerTraceparent(res);
    res.status(202).location(statusUrl).json({ request_id: accepted.requestId, status_url: statusUrl, received: accepted.received, ...estimate });
  });

  /** Feeds the body's items to staging by media type; returns the priority, body fingerprint and callback. */
  async function readItems(req: Request, res: Response, staging: Staging, caller: Caller): Promise<Upload> {
    const mediaType = mediaTypeOf(req);
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (mediaType === 'text/plain' && encoding !== 'identity') {
      throw unsupportedMediaType(`Content-Encoding ${encoding} is not accepted for text/plain uploads; send them uncompressed`);
    }
    if (mediaType === 'application/json') {
      const { body, fingerprint } = await readJson(req, res);
      const callback = callbackFor(ctx.config, caller, body.callback_url);
      const notBefore = notBeforeOf(body.not_before, ctx.now());
      await stageList(staging, 'asset_ids', 'asset_id', body.asset_ids);
      await stageList(staging, 'urls', 'url', body.urls);
      return { priority: body.priority ?? 'normal', fingerprint, callback, notBefore };
    }
    if (mediaType === 'text/plain') {
      checkTextCharset(req);
      const p = textUploadQuery.shape.priority.safeParse(req.query.priority);
      if (!p.success) throw badRequest('priority must be one of high, normal, low');
      // checked before a byte of the body is read
      const callbackUrl = textUploadQuery.shape.callback_url.safeParse(req.query.callback_url);
      if (!callbackUrl.success) throw badRequest('callback_url must be given once, as a string');
      const callback = callbackFor(ctx.config, caller, callbackUrl.data);
      const scheduled = textUploadQuery.shape.not_before.safeParse(req.query.not_before);
      if (!scheduled.success) throw badRequest('not_before must be given once, as an RFC 3339 date-time with an offset', [{ field: 'not_before', reason: 'not an RFC 3339 date-time' }]);
      const notBefore = notBeforeOf(scheduled.data, ctx.now());
      // refused before a byte is read (the error handler discards the rest, within bounds)
      if (Number(req.get('content-length')) > ctx.config.ingest.textBodyBytes) throw tooLarge(ctx.config.ingest.textBodyBytes);
      let index = 0;
      const { fingerprint } = await readTextLines(
        req,
        // the callback is part of what was asked; without one the salt stays what it always was
        // (and so is the schedule)
        {
          maxBytes: ctx.config.ingest.textBodyBytes,
          salt: [p.data, ...(callback ? [callback.url] : []), ...(scheduled.data ? [`nb=${scheduled.data}`] : [])].join(' '),
          // a shutdown, or a chunk's write that failed (refused by a cap), stops the read at once
          signal: AbortSignal.any([ctx.shutdown, staging.failed]),
        },
        (line, lineNumber) => staging.add(classifyLine(line), line, { index: index++, line: lineNumber }),
      );
      return { priority: p.data, fingerprint, callback, notBefore };
    }
    throw unsupportedMediaType('send application/json or text/plain');
  }

  return router;
}

function mediaTypeOf(req: Request): string | undefined {
  return (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
}

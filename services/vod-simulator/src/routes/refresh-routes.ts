/**
 * RefreshAsset (POST) and ShowRefreshResult (GET) on /v1/:project_id/asset/refresh.
 * Order for a RefreshAsset call: a scripted answer for the path's project (before everything
 * else, even faults and authentication: a test that scripts an answer gets exactly that answer),
 * then faults, then the gateway's checks (AK/SK or token), then the body rules, then rejected
 * items, then the daily quota. ShowRefreshResult skips the script. Only a call that passes them
 * all is recorded and counted.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { authenticate } from '../authenticate';
import { illegalField, scriptedError, sendError } from '../gateway-errors';
import { playbackUrls } from '../catalogue';
import { parseRefreshBody } from '../refresh-body';
import type { AcceptedCall, Arrival, SimState } from '../state';
import { localDay } from '../usage-ledger';

type Handler = (req: Request, res: Response, ctx: { projectId: string; body: Buffer; loseAnswer: boolean }) => void;

export function refreshRoutes(state: SimState): Router {
  const router = Router();
  // Raw bytes: the signature covers the exact body, so nothing may re-serialise it first.
  router.use('/v1', express.raw({ type: () => true, limit: '12mb' }));
  router.post('/v1/:project_id/asset/refresh', arrival(state, 'refresh'), scripted(state), gateway(state, (req, res, ctx) => refreshAsset(state, res, ctx)));
  router.get('/v1/:project_id/asset/refresh', arrival(state, 'show_result'), gateway(state, (req, res, ctx) => showRefreshResult(state, req, res, ctx)));
  return router;
}

/** Every call is logged on arrival, whatever it is answered: tests check call rates (both APIs share them). */
function arrival(state: SimState, api: Arrival['api']) {
  return (req: Request, _res: Response, next: () => void): void => {
    state.arrivals.push({ projectId: String(req.params.project_id), at: state.now(), api });
    next();
  };
}

function scripted(state: SimState) {
  return (req: Request, res: Response, next: () => void): void => {
    const answer = state.scripts.next(String(req.params.project_id));
    if (!answer) {
      next();
      return;
    }
    state.logger.debug({ projectId: req.params.project_id, code: answer.code }, 'scripted answer');
    sendError(res, scriptedError(answer), answer.retryAfterSeconds);
  };
}

function gateway(state: SimState, handle: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    const fault = state.faults.draw();
    if (fault.hang) {
      state.pending.hold(res);
      return;
    }
    await state.pending.sleep(fault.latencyMs);
    if (res.socket === null || res.socket.destroyed) return; // stopped while sleeping
    if (fault.answer) {
      sendError(res, fault.answer, fault.retryAfterSeconds);
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { config } = state;
    const auth = authenticate(req, body, { projects: config.projects, tokens: state.tokens, now: state.now(), maxSkewMs: config.maxSkewMs });
    if (!auth.ok) {
      state.logger.debug({ code: auth.answer.code, path: req.path }, 'refused by gateway');
      sendError(res, auth.answer);
      return;
    }
    handle(req, res, { projectId: auth.project.projectId, body, loseAnswer: fault.loseAnswer === true });
  };
}

function refreshAsset(state: SimState, res: Response, ctx: { projectId: string; body: Buffer; loseAnswer: boolean }): void {
  const parsed = parseRefreshBody(ctx.body);
  if (!parsed.ok) {
    sendError(res, illegalField(parsed.field));
    return;
  }
  const rejection = state.scripts.rejection(ctx.projectId, parsed.items);
  if (rejection) {
    sendError(res, scriptedError(rejection), rejection.retryAfterSeconds);
    return;
  }
  const { config, ledger } = state;
  const acceptedAt = state.now();
  const day = localDay(acceptedAt, config.timezone);
  const limit = config.projects.find((p) => p.projectId === ctx.projectId)?.dailyLimit ?? config.dailyLimit;
  if (ledger.used(ctx.projectId, day) + parsed.items.length > limit) {
    state.logger.info({ projectId: ctx.projectId, day, items: parsed.items.length }, 'daily quota exceeded');
    sendError(res, config.quotaError);
    return;
  }
  const taskId = randomBytes(16).toString('hex');
  ledger.add(ctx.projectId, day, parsed.items.length);
  const call: AcceptedCall = { taskId, projectId: ctx.projectId, kind: parsed.kind, items: parsed.items, acceptedAt, day, answerDelivered: false, polls: 0 };
  state.calls.push(call);
  const urls = parsed.items.filter((item) => !isUrl(item)).flatMap((id) => playbackUrls(config, id));
  state.failingByTask.set(taskId, state.scripts.failing([...parsed.items, ...urls]));
  state.logger.debug({ projectId: ctx.projectId, taskId, items: parsed.items.length, loseAnswer: ctx.loseAnswer }, 'refresh accepted');
  if (ctx.loseAnswer) {
    state.pending.hold(res);
    return;
  }
  res.once('finish', () => (call.answerDelivered = true));
  res.status(202).json({ task_id: taskId });
}

function showRefreshResult(state: SimState, req: Request, res: Response, ctx: { projectId: string }): void {
  const taskId = req.query.task_id;
  const call = state.calls.find((c) => c.taskId === taskId && c.projectId === ctx.projectId);
  if (typeof taskId !== 'string' || !call) {
    sendError(res, illegalField('task_id'));
    return;
  }
  call.polls += 1;
  const done = state.now() - call.acceptedAt >= state.config.taskDurationMs;
  const failing = state.failingByTask.get(call.taskId);
  const status = (item: string) => (!done ? 'PROCESSING' : failing?.has(item) ? 'FAILED' : 'SUCCEED');
  // Huawei reports URLs: an asset-id task lists every playback URL of its assets, each FAILED
  // when its asset or the URL itself was failing when the task was accepted.
  const results = call.items.flatMap((item) =>
    isUrl(item)
      ? [{ url: item, status: status(item) }]
      : playbackUrls(state.config, item).map((url) => ({ url, status: failing?.has(item) ? status(item) : status(url) })),
  );
  res.status(200).json({ refresh_results: results });
}

/** Asset ids never contain "://" (the service's own rule for text uploads). */
function isUrl(item: string): boolean {
  return item.includes('://');
}

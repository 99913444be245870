/**
 * RefreshAsset (POST) and ShowRefreshResult (GET) on /v1/:project_id/asset/refresh.
 * Every call goes through faults, then the gateway's checks, then VOD's own rules; only a
 * call that passes them all is recorded and counted.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { authenticate } from '../authenticate';
import { illegalField, sendError } from '../gateway-errors';
import { parseRefreshBody } from '../refresh-body';
import type { SimState } from '../state';
import { localDay } from '../usage-ledger';

type Handler = (req: Request, res: Response, ctx: { projectId: string; body: Buffer }) => void;

export function refreshRoutes(state: SimState): Router {
  const router = Router();
  // Raw bytes: the signature covers the exact body, so nothing may re-serialise it first.
  router.use('/v1', express.raw({ type: () => true, limit: '12mb' }));
  router.post('/v1/:project_id/asset/refresh', gateway(state, (req, res, ctx) => refreshAsset(state, res, ctx)));
  router.get('/v1/:project_id/asset/refresh', gateway(state, (req, res, ctx) => showRefreshResult(state, req, res, ctx)));
  return router;
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
      if (fault.retryAfterSeconds !== undefined) res.set('Retry-After', String(fault.retryAfterSeconds));
      sendError(res, fault.answer);
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { config } = state;
    const auth = authenticate(req, body, { projects: config.projects, now: state.now(), maxSkewMs: config.maxSkewMs });
    if (!auth.ok) {
      state.logger.debug({ code: auth.answer.code, path: req.path }, 'refused by gateway');
      sendError(res, auth.answer);
      return;
    }
    handle(req, res, { projectId: auth.project.projectId, body });
  };
}

function refreshAsset(state: SimState, res: Response, ctx: { projectId: string; body: Buffer }): void {
  const parsed = parseRefreshBody(ctx.body);
  if (!parsed.ok) {
    sendError(res, illegalField(parsed.field));
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
  state.calls.push({ taskId, projectId: ctx.projectId, kind: parsed.kind, items: parsed.items, acceptedAt, day });
  state.logger.debug({ projectId: ctx.projectId, taskId, items: parsed.items.length }, 'refresh accepted');
  res.status(202).json({ task_id: taskId });
}

function showRefreshResult(state: SimState, req: Request, res: Response, ctx: { projectId: string }): void {
  const taskId = req.query.task_id;
  const call = state.calls.find((c) => c.taskId === taskId && c.projectId === ctx.projectId);
  if (typeof taskId !== 'string' || !call) {
    sendError(res, illegalField('task_id'));
    return;
  }
  // Huawei reports URLs; for asset ids the simulator echoes the id, as it knows no URLs for them.
  const status = state.now() - call.acceptedAt < state.config.taskDurationMs ? 'PROCESSING' : 'SUCCEED';
  res.status(200).json({ refresh_results: call.items.map((url) => ({ url, status })) });
}

/** /_sim: the test and benchmark side door. Not part of Huawei's API; needs no signature. */
import express, { type Response, Router } from 'express';
import { z } from 'zod';
import { faultsSchema, scriptedAnswerSchema } from '../options';
import { resetState, type SimState } from '../state';

export const scriptRequestSchema = scriptedAnswerSchema.extend({ projectId: z.string().min(1), count: z.number().int().min(1) }).strict();
export const rejectItemsRequestSchema = scriptedAnswerSchema.extend({ projectId: z.string().min(1), items: z.array(z.string().min(1)).min(1) }).strict();
export const failItemsRequestSchema = z.object({ items: z.array(z.string().min(1)).min(1) }).strict();

export function adminRoutes(state: SimState): Router {
  const router = Router();
  router.use('/_sim', express.json());
  // liveness for container health checks
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/_sim/calls', (_req, res) => {
    res.json(state.calls);
  });
  router.delete('/_sim/calls', (_req, res) => {
    resetState(state);
    res.status(204).end();
  });
  router.get('/_sim/usage', (_req, res) => {
    res.json(state.ledger.snapshot());
  });
  router.get('/_sim/faults', (_req, res) => {
    res.json(state.faults.current());
  });
  router.put('/_sim/faults', (req, res) => {
    const parsed = faultsSchema.partial().strict().safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid faults', issues: parsed.error.issues });
      return;
    }
    state.faults.set(parsed.data);
    res.json(state.faults.current());
  });
  // {projectId, count, status, code, message?, retryAfterSeconds?}: see Simulator.script
  router.post('/_sim/script', (req, res) => {
    const parsed = scriptRequestSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error.issues);
    const { projectId, count, ...answer } = parsed.data;
    state.scripts.script(projectId, count, answer);
    res.status(204).end();
  });
  // {projectId, items, status, code, message?, retryAfterSeconds?}: see Simulator.rejectItems
  router.post('/_sim/reject-items', (req, res) => {
    const parsed = rejectItemsRequestSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error.issues);
    const { projectId, items, ...answer } = parsed.data;
    state.scripts.rejectItems(projectId, items, answer);
    res.status(204).end();
  });
  router.post('/_sim/fail-items', (req, res) => {
    const parsed = failItemsRequestSchema.safeParse(req.body);
    if (!parsed.success) return invalid(res, parsed.error.issues);
    state.scripts.failItems(parsed.data.items);
    res.status(204).end();
  });
  router.post('/_sim/expire-tokens', (_req, res) => {
    state.tokens.expireAll();
    res.status(204).end();
  });
  return router;
}

function invalid(res: Response, issues: unknown): void {
  res.status(400).json({ error: 'invalid request', issues });
}

/** /_sim: the test and benchmark side door. Not part of Huawei's API; needs no signature. */
import express, { Router } from 'express';
import { faultsSchema } from '../options';
import { resetState, type SimState } from '../state';

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
  return router;
}

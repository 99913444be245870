export { createRefreshWorker, type RefreshWorker, type RefreshWorkerDeps } from './worker-app';
export { systemClock, type Clock } from './clock';
export { createWorkerMetrics, type WorkerMetrics } from './ops/metrics';
export { createHealthServer } from './ops/health-server';

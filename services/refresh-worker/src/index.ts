export { createRefreshWorker, type RefreshWorker, type RefreshWorkerDeps } from './worker-app';
export { systemClock, type Clock } from './clock';
export { createWorkerMetrics, type WorkerMetrics } from './ops/metrics';

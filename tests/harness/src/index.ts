/**
 * What the worker's tests (services/refresh-worker/test) and the system tests (tests/system)
 * share: Redis and simulator set-up, test configs and worlds, the service processes, a webhook
 * receiver, a reader of metrics text. Each folder binds `worldOf` to its worker in harness.ts.
 */
export * from './harness';
export * from './processes';
export * from './webhook-receiver';
export * from './metrics-text';

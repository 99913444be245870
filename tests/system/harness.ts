/** The shared test harness, its worlds' workers made from the built worker, as the services run. */
import { createRefreshWorker } from '@refresh/refresh-worker';
import { worldOf } from '@refresh/test-harness';

export * from '@refresh/test-harness';
export const testWorld = worldOf(createRefreshWorker);

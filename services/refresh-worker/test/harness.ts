/** The shared test harness, its worlds' workers made from this service's source. */
import { worldOf } from '@refresh/test-harness';
import { createRefreshWorker } from '../src';

export * from '@refresh/test-harness';
export const testWorld = worldOf(createRefreshWorker);

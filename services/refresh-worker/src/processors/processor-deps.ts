import type { DispatchStore } from '@refresh/store';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { CompletionRelay } from '../jobs/completion-relay';
import type { JobEnqueuer } from '../jobs/enqueuer';
import type { WorkerMetrics } from '../ops/metrics';

/** What the ingest, dispatch and result processors all work with. */
export interface ProcessorDeps {
  store: DispatchStore;
  enqueue: JobEnqueuer;
  /** relays the completions of requests a step completed to the completions queue */
  completions: Pick<CompletionRelay, 'relay'>;
  clock: Clock;
  logger: Logger;
  metrics: WorkerMetrics;
}

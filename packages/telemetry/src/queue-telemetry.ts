import { BullMQOtel } from 'bullmq-otel';

/**
 * BullMQ's `telemetry` option for every Queue and Worker of a process: producer and consumer
 * spans, the job carrying its producer's context in its options (so a request's ingest job
 * continues the request's trace). Undefined when tracing is off: BullMQ then skips all of it.
 */
export function queueTelemetry(on: boolean): BullMQOtel | undefined {
  return on ? new BullMQOtel({ tracerName: 'bullmq' }) : undefined;
}

import type { IncomingMessage } from 'node:http';
import { TracingConfigError, tracingSettings, type OtlpProtocol, type TracingSettings } from './settings';

export { TracingConfigError };

/** What main needs of tracing: whether it is on (for the queues' telemetry), and a flush at exit. */
export interface Tracing {
  on: boolean;
  /** exports what is buffered and stops the SDK; at most `timeoutMs`, never throws */
  shutdown(timeoutMs?: number): Promise<void>;
}

const OFF: Tracing = { on: false, shutdown: async () => undefined };

/** Probes and scrapes come every few seconds and explain nothing: no spans for them. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts the OpenTelemetry Node SDK if the OTEL_* variables ask for it (settings.ts), with the
 * instrumentations of what the services use: http (server and client spans, W3C traceparent
 * in and out), express (routes), ioredis (commands, only inside a traced operation and by
 * command name alone: arguments hold items; not those repeated for each chunk of a large upload,
 * see withoutCommandSpans) and pino (trace_id/span_id on log lines; no log
 * sending). Must run before http, express, ioredis or pino are loaded: each service's
 * `tracing.ts` is the first import of its main.ts (CommonJS runs imports in order).
 * Off: nothing of the SDK is loaded.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv): Tracing {
  let settings: TracingSettings;
  try {
    settings = tracingSettings(env);
  } catch (err) {
    if (!(err instanceof TracingConfigError)) throw err;
    process.stderr.write(`${service}: invalid tracing configuration\n${err.message}\n`);
    process.exit(1);
  }
  if (!settings.on) return OFF;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation, ExpressLayerType } = require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
  const { ScrubbingProcessor } = require('./scrubbing-processor') as typeof import('./scrubbing-processor');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const exported = settings.exporter === 'console'
    ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
    // endpoint, headers, timeout from OTEL_EXPORTER_OTLP_* (read by the exporter itself)
    : new BatchSpanProcessor({ exporter: otlpExporter(settings.protocol), ...batchFromEnv(env) });
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: service }),
    // the scrubber first: the exporter only ever sees what it left
    spanProcessors: [new ScrubbingProcessor(), exported],
    // metrics are Prometheus' (/metrics), logs pino's (stdout): traces only
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
      // route and handler spans; one span per middleware would cost more than it tells
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command: string) => command }),
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  let stopped: Promise<void> | null = null;
  return {
    on: true,
    shutdown(timeoutMs = 5_000) {
      stopped ??= Promise.race([
        sdk.shutdown().catch(() => undefined),
        new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
      ]);
      return stopped;
    },
  };
}

/**
 * OTEL_BSP_*: the batch processor reads them only when the SDK builds it from the environment,
 * and here the scrubber comes first, so we build it.
 */
function batchFromEnv(env: NodeJS.ProcessEnv) {
  const n = (name: string) => {
    const v = Number(env[name]);
    return env[name] !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const opts = {
    scheduledDelayMillis: n('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: n('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: n('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: n('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}

function otlpExporter(protocol: OtlpProtocol) {
  /* eslint-disable @typescript-eslint/no-require-imports -- one exporter package per protocol, loaded when chosen */
  switch (protocol) {
    case 'http/json':
      return new (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

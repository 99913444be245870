/**
 * The first import of main.ts, so the OpenTelemetry SDK patches http, express, ioredis and pino before
 * anything loads them (CommonJS runs imports in order; an ES module build would need
 * `node --import` instead). Reads only the OTEL_* variables: off unless an exporter is set,
 * and then nothing of the SDK is loaded.
 */
import { startTracing } from '@refresh/telemetry';

export const tracing = startTracing('ingest-api', process.env);

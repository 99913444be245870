export { startTracing, TracingConfigError, type Tracing } from './start-tracing';
export { tracingSettings, type TracingSettings, type OtlpProtocol } from './settings';
export { scrubAttribute, scrubAttributes, stripUrls, TRACE_CENSOR } from './scrub';
export { currentTraceparent, inLinkedSpan, linksTo, noteOnActiveSpan, tracer, withoutCommandSpans } from './spans';
export { queueTelemetry } from './queue-telemetry';

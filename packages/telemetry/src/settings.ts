/**
 * Whether a process traces, decided from the standard OpenTelemetry variables alone, so an
 * operator turns tracing on the way every OpenTelemetry SDK documents it. Off unless an
 * exporter is named or an OTLP endpoint is given: a process with none of these loads no SDK.
 */
export type TracingSettings =
  | { on: false; why: string }
  | { on: true; exporter: 'otlp'; protocol: OtlpProtocol }
  | { on: true; exporter: 'console' };

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json', 'grpc'];

/** A setting the SDK would ignore with a warning: refused at start-up instead. */
export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const set = (v: string | undefined) => v !== undefined && v.trim() !== '';

export function tracingSettings(env: Env): TracingSettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { on: false, why: 'OTEL_SDK_DISABLED=true' };
  const named = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const endpoint = set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (named.includes('none')) return { on: false, why: 'OTEL_TRACES_EXPORTER=none' };
  if (named.length === 0 && !endpoint) return { on: false, why: 'no OTEL_TRACES_EXPORTER nor OTEL_EXPORTER_OTLP_ENDPOINT' };
  if (named.length > 1) throw new TracingConfigError(`OTEL_TRACES_EXPORTER names one exporter here (otlp or console), got "${env.OTEL_TRACES_EXPORTER}"`);
  const exporter = named[0] ?? 'otlp';
  if (exporter === 'console') return { on: true, exporter };
  if (exporter !== 'otlp') throw new TracingConfigError(`OTEL_TRACES_EXPORTER must be otlp, console or none, got "${exporter}"`);
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim() || 'http/protobuf';
  if (!PROTOCOLS.includes(protocol)) {
    throw new TracingConfigError(`OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL must be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);
  }
  return { on: true, exporter, protocol: protocol as OtlpProtocol };
}

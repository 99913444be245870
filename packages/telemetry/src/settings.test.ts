import { TracingConfigError, tracingSettings } from './settings';

describe('tracing settings from the OTEL_* variables', () => {
  it('when none is set, then tracing is off', () => {
    expect(tracingSettings({}).on).toBe(false);
  });

  it('when only an OTLP endpoint is set, then traces go over OTLP with the default protocol', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ on: true, exporter: 'otlp', protocol: 'http/protobuf' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }))
      .toEqual({ on: true, exporter: 'otlp', protocol: 'http/json' });
  });

  it('when an exporter is named, then it is used; none or OTEL_SDK_DISABLED turn tracing off whatever else is set', () => {
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({ on: true, exporter: 'console' });
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).on).toBe(false);
    expect(tracingSettings({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }).on).toBe(false);
  });

  it('when the exporter or protocol is one the SDK would ignore, then start-up is refused with the value', () => {
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(TracingConfigError);
    expect(() => tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http' })).toThrow(/got "http"/);
  });
});

import { observabilityFromEnv } from './settings';

describe('observabilityFromEnv', () => {
  it('defaults: info, JSON, no exporter, the service named after the agency, the local collector', () => {
    expect(observabilityFromEnv('kh-police', {})).toEqual({
      serviceName: 'interlink-kh-police',
      logLevel: 'info',
      logFormat: 'json',
      tracesExporters: [],
      otlpTracesEndpoint: 'http://localhost:4318/v1/traces',
    });
  });

  it('reads the standard OTEL_* variables and LOG_LEVEL / LOG_FORMAT', () => {
    const settings = observabilityFromEnv('police', {
      LOG_LEVEL: 'DEBUG',
      LOG_FORMAT: 'pretty',
      OTEL_TRACES_EXPORTER: 'otlp, console,otlp',
      OTEL_SERVICE_NAME: 'police-eu-1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example:4318/',
    });
    expect(settings).toEqual({
      serviceName: 'police-eu-1',
      logLevel: 'debug',
      logFormat: 'pretty',
      tracesExporters: ['otlp', 'console'],
      otlpTracesEndpoint: 'https://collector.example:4318/v1/traces',
    });
    expect(observabilityFromEnv('police', { OTEL_TRACES_EXPORTER: 'none' }).tracesExporters).toEqual([]);
  });

  it('takes a signal-specific traces endpoint as it is', () => {
    const settings = observabilityFromEnv('police', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom/path' });
    expect(settings.otlpTracesEndpoint).toBe('http://b:4318/custom/path');
  });

  it.each([
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be one of json, pretty, got "xml"'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER must list otlp, console, none (comma-separated), got "zipkin"'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://otel-collector:4318, got "collector:4318"'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL such as http://otel-collector:4318, got "ftp://x"'],
    [{ OTEL_SERVICE_NAME: 'two words' }, 'OTEL_SERVICE_NAME must be 1 to 200 printable characters without spaces, got "two words"'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => observabilityFromEnv('police', env)).toThrow(message);
  });
});

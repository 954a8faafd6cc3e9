export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
export type TracesExporter = Exclude<(typeof TRACES_EXPORTERS)[number], 'none'>;

/** How a service logs and traces, read from its environment once at start. */
export interface ObservabilitySettings {
  /** `service.name` of its spans and `service` of its log lines (OTEL_SERVICE_NAME, default `interlink-<agency id>`). */
  serviceName: string;
  /** LOG_LEVEL, default info. */
  logLevel: LogLevelName;
  /** LOG_FORMAT: `json` (default) or `pretty` for a person at a terminal. */
  logFormat: LogFormat;
  /** OTEL_TRACES_EXPORTER (comma-separated `otlp`, `console`; `none`, the default, exports nothing). */
  tracesExporters: TracesExporter[];
  /**
   * Where OTLP/HTTP spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else
   * OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318) with `/v1/traces` appended.
   */
  otlpTracesEndpoint: string;
}

/** The settings of `env`; throws an Error naming the variable that is wrong. */
export function observabilityFromEnv(agencyId: string, env: NodeJS.ProcessEnv = process.env): ObservabilitySettings {
  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info');
  const logFormat = oneOf(env, 'LOG_FORMAT', LOG_FORMATS, 'json');
  const exporters = (env.OTEL_TRACES_EXPORTER || 'none').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  const unknown = exporters.filter((e) => !(TRACES_EXPORTERS as readonly string[]).includes(e));
  if (unknown.length > 0) {
    throw new Error(`OTEL_TRACES_EXPORTER must list ${TRACES_EXPORTERS.join(', ')} (comma-separated), got "${env.OTEL_TRACES_EXPORTER}"`);
  }
  const serviceName = env.OTEL_SERVICE_NAME || `interlink-${agencyId}`;
  if (!/^[\x21-\x7e]{1,200}$/.test(serviceName)) {
    throw new Error(`OTEL_SERVICE_NAME must be 1 to 200 printable characters without spaces, got "${serviceName}"`);
  }
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const otlpTracesEndpoint = tracesEndpoint
    ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint)
    : httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318').replace(/\/?$/, '/v1/traces');
  return {
    serviceName,
    logLevel,
    logFormat,
    tracesExporters: [...new Set(exporters.filter((e): e is TracesExporter => e !== 'none'))],
    otlpTracesEndpoint,
  };
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return value as T;
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http(s) URL such as http://otel-collector:4318, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http(s) URL such as http://otel-collector:4318, got "${raw}"`);
  }
  return raw;
}

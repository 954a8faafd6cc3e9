import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { uuidv7 } from '@interlink/contracts';
import { LogScope, contextFrom, httpRequestDuration, inLogScope, logger, tracer } from '@interlink/observability';

interface Request {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  baseUrl?: string;
  route?: { path?: unknown };
}

interface Response {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (value: unknown): string | undefined => (typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined);

/** Probes and scrapes come every few seconds: their lines are debug, not info. */
const OPERATIONS = /^\/(health(\/ready)?|metrics)$/;

/**
 * The correlation id of a request: the command's `correlationId` if it gives one, else an
 * `X-Correlation-Id` header (a UUID, as every correlation id in Interlink), else the command id,
 * else a new one. The command's events carry the same (see CommandService).
 */
export function requestCorrelation(request: Pick<Request, 'headers' | 'body'>): LogScope & { correlationId: string } {
  const body = typeof request.body === 'object' && request.body !== null ? (request.body as { correlationId?: unknown; commandId?: unknown }) : {};
  const commandId = uuid(body.commandId);
  return {
    correlationId: uuid(body.correlationId) ?? uuid(request.headers['x-correlation-id']) ?? commandId ?? uuidv7(),
    ...(commandId ? { causationId: commandId } : {}),
  };
}

/** The route pattern a request matched (`/suspects/:id`), never its URL with ids; `unmatched` for a 404 of no route. */
export function routeOf(request: Pick<Request, 'baseUrl' | 'route'>): string {
  const path = request.route?.path;
  return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` || '/' : 'unmatched';
}

/**
 * Middleware for every request: its correlation id (returned in `X-Correlation-Id` and on every
 * log line written while it runs), a server span continuing an incoming `traceparent` (else a new
 * trace), its latency by method, route and status, and one line when it is answered.
 */
export function requestTelemetry(agencyId: string) {
  return (request: Request, response: Response, next: () => void): void => {
    const started = process.hrtime.bigint();
    const scope: LogScope = { agencyId, ...requestCorrelation(request) };
    response.setHeader('X-Correlation-Id', scope.correlationId!);
    const parent = contextFrom({ traceparent: request.headers.traceparent, tracestate: request.headers.tracestate });
    const span = tracer().startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } }, parent);
    const active = trace.setSpan(parent, span);
    let done = false;
    const answered = () => {
      if (done) return;
      done = true;
      const route = routeOf(request);
      const status = response.statusCode;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpRequestDuration.observe({ method: request.method, route, status: String(status) }, seconds);
      span.updateName(`${request.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      inLogScope(scope, () =>
        context.with(active, () => {
          const log = logger();
          const level = OPERATIONS.test(route) ? 'debug' : 'info';
          if (log.isLevelEnabled(level)) {
            log[level]({ context: 'HTTP', method: request.method, route, status, durationMs: Math.round(seconds * 1000) }, `${request.method} ${route} ${status}`);
          }
        }),
      );
      span.end();
    };
    response.once('finish', answered);
    response.once('close', answered);
    inLogScope(scope, () => context.with(active, next));
  };
}

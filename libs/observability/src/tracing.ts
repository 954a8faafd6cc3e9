import { Context, ROOT_CONTEXT, Span, SpanOptions, SpanStatusCode, context, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { TracesExporter } from './settings';

/** W3C trace context: the `traceparent` and `tracestate` of HTTP headers and of event envelopes alike. */
const w3c = new W3CTraceContextPropagator();

/** The CloudEvents distributed-tracing extension attributes of an event. */
export interface TraceContextAttributes {
  traceparent: string;
  tracestate?: string;
}

export interface TracingSetup {
  /** `service.name` of the spans. */
  serviceName: string;
  exporters?: TracesExporter[];
  /** Where `otlp` sends spans (OTLP over HTTP). */
  otlpTracesEndpoint?: string;
  /** Instead of the exporters: e.g. a test's in-memory exporter. */
  spanProcessors?: SpanProcessor[];
}

const MAX_TRACESTATE = 512;

let provider: NodeTracerProvider | undefined;

/**
 * Starts tracing for the process, once: the first call sets it up, later ones change nothing
 * (returns false). Spans are recorded, and trace context carried, even when nothing exports
 * them, so that logs and events name their trace in any case.
 */
export function setupTracing(setup: TracingSetup): boolean {
  if (provider) return false;
  const processors =
    setup.spanProcessors ??
    (setup.exporters ?? []).map((exporter) =>
      exporter === 'otlp'
        ? new BatchSpanProcessor(new OTLPTraceExporter({ url: setup.otlpTracesEndpoint }))
        : new SimpleSpanProcessor(new ConsoleSpanExporter()),
    );
  provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': setup.serviceName }), spanProcessors: processors });
  provider.register({ propagator: w3c });
  return true;
}

/** Sends the spans still buffered (at shutdown); the provider keeps serving the process. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

export function tracer() {
  return trace.getTracer('interlink');
}

/** The trace context to record on an event appended now, if the work is traced. */
export function currentTraceContext(ctx: Context = context.active()): TraceContextAttributes | undefined {
  const carrier: Partial<TraceContextAttributes> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  if (!carrier.traceparent) return undefined;
  // An event may carry at most the 512 characters W3C allows (the envelope's schema checks it).
  if (carrier.tracestate !== undefined && carrier.tracestate.length > MAX_TRACESTATE) delete carrier.tracestate;
  return carrier as TraceContextAttributes;
}

/**
 * A context whose parent is the span `headers` (HTTP headers, or an event's attributes) name;
 * `base` unchanged when they name none or an invalid one.
 */
export function contextFrom(headers: { traceparent?: unknown; tracestate?: unknown }, base: Context = ROOT_CONTEXT): Context {
  if (typeof headers.traceparent !== 'string') return base;
  return w3c.extract(base, headers, defaultTextMapGetter);
}

/** Whether work runs in a trace now. */
export function traced(ctx: Context = context.active()): boolean {
  const span = trace.getSpan(ctx);
  return span !== undefined && trace.isSpanContextValid(span.spanContext());
}

/**
 * Runs `work` in a new span, child of `parent` (the active context by default), which ends when
 * the work does; an error is recorded on it and passed on.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  const span = tracer().startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `work` in the trace of `origin` (an event's trace context) rather than the active one: a
 * span child of the span that recorded the origin, linked to the work running now. For work that
 * continues an earlier case thread, such as a border alert continuing the police identification
 * behind the watchlist entry it matched. Without an origin, `work` runs as it is.
 */
export function continuingTrace<T>(name: string, origin: Partial<TraceContextAttributes> | undefined, work: () => Promise<T>): Promise<T> {
  const now = context.active();
  const parent = origin ? contextFrom(origin, now) : now;
  if (parent === now) return work();
  const current = trace.getSpan(now)?.spanContext();
  const links = current && trace.isSpanContextValid(current) ? [{ context: current }] : [];
  return inSpan(name, { links }, work, parent);
}

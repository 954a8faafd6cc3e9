import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { consuming } from './consuming';
import { configureLogging } from './logging';
import { contextFrom, currentTraceContext, inSpan, setupTracing, traced } from './tracing';

const exporter = new InMemorySpanExporter();
const lines: Record<string, unknown>[] = [];
configureLogging({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
expect(setupTracing({ serviceName: 'tracing-spec', spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);

const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

beforeEach(() => {
  exporter.reset();
  lines.length = 0;
});

describe('trace context', () => {
  it('is set up once per process', () => {
    expect(setupTracing({ serviceName: 'another' })).toBe(false);
  });

  it('is absent outside a trace, and names the active span inside one', async () => {
    expect(traced()).toBe(false);
    expect(currentTraceContext()).toBeUndefined();
    await inSpan('command', {}, async (span) => {
      expect(traced()).toBe(true);
      expect(currentTraceContext()).toEqual({ traceparent: `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01` });
    });
  });

  it('continues the trace of incoming headers, with their tracestate', async () => {
    await inSpan('server', {}, async (span) => {
      expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(currentTraceContext()?.tracestate).toBe('vendor=abc');
    }, contextFrom({ traceparent: parent, tracestate: 'vendor=abc' }));
    const [server] = exporter.getFinishedSpans();
    expect(server.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a new trace for a malformed or absent traceparent', () => {
    for (const traceparent of [undefined, 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', 42]) {
      expect(trace.getSpan(contextFrom({ traceparent }))).toBeUndefined();
    }
  });

  it('records an error on the span and passes it on', async () => {
    await expect(inSpan('fails', {}, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'refused' });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });
});

describe('consuming', () => {
  const event = { id: '01900000-0000-7000-8000-000000000001', type: 'intel.police.suspect-identified', subject: 'suspect-1', correlationid: '01900000-0000-7000-8000-0000000000c0', traceparent: parent };
  const delivery = { consumer: 'u-immigration-policies', agencyId: 'u-immigration', topic: 'intel.u-police.u-immigration', partition: 1, offset: '17' };

  it("runs the work in a consumer span, child of the event's traceparent, logging with the event's correlation id", async () => {
    const seen = await consuming(event, delivery, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return trace.getSpan(context.active())!.spanContext();
    });
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({ name: 'process intel.u-police.u-immigration', kind: SpanKind.CONSUMER });
    expect(span.spanContext().spanId).toBe(seen.spanId);
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span.attributes).toMatchObject({ 'messaging.destination.name': delivery.topic, 'messaging.consumer.group.name': delivery.consumer, 'cloudevents.event_id': event.id });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'debug', agency: 'u-immigration', correlationId: event.correlationid, causationId: event.id, traceId: '0af7651916cd43dd8448eb211c80319c', message: 'applied intel.police.suspect-identified' }),
    ]);
  });

  it('warns with the reason when the work fails, and passes the error on', async () => {
    await expect(consuming({ ...event, traceparent: undefined }, delivery, async () => Promise.reject(new Error('no such suspect')))).rejects.toThrow('no such suspect');
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', correlationId: event.correlationid, message: 'applying intel.police.suspect-identified failed: no such suspect' })]);
    expect(exporter.getFinishedSpans()[0].parentSpanContext).toBeUndefined();
  });
});

import { Link, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { EventEnvelope } from '@interlink/contracts';
import { contextFrom, eventsPublished, inSpan } from '@interlink/observability';

/**
 * Sends a relay batch in a producer span and counts what reached each topic. A batch holds the
 * events of many commands and policies, so the span starts a trace of its own and links to the
 * span that recorded each event (its traceparent); consumers continue the event's trace, not this one.
 */
export async function publishingBatch(agencyId: string, batch: EventEnvelope[], routed: { topic: string }[], send: () => Promise<void>): Promise<void> {
  const links: Link[] = [];
  const linked = new Set<string>();
  for (const event of batch) {
    if (!event.traceparent || linked.has(event.traceparent)) continue;
    linked.add(event.traceparent);
    const context = trace.getSpanContext(contextFrom(event));
    if (context) links.push({ context });
  }
  await inSpan(
    'send',
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.batch.message_count': routed.length,
        'interlink.agency': agencyId,
        'interlink.sequence.first': batch[0].sequence ?? 0,
        'interlink.sequence.last': batch[batch.length - 1].sequence ?? 0,
      },
    },
    send,
    ROOT_CONTEXT,
  );
  const perTopic = new Map<string, number>();
  for (const { topic } of routed) perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
  for (const [topic, count] of perTopic) eventsPublished.inc({ topic }, count);
}

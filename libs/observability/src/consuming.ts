import { SpanKind } from '@opentelemetry/api';
import { inLogScope, logger } from './logging';
import { contextFrom, inSpan } from './tracing';

/** What the consuming side reads of an event: its ids, its case thread and its trace context. */
export interface ConsumedEvent {
  id: string;
  type: string;
  subject: string;
  correlationid: string;
  traceparent?: string;
  tracestate?: string;
}

export interface Delivery {
  /** The consumer (its Kafka group). */
  consumer: string;
  /** The agency it consumes for. */
  agencyId: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Applies a consumed event inside its trace and case thread: a consumer span, child of the span
 * that recorded the event (its `traceparent`), and every log line with the event's correlation id
 * and, as causation, its id (what the work appends carries the same).
 */
export function consuming<T>(event: ConsumedEvent, delivery: Delivery, work: () => Promise<T>): Promise<T> {
  return inLogScope({ agencyId: delivery.agencyId, correlationId: event.correlationid, causationId: event.id }, () =>
    inSpan(
      `process ${delivery.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': delivery.topic,
          'messaging.destination.partition.id': String(delivery.partition),
          'messaging.kafka.offset': Number(delivery.offset),
          'messaging.consumer.group.name': delivery.consumer,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
          'cloudevents.event_subject': event.subject,
        },
      },
      async () => {
        const log = logger();
        try {
          const result = await work();
          if (log.isLevelEnabled('debug')) log.debug({ context: delivery.consumer, event: event.id, type: event.type, topic: delivery.topic, partition: delivery.partition, offset: delivery.offset }, `applied ${event.type}`);
          return result;
        } catch (error) {
          log.warn({ context: delivery.consumer, event: event.id, type: event.type, topic: delivery.topic, partition: delivery.partition, offset: delivery.offset }, `applying ${event.type} failed: ${(error as Error)?.message}`);
          throw error;
        }
      },
      contextFrom(event),
    ),
  );
}

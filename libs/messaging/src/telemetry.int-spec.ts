import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { EventEnvelope, topicFor, uuidv7 } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { eventsConsumed, eventsPublished, inSpan, setupTracing } from '@interlink/observability';
import { TestDatabase, caseFileRegistry, createReceivedCasesTable, createTestDatabase, readTopics, receivedCasesHandler, testAgencies, testKafka, waitFor } from '@interlink/testing';
import { EventConsumer, Relay, TopicManager } from './index';

const spans = new InMemorySpanExporter();
setupTracing({ serviceName: 'messaging-telemetry-spec', spanProcessors: [new SimpleSpanProcessor(spans)] });

const opened = (title: string) => ({ type: 'intel.testing.case-opened', data: { title, country: 'KH' } });

/** One series of a counter, 0 while it has none. */
async function count(metric: typeof eventsConsumed | typeof eventsPublished, labels: Record<string, string>): Promise<number> {
  const series = (await metric.get()).values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k as keyof typeof v.labels] === value));
  return series?.value ?? 0;
}

describe('relay and consumer telemetry (real Kafka, real Postgres)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let police: TestDatabase;
  let immigration: TestDatabase;
  let agencies: Record<'police' | 'immigration', string>;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    agencies = testAgencies('police', 'immigration');
    police = await createTestDatabase('telemetry_police');
    immigration = await createTestDatabase('telemetry_immigration');
    await createReceivedCasesTable(immigration.dataSource.manager, 'received_cases');
  });

  afterAll(async () => {
    for (const r of running.splice(0)) await r.stop();
    await producer.disconnect();
    await admin.disconnect();
    await police.drop();
    await immigration.drop();
  });

  it('publishes in a producer span linked to the events, counts per topic, and applies each event in a consumer span of its trace, counted by outcome', async () => {
    const topic = topicFor(agencies.police, agencies.immigration);
    const store = new EventStore(police.dataSource, caseFileRegistry(), agencies.police);
    const consumerName = `${agencies.immigration}-cases`;
    const appends = await Promise.all(
      ['Sihanoukville compound', 'Myawaddy compound'].map((title) =>
        inSpan('command', {}, async () => (await store.append(`case-${uuidv7()}`, 0, [opened(title)], { correlationId: uuidv7(), causationId: uuidv7(), actor: 'police/officer-1', classification: 'AMBER', releasableTo: [agencies.immigration] })).events[0]),
      ),
    );
    const relay = new Relay(kafka, new TopicManager(admin), police.dataSource, store, { databaseUrl: police.url });
    const consumer = new EventConsumer(kafka, new TopicManager(admin), immigration.dataSource, caseFileRegistry(), {
      name: consumerName,
      agencyId: agencies.immigration,
      topics: [topic],
      handler: receivedCasesHandler('received_cases'),
    });
    running.push(consumer, relay);
    await relay.start();
    await consumer.start();
    await waitFor('both events applied', async () => (await count(eventsConsumed, { consumer: consumerName, outcome: 'applied' })) === 2);
    expect(await count(eventsPublished, { topic })).toBe(2);

    const finished = spans.getFinishedSpans();
    const spanOf = (traceparent: string) => traceparent.split('-')[2];
    const send = finished.find((s) => s.name === 'send')!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.links.map((l) => l.context.spanId).sort()).toEqual(appends.map((e) => spanOf(e.traceparent!)).sort());
    for (const event of appends) {
      const process = finished.find((s): s is ReadableSpan => s.name === `process ${topic}` && s.attributes['cloudevents.event_id'] === event.id)!;
      expect(process.kind).toBe(SpanKind.CONSUMER);
      expect(process.spanContext().traceId).toBe(event.traceparent!.split('-')[1]);
      expect(process.parentSpanContext?.spanId).toBe(spanOf(event.traceparent!));
    }

    // A copy of an applied event is skipped; a message nobody can read is parked.
    const [copy] = await readTopics(kafka, [topic], 1);
    await producer.send({ topic, acks: -1, messages: [{ key: copy.key, value: copy.value! }, { key: 'garbage', value: '{"specversion":' }] });
    await waitFor('the copy skipped and the garbage parked', async () =>
      (await count(eventsConsumed, { consumer: consumerName, outcome: 'skipped' })) === 1 && (await count(eventsConsumed, { consumer: consumerName, outcome: 'parked' })) === 1,
    );
    expect(await count(eventsConsumed, { consumer: consumerName, outcome: 'applied' })).toBe(2);
    const received: EventEnvelope[] = (await immigration.dataSource.query(`SELECT envelope FROM interlink.inbox`)).map((r: { envelope: EventEnvelope }) => r.envelope);
    expect(received.map((e) => e.traceparent).sort()).toEqual(appends.map((e) => e.traceparent).sort());
  });
});

// Relay: events/s from the police store to Kafka, chaining and signing included, against a plain
// kafkajs producer sending the very requests the relay sent (captured as it sent them: same
// messages, keys, topics and request sizes) to fresh topics with the same partitions. The two
// alternate in rounds; the baseline's producer has the relay's settings (idempotent, one request
// in flight, acks=all), so the ratio is what the relay adds to the sends it cannot avoid.
import { Client } from 'pg';
import { CompressionTypes, Kafka, ProducerBatch, TopicMessages } from 'kafkajs';
import { interlinkRegistry, keyTopicFor, topicFor } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { Relay, TopicManager, auditTopicMatcher, createIdempotentProducer } from '@interlink/messaging';
import { BenchContext, throughputFigure } from './context';
import { PoliceEvents } from './events';
import { say } from './infra';
import { seedPoliceLog, waitVisible } from './seed';
import { secondsSince } from './stats';

const ROUNDS = 4;

/** The Kafka client with every producer's sendBatch recorded before it goes out. */
function recording(kafka: Kafka, sent: TopicMessages[][]): Kafka {
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.producer = (config) => {
    const producer = kafka.producer(config);
    const send = producer.sendBatch.bind(producer);
    producer.sendBatch = (batch: ProducerBatch) => {
      sent.push(batch.topicMessages ?? []);
      return send(batch);
    };
    return producer;
  };
  return wrapped;
}

export async function relayBench(ctx: BenchContext): Promise<void> {
  const { run } = ctx;
  const count = ctx.options.sizes.relayEvents;
  const batchSize = Number(process.env.RELAY_BATCH_SIZE || 500);
  const partitions = Number(process.env.KAFKA_TOPIC_PARTITIONS || 3);
  const { url, dataSource } = await run.database('relay');
  const registry = interlinkRegistry();
  const store = new EventStore(dataSource, registry, run.ids.police);
  say(`relay: seeding ${count} police events (not timed)`);
  await seedPoliceLog(dataSource, registry, new PoliceEvents(`${run.id}r`, run.ids.immigration, 3), run.ids, count);
  await waitVisible(dataSource, count);

  const kafka = run.kafka('bench-relay');
  const admin = kafka.admin();
  await admin.connect();
  run.defer(() => admin.disconnect());
  const ids = run.ids;
  const entitled = [ids.police, ids.immigration, ids['foreign-ministry'], ids.audit];
  const topics = new TopicManager(admin, { partitions, replicationFactor: 1, singlePartition: auditTopicMatcher(ids.audit) });
  const recipients = [ids.immigration, ids['foreign-ministry'], ids['task-force'], ids.audit];
  const relayTopics = [...recipients.map((to) => topicFor(ids.police, to)), ...recipients.filter((to) => entitled.includes(to)).map((to) => keyTopicFor(ids.police, to))];
  // Topics exist before the clock starts, for the relay and the baseline alike.
  await topics.ensure(relayTopics);
  const plainName = (topic: string) => `bench.${run.id}.${topic}`;
  const metadata = await admin.fetchTopicMetadata({ topics: relayTopics });
  await admin.createTopics({
    waitForLeaders: true,
    topics: metadata.topics.map((t) => ({ topic: plainName(t.name), numPartitions: t.partitions.length, replicationFactor: 1 })),
  });

  const sent: TopicMessages[][] = [];
  const relay = new Relay(recording(kafka, sent), topics, dataSource, store, {
    databaseUrl: url,
    batchSize,
    auditAgencyId: ids.audit,
    entitledToPersonalData: (agency) => entitled.includes(agency),
    signingKey: run.signingKey('police'),
  });
  // The relay's own loop waits for this lock, so that only the benchmark calls publishNextBatch.
  const lock = new Client({ connectionString: url });
  await lock.connect();
  await lock.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`relay:${ids.police}`]);
  await relay.start();
  const plain = createIdempotentProducer(kafka);
  await plain.connect();

  const batches = Math.ceil(count / batchSize);
  const perRound = Math.max(1, Math.ceil((batches - 1) / ROUNDS));
  let relaySeconds = 0;
  let plainSeconds = 0;
  let published = 0;
  let messages = 0;
  let bytes = 0;
  let warmUp = 0;
  say(`relay: publishing ${count} events (batches of ${batchSize}): one batch each to warm up, then ${ROUNDS} rounds alternating Relay.publishNextBatch and a plain producer`);
  try {
    // Warm-up, not timed: both producers learn the topics' metadata and the code paths get compiled.
    warmUp = await relay.publishNextBatch();
    for (const topicMessages of sent.splice(0)) await plain.sendBatch({ topicMessages: topicMessages.map((t) => ({ ...t, topic: plainName(t.topic) })), acks: -1, compression: CompressionTypes.None });
    for (let done = 1; done < batches; done += perRound) {
      const from = sent.length;
      let start = process.hrtime.bigint();
      for (let i = 0; i < perRound; i++) {
        const n = await relay.publishNextBatch();
        published += n;
        if (n === 0) break;
      }
      relaySeconds += secondsSince(start);
      const requests = sent.slice(from).map((topicMessages) => topicMessages.map((t) => ({ ...t, topic: plainName(t.topic) })));
      for (const r of requests) for (const t of r) for (const m of t.messages) {
        messages++;
        bytes += Buffer.byteLength((m.value as string | null) ?? '') + Buffer.byteLength((m.key as string | null) ?? '');
      }
      start = process.hrtime.bigint();
      for (const topicMessages of requests) await plain.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
      plainSeconds += secondsSince(start);
    }
  } finally {
    await plain.disconnect();
    await relay.stop();
    await lock.end();
  }
  const checkpoint = await relay.checkpoint();
  if (checkpoint.sequence !== count || published + warmUp !== count) throw new Error(`the relay published up to sequence ${checkpoint.sequence}, not ${count}`);
  ctx.detail('relay', { events: published, batchSize, partitions, produceRequests: sent.length, messages, megabytes: bytes / 1e6, relaySeconds, plainSeconds, rounds: ROUNDS });
  ctx.figure(
    throughputFigure(
      'relay',
      `Relay.publishNextBatch, ${batchSize} per batch, signed (${published} events, ${(messages / published).toFixed(1)} messages each incl. keys)`,
      published / relaySeconds,
      { name: 'plain kafkajs producer, the same requests to fresh topics', value: published / plainSeconds },
      0.5,
    ),
  );
}

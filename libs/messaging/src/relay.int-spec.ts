import { Admin, Kafka } from 'kafkajs';
import { AppendContext, EventStore } from '@interlink/event-store';
import { EventEnvelope, topicFor, uuidv7 } from '@interlink/contracts';
import {
  TestDatabase,
  caseFileRegistry,
  createReceivedCasesTable,
  createTestDatabase,
  readCases,
  readTopics,
  receivedCasesHandler,
  spawnFixture,
  testAgencies,
  testKafka,
  waitFor,
} from '@interlink/testing';
import { GENESIS_HASH, eventHash } from '@interlink/security';
import { EventConsumer, Relay, TopicManager } from './index';

const ctx = (releasableTo: string[], classification: AppendContext['classification'] = 'AMBER'): AppendContext => ({
  correlationId: uuidv7(),
  causationId: uuidv7(),
  actor: 'police/officer-1',
  classification,
  releasableTo,
});

describe('Relay (real Kafka, real Postgres)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let police: TestDatabase;
  let immigration: TestDatabase;
  let agencies: Record<'police' | 'immigration' | 'ministry', string>;
  let store: EventStore;
  const stopAfter: { stop(): Promise<void> }[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    agencies = testAgencies('police', 'immigration', 'ministry');
    police = await createTestDatabase('relay_police');
    immigration = await createTestDatabase('relay_immigration');
    store = new EventStore(police.dataSource, caseFileRegistry(), agencies.police);
  });

  afterEach(async () => {
    for (const s of stopAfter.splice(0)) await s.stop();
    await admin.disconnect();
    await police.drop();
    await immigration.drop();
  });

  function relay(options: Partial<ConstructorParameters<typeof Relay>[4]> = {}): Relay {
    const r = new Relay(kafka, new TopicManager(admin), police.dataSource, store, { databaseUrl: police.url, ...options });
    stopAfter.push(r);
    return r;
  }

  it('publishes each event to the topic of every agency its marking releases it to, never RED, keyed by stream', async () => {
    await store.append('case-1', 0, [{ type: 'intel.testing.case-opened', data: { title: 'Shared with both', country: 'MY' } }], ctx([agencies.immigration, agencies.ministry]));
    await store.append('case-2', 0, [{ type: 'intel.testing.case-opened', data: { title: 'Immigration only', country: 'KH' } }], ctx([agencies.immigration]));
    await store.append('case-3', 0, [{ type: 'intel.testing.case-opened', data: { title: 'Police eyes only', country: 'MM' } }], ctx([agencies.immigration], 'RED'));
    await store.append('case-4', 0, [{ type: 'intel.testing.case-opened', data: { title: 'After the RED one', country: 'LA' } }], ctx([agencies.ministry]));
    await relay().start();

    const toImmigration = topicFor(agencies.police, agencies.immigration);
    const toMinistry = topicFor(agencies.police, agencies.ministry);
    const records = await waitFor('four published records', async () => {
      const topics = new Set(await admin.listTopics());
      if (!topics.has(toImmigration) || !topics.has(toMinistry)) return undefined;
      const found = await readTopics(kafka, [toImmigration, toMinistry], 4, 5000);
      return found.length >= 4 ? found : undefined;
    });
    const seen = records.map((r) => [r.topic, r.key, (JSON.parse(r.value!) as EventEnvelope).sequence]).sort();
    expect(seen).toEqual(
      [
        [toImmigration, 'case-1', 1],
        [toImmigration, 'case-2', 2],
        [toMinistry, 'case-1', 1],
        [toMinistry, 'case-4', 4],
      ].sort(),
    );
    expect(records.some((r) => r.value!.includes('Police eyes only'))).toBe(false);
    // The log is chained in sequence order, across recipients, including the RED event nobody received.
    const bySequence = new Map(records.map((r) => JSON.parse(r.value!) as EventEnvelope).map((e) => [e.sequence!, e]));
    expect(bySequence.get(1)!.prevhash).toBe(GENESIS_HASH);
    expect(bySequence.get(2)!.prevhash).toBe(bySequence.get(1)!.hash);
    expect(bySequence.get(4)!.prevhash).not.toBe(bySequence.get(2)!.hash);
    for (const e of bySequence.values()) expect(e.hash).toBe(eventHash(e as unknown as Record<string, unknown>));
    expect(await relay().checkpoint()).toMatchObject({ sequence: 4 });
  });

  it('wakes on a notification from the append rather than waiting for its poll', async () => {
    await relay({ pollIntervalMs: 120000 }).start();
    const topic = topicFor(agencies.police, agencies.immigration);
    await store.append('case-9', 0, [{ type: 'intel.testing.case-opened', data: { title: 'Woken', country: 'PE' } }], ctx([agencies.immigration]));
    const found = await waitFor('the event on Kafka (long before the 120 s poll)', async () =>
      (await admin.listTopics()).includes(topic) && (await readTopics(kafka, [topic], 1, 3000)).length === 1,
      { timeoutMs: 20000 },
    );
    expect(found).toBe(true);
  });

  it('killed between publish and checkpoint: restarted, every event reaches the consumer read model exactly once', async () => {
    const streams = ['case-a', 'case-b', 'case-c', 'case-d', 'case-e'];
    for (const [i, stream] of streams.entries()) {
      await store.append(stream, 0, [{ type: 'intel.testing.case-opened', data: { title: `Case ${i}`, country: 'MY' } }], ctx([agencies.immigration]));
    }
    for (let n = 1; n <= 3; n++) {
      for (const stream of streams) {
        await store.append(stream, n, [{ type: 'intel.testing.note-added', data: { text: `${stream} note ${n}` } }], ctx([agencies.immigration]));
      }
    }
    const total = streams.length * 4;

    const crashing = spawnFixture('relay', { DATABASE_URL: police.url, AGENCY: agencies.police, KILL_AFTER_PUBLISH: '1' });
    const ended = await crashing.exited;
    expect({ ended, output: crashing.output() }).toMatchObject({ ended: { signal: 'SIGKILL' } });
    const topic = topicFor(agencies.police, agencies.immigration);
    expect(await readTopics(kafka, [topic], total, 10000)).toHaveLength(total);
    expect(await relay().checkpoint()).toMatchObject({ sequence: 0 });

    await relay().start();
    const onKafka = await waitFor('the batch published a second time', async () => {
      const found = await readTopics(kafka, [topic], 2 * total, 3000);
      return found.length === 2 * total ? found : undefined;
    });
    // The same events, with the same sequence numbers, arrived twice.
    const sequences = onKafka.map((r) => (JSON.parse(r.value!) as EventEnvelope).sequence!).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: total }, (_, i) => [i + 1, i + 1]).flat());

    const table = 'received_cases';
    await createReceivedCasesTable(immigration.dataSource.manager, table);
    const consumer = new EventConsumer(kafka, new TopicManager(admin), immigration.dataSource, caseFileRegistry(), {
      name: `${agencies.immigration}-cases`,
      agencyId: agencies.immigration,
      topics: [topic],
      handler: receivedCasesHandler(table),
    });
    stopAfter.push(consumer);
    await consumer.start();
    await waitFor('all events applied', async () => {
      const [{ count }] = await immigration.dataSource.query(`SELECT count(*)::int AS count FROM interlink.inbox`);
      const [{ offsets }] = await immigration.dataSource.query(`SELECT coalesce(sum(kafka_offset + 1), 0)::int AS offsets FROM interlink.consumer_checkpoints`);
      return count === total && offsets === 2 * total;
    });
    const cases = await readCases(immigration.dataSource.manager, table);
    expect(cases).toEqual(
      streams.map((stream, i) => ({
        case_id: stream,
        title: `Case ${i}`,
        country: 'MY',
        notes: 3,
        history: `${stream} note 1;${stream} note 2;${stream} note 3;`,
      })),
    );
  });

  it('a send the broker wrote in part does not stall the relay: the next round goes out with a new producer', async () => {
    // The ministry's topic refuses messages over 200 bytes, so every request with it fails as a
    // whole, although the broker writes immigration's part (see RenewingProducer).
    const toImmigration = topicFor(agencies.police, agencies.immigration);
    const toMinistry = topicFor(agencies.police, agencies.ministry);
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: toMinistry, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: '200' }] }] });
    const both = () => ctx([agencies.immigration, agencies.ministry]);
    await store.append('case-1', 0, [{ type: 'intel.testing.case-opened', data: { title: 'Refused once', country: 'TH' } }], both());
    const publishing = relay({ pollIntervalMs: 200 });
    await publishing.start();
    await waitFor('the relay failing on the ministry topic', async () => /larger than the max message size/.test((await publishing.status()).failing?.message ?? ''));
    expect(await publishing.checkpoint()).toMatchObject({ sequence: 0 });

    // A second event on the same stream goes to the same partitions, in a larger batch than the
    // one the broker half wrote.
    await store.append('case-1', 1, [{ type: 'intel.testing.note-added', data: { text: 'after the refusal' } }], both());
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: toMinistry, configEntries: [{ name: 'max.message.bytes', value: '1048576' }] }] });
    await waitFor('both events published', async () => (await publishing.checkpoint()).sequence === 2, { timeoutMs: 30000 });
    expect((await publishing.status()).failing).toBeUndefined();

    const sequences = async (topic: string) => {
      const records = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
      return (await readTopics(kafka, [topic], records, 10000)).map((r) => (JSON.parse(r.value!) as EventEnvelope).sequence!);
    };
    expect((await sequences(toMinistry)).sort()).toEqual([1, 2]);
    // Immigration holds copies: each failed request wrote its part, and the relay sent the batch
    // again; consumers recognise them by event id.
    const immigrationGot = await sequences(toImmigration);
    expect(new Set(immigrationGot)).toEqual(new Set([1, 2]));
    expect(immigrationGot.filter((s) => s === 1).length).toBeGreaterThan(1);
  });
});

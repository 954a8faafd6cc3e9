import { Admin, Kafka, Producer } from 'kafkajs';
import { topicFor } from '@interlink/contracts';
import {
  TestDatabase,
  caseFileRegistry,
  createReceivedCasesTable,
  createTestDatabase,
  envelopeFrom,
  readCases,
  receivedCasesHandler,
  testAgencies,
  testKafka,
  waitFor,
} from '@interlink/testing';
import { EventConsumer, SupervisedConsumer, TopicManager } from './index';

/** An error kafkajs treats as final: it disconnects the consumer and does not start it again. */
const finalError = (message: string) => Object.assign(new Error(message), { retriable: false });

describe('consumers started again after kafkajs gives up on them (real Kafka, real Postgres)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let agencies: Record<'police' | 'immigration', string>;
  let topic: string;
  const running: { stop(): Promise<void> }[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
    agencies = testAgencies('police', 'immigration');
    topic = topicFor(agencies.police, agencies.immigration);
    await new TopicManager(admin).ensure([topic]);
  });

  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('a consumer whose handler fails for good is started again and goes on from its last commit', async () => {
    const seen: string[] = [];
    let failures = 1;
    const supervised = new SupervisedConsumer(kafka, {
      config: { groupId: `${agencies.immigration}-supervised`, maxWaitTimeInMs: 100 },
      subscription: { topics: [topic], fromBeginning: true },
      restartDelayMs: 100,
      run: {
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          if (failures-- > 0) throw finalError('the broker refused this for good');
          for (const m of batch.messages) seen.push(m.value!.toString());
          const last = batch.messages[batch.messages.length - 1].offset;
          resolveOffset(last);
          await supervised.current.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        },
      },
    });
    running.push(supervised);
    await producer.send({ topic, messages: [{ key: 'a', value: 'one' }, { key: 'a', value: 'two' }] });
    await supervised.start();

    await waitFor('both messages handled after the restart', () => seen.length === 2);
    expect(seen).toEqual(['one', 'two']);
    const health = supervised.health();
    expect(health).toMatchObject({ running: true, restarts: 1, lastCrash: { restartedBy: 'supervisor' } });
    expect(health.lastCrash!.message).toContain('the broker refused this for good');
  });

  it('commits applied offsets at once, then together within commitIntervalMs, and what is left when it stops', async () => {
    const group = `${agencies.immigration}-committing`;
    const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions.find((p) => p.partition === 0)!.offset;
    const handled: string[] = [];
    const supervised = new SupervisedConsumer(kafka, {
      config: { groupId: group, maxWaitTimeInMs: 100 },
      subscription: { topics: [topic], fromBeginning: true },
      commitIntervalMs: 1500,
      run: { autoCommit: false, eachBatchAutoResolve: false, eachBatch: async ({ batch }) => void handled.push(...batch.messages.map((m) => m.offset)) },
    });
    running.push(supervised);
    await producer.send({ topic, messages: [{ key: 'x', value: 'one', partition: 0 }] });
    await supervised.start();
    await waitFor('the consumer in its group', () => supervised.health().running);
    await supervised.commitApplied(topic, 0, '0');
    expect(await committed()).toBe('1');
    // Within the interval: held back, then committed together by the timer.
    await supervised.commitApplied(topic, 0, '4');
    await supervised.commitApplied(topic, 0, '6');
    expect(await committed()).toBe('1');
    await waitFor('the held-back offset committed', async () => (await committed()) === '7');
    // What is applied when the consumer stops is committed before it leaves.
    await supervised.commitApplied(topic, 0, '9');
    await supervised.stop();
    expect(await committed()).toBe('10');
  });

  describe('EventConsumer', () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await createTestDatabase('supervisor');
      await createReceivedCasesTable(db.dataSource.manager, 'received_cases');
    });
    afterEach(() => db.drop());

    it('keeps applying exactly once across a crash kafkajs does not recover from, and reports it', async () => {
      let crashes = 1;
      const consumer = new EventConsumer(kafka, new TopicManager(admin), db.dataSource, caseFileRegistry(), {
        name: `${agencies.immigration}-cases`,
        agencyId: agencies.immigration,
        topics: [topic],
        handler: receivedCasesHandler('received_cases'),
        // Fails once before the batch's transaction, as a refused dead-letter send once did after it.
        beforeBatch: async () => {
          if (crashes-- > 0) throw finalError('refused for good');
        },
      });
      running.push(consumer);
      const p = agencies.police;
      const events = [
        envelopeFrom(p, 'case-1', 1, { type: 'intel.testing.case-opened', data: { title: 'Compound', country: 'KH' } }, { releasableTo: [agencies.immigration] }),
        envelopeFrom(p, 'case-1', 2, { type: 'intel.testing.note-added', data: { text: 'first' } }, { releasableTo: [agencies.immigration] }),
      ];
      await producer.send({ topic, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
      await consumer.start();

      await waitFor('the events applied after the restart', async () => (await readCases(db.dataSource.manager, 'received_cases'))[0]?.notes === 1, { timeoutMs: 60_000 });
      // The same events again (a partner's relay republishing): skipped by the inbox.
      await producer.send({ topic, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
      const later = envelopeFrom(p, 'case-1', 3, { type: 'intel.testing.note-added', data: { text: 'second' } }, { releasableTo: [agencies.immigration] });
      await producer.send({ topic, messages: [{ key: later.subject, value: JSON.stringify(later) }] });
      await waitFor('the later event applied', async () => (await readCases(db.dataSource.manager, 'received_cases'))[0]?.notes === 2);
      expect(await readCases(db.dataSource.manager, 'received_cases')).toEqual([
        { case_id: 'case-1', title: 'Compound', country: 'KH', notes: 2, history: 'first;second;' },
      ]);
      expect(consumer.health()).toMatchObject({ running: true, restarts: 1, lastCrash: { restartedBy: 'supervisor' } });
    });

    it('stays in its group through a wait before the batch that outlasts the session (data keys on their way)', async () => {
      const consumer = new EventConsumer(kafka, new TopicManager(admin), db.dataSource, caseFileRegistry(), {
        name: `${agencies.immigration}-slow-keys`,
        agencyId: agencies.immigration,
        topics: [topic],
        sessionTimeout: 6000,
        handler: receivedCasesHandler('received_cases'),
        // Every batch waits longer than the session; without heartbeats the member would be dropped each time.
        beforeBatch: () => new Promise((resolve) => setTimeout(resolve, 9000)),
      });
      running.push(consumer);
      const opened = envelopeFrom(agencies.police, 'case-9', 1, { type: 'intel.testing.case-opened', data: { title: 'Slow keys', country: 'KH' } }, { releasableTo: [agencies.immigration] });
      await producer.send({ topic, messages: [{ key: opened.subject, value: JSON.stringify(opened) }] });
      await consumer.start();
      await waitFor('the event applied after the long wait', async () => (await readCases(db.dataSource.manager, 'received_cases')).length === 1, { timeoutMs: 60_000 });
      expect(consumer.health()).toMatchObject({ running: true, restarts: 0 });
      expect(consumer.health().lastCrash).toBeUndefined();
    }, 90_000);
  });
});

import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { EventEnvelope, EventRegistry, PoliceDataErased, topicFor, uuidv7 } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import {
  CaseOpened,
  NoteAdded,
  TestDatabase,
  caseFileRegistry,
  createReceivedCasesTable,
  createTestDatabase,
  envelopeFrom,
  readCases,
  readTopics,
  receivedCasesHandler,
  spawnFixture,
  testAgencies,
  testRunId,
  testKafka,
  waitFor,
} from '@interlink/testing';
import { EventConsumer, EventConsumerOptions, Relay, TopicManager } from './index';

const opened = (title: string) => ({ type: 'intel.testing.case-opened', data: { title, country: 'KH' } });
const note = (text: string) => ({ type: 'intel.testing.note-added', data: { text } });

describe('EventConsumer (real Kafka, real Postgres)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let db: TestDatabase;
  let agencies: Record<'police' | 'immigration' | 'other', string>;
  let topic: string;
  const table = 'received_cases';
  const running: { stop(): Promise<void> }[] = [];

  beforeEach(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    agencies = testAgencies('police', 'immigration', 'other');
    topic = topicFor(agencies.police, agencies.immigration);
    db = await createTestDatabase('consumer');
    await createReceivedCasesTable(db.dataSource.manager, table);
  });

  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
    await producer.disconnect();
    await admin.disconnect();
    await db.drop();
  });

  function consumer(options: Partial<EventConsumerOptions> = {}): EventConsumer {
    const c = new EventConsumer(kafka, new TopicManager(admin), db.dataSource, caseFileRegistry(), {
      name: `${agencies.immigration}-cases`,
      agencyId: agencies.immigration,
      topics: [topic],
      handler: receivedCasesHandler(table),
      backoffMs: 20,
      ...options,
    });
    running.push(c);
    return c;
  }

  /** An event police release to immigration, as the relay would publish it (unsigned: these consumers verify nothing). */
  const released = (agency: string, stream: string, version: number, e: Parameters<typeof envelopeFrom>[3], marking: Parameters<typeof envelopeFrom>[4] = {}) =>
    envelopeFrom(agency, stream, version, e, { releasableTo: [agencies.immigration], ...marking });
  const send = (messages: { key: string; value: string | Buffer }[]) => producer.send({ topic, acks: -1, messages });
  const event = (e: EventEnvelope) => ({ key: e.subject, value: JSON.stringify(e) });
  const applied = async () =>
    (await db.dataSource.query(`SELECT count(*)::int AS n FROM interlink.inbox`))[0].n as number;

  it('parks poison with its reason, holds back the rest of its stream, lets other streams go on, and replays in order after a fix', async () => {
    let brokenHandler = true;
    const handler = receivedCasesHandler(table);
    const c = consumer({
      handler: async (e, context) => {
        if (brokenHandler && (e.data as { text?: string }).text === 'trigger the bug') {
          throw new Error('projection bug: cannot store this note');
        }
        await handler(e, context);
      },
    });
    await new TopicManager(admin).ensure([topic]);

    const p = agencies.police;
    const held = [released(p, 'held', 1, opened('Held stream')), released(p, 'held', 2, note('trigger the bug')), released(p, 'held', 3, note('after the bug')), released(p, 'held', 4, note('last'))];
    const fine = [released(p, 'fine', 1, opened('Unaffected')), released(p, 'fine', 2, note('one')), released(p, 'fine', 3, note('two'))];
    const badSchema = released(p, 'bad-schema', 1, { type: 'intel.testing.case-opened', data: { title: 'x', country: 'Malaysia' } });
    const unknownType = released(p, 'unknown', 1, { type: 'intel.testing.case-closed', data: {} });
    // Claims a stream that is going on: a message whose sender is not established holds none back.
    const wrongSender = released(agencies.other, 'fine', 4, opened('Spoofed'));
    const notForUs = released(p, 'fine', 5, note('for another agency'), { releasableTo: [agencies.other] });
    const red = released(p, 'red', 1, opened('Should never have left'), { classification: 'RED' });
    const afterBadSchema = released(p, 'bad-schema', 2, note('behind a bad event'));
    const withSubject = released(p, 'x', 1, opened('no subject'));
    const { subject: _s, ...noSubject } = withSubject;

    await send([
      event(held[0]), event(held[1]), event(fine[0]),
      { key: 'garbage', value: Buffer.from([0xff, 0x00, 0x13]) },
      { key: 'garbage', value: '{"specversion":"1.0","id":' },
      event(badSchema), event(unknownType), event(wrongSender), event(red),
      { key: 'x', value: JSON.stringify(noSubject) },
      event(held[2]), event(notForUs), event(fine[1]), event(afterBadSchema), event(held[3]), event(fine[2]),
    ]);
    await c.start();

    await waitFor('the healthy stream applied and 12 messages parked', async () =>
      (await applied()) === 4 && (await c.listParked()).length === 12,
    );
    const cases = await readCases(db.dataSource.manager, table);
    expect(cases).toEqual([
      { case_id: 'fine', title: 'Unaffected', country: 'KH', notes: 2, history: 'one;two;' },
      { case_id: 'held', title: 'Held stream', country: 'KH', notes: 0, history: '' },
    ]);

    const parked = await c.listParked();
    const reasonOf = (pred: (p: (typeof parked)[number]) => boolean) => parked.filter(pred).map((x) => x.reason);
    expect(reasonOf((x) => x.eventId === held[1].id)).toEqual(['handler failed 3 times: projection bug: cannot store this note']);
    expect(reasonOf((x) => x.eventId === held[2].id)).toEqual([`held back behind parked event #${parked.find((x) => x.eventId === held[1].id)!.id} of stream "held"`]);
    expect(reasonOf((x) => x.eventId === badSchema.id)[0]).toMatch(/\/country must match pattern/);
    expect(reasonOf((x) => x.eventId === afterBadSchema.id)[0]).toMatch(/^held back behind parked event #\d+ of stream "bad-schema"$/);
    expect(reasonOf((x) => x.eventId === unknownType.id)).toEqual(['unknown event type "intel.testing.case-closed"']);
    expect(reasonOf((x) => x.eventId === wrongSender.id)[0]).toMatch(/^sender mismatch: topic ".*" carries events from ".*-police", but this event's source is "\/agencies\/.*-other"$/);
    expect(parked.find((x) => x.eventId === wrongSender.id)).toMatchObject({ streamId: null, claimedStreamId: 'fine', heldBehind: null });
    expect(reasonOf((x) => x.eventId === notForUs.id)[0]).toMatch(/^event .* is releasable to ".*-other", not to this agency \(".*-immigration"\): .*-police should not have sent it here$/);
    expect(parked.find((x) => x.eventId === notForUs.id)).toMatchObject({ streamId: null, claimedStreamId: 'fine' });
    expect(reasonOf((x) => x.eventId === red.id)[0]).toMatch(/marked TLP:RED and must never leave/);
    expect(parked.filter((x) => x.eventId === null).map((x) => x.reason)).toEqual([
      expect.stringMatching(/^value is not JSON: /),
      expect.stringMatching(/^value is not JSON: /),
    ]);
    expect(reasonOf((x) => x.eventId === withSubject.id)[0]).toMatch(/must have required property 'subject'/);

    const dlq = await readTopics(kafka, [c.deadLetterTopic], 12, 10000);
    expect(dlq).toHaveLength(12);

    // A parked stream stays held for events that arrive later too.
    const late = released(p, 'held', 5, note('arrived while parked'));
    await send([event(late)]);
    await waitFor('the late event parked', async () => (await c.listParked({ streamId: 'held' })).length === 4);

    brokenHandler = false;
    const report = await c.replayParked({ streamId: 'held' });
    expect(report).toEqual({ replayed: 4, stillParked: 0, failures: [] });
    expect((await readCases(db.dataSource.manager, table)).find((x) => x.case_id === 'held')).toEqual({
      case_id: 'held', title: 'Held stream', country: 'KH', notes: 4, history: 'trigger the bug;after the bug;last;arrived while parked;',
    });

    // Poison that no fix of the handler can cure stays parked, with its reason renewed.
    const rest = await c.replayParked();
    expect(rest.replayed).toBe(0);
    expect(rest.stillParked).toBe(9);
    await c.discardParked(parked.find((x) => x.eventId === badSchema.id)!.id, 'publisher sent a country name, not a code');
    // The operator gave up on the bad event: the stream is released and the event behind it applies.
    expect(await c.replayParked({ streamId: 'bad-schema' })).toEqual({ replayed: 1, stillParked: 0, failures: [] });
    expect((await c.listParked()).map((x) => x.streamId)).not.toContain('bad-schema');
    await expect(c.discardParked(999999, 'no such')).rejects.toThrow(/no unresolved parked event #999999/);
  });

  /** What the opener throws for an event whose data key is still on its way (see ApplyLater). */
  const notYet = () => Object.assign(new Error('its data key has not arrived'), { applyLater: true as const });

  it('fetches an event that cannot be applied yet again, parks nothing, and applies it and what follows once it can', async () => {
    let ready = false;
    let tries = 0;
    const handler = receivedCasesHandler(table);
    const c = consumer({
      handler: async (e, context) => {
        if ((e.data as { text?: string }).text === 'needs its key' && !ready) {
          tries++;
          throw notYet();
        }
        await handler(e, context);
      },
    });
    await new TopicManager(admin).ensure([topic]);
    const p = agencies.police;
    await send([released(p, 'late', 1, opened('Late key')), released(p, 'late', 2, note('needs its key')), released(p, 'late', 3, note('after it'))].map(event));
    await c.start();

    await waitFor('the event tried again and again', () => tries >= 4);
    // What came before it is applied; it and what follows wait, none of it parked.
    expect(await applied()).toBe(1);
    expect(await c.listParked()).toEqual([]);
    ready = true;
    await waitFor('all three applied', async () => (await applied()) === 3);
    expect(await c.listParked()).toEqual([]);
    expect(await readCases(db.dataSource.manager, table)).toEqual([{ case_id: 'late', title: 'Late key', country: 'KH', notes: 2, history: 'needs its key;after it;' }]);
  });

  it('parks an event that still cannot be applied after applyLaterLimitMs, saying how long it waited, and the rest of its stream behind it', async () => {
    const handler = receivedCasesHandler(table);
    const c = consumer({
      applyLaterLimitMs: 1500,
      handler: async (e, context) => {
        if ((e.data as { text?: string }).text === 'never comes') throw notYet();
        await handler(e, context);
      },
    });
    await new TopicManager(admin).ensure([topic]);
    const p = agencies.police;
    const started = Date.now();
    await send([released(p, 'lost-key', 1, opened('Lost key')), released(p, 'lost-key', 2, note('never comes')), released(p, 'lost-key', 3, note('behind it'))].map(event));
    await c.start();

    await waitFor('the event and the one behind it parked', async () => (await c.listParked()).length === 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    const [first, second] = await c.listParked();
    expect(first.reason).toMatch(/^could not be applied for \d+ s: its data key has not arrived$/);
    expect(second.reason).toMatch(/^held back behind parked event #/);
    expect(await applied()).toBe(1);
  });

  it('parks a flood of poison and a message too large to copy whole, in one batch, copies each to the dead-letter topic, and goes on', async () => {
    const c = consumer();
    await new TopicManager(admin).ensure([topic]);
    // All on one partition, so that they reach the consumer together: their dead letters add up
    // to more than the broker takes in one request, and the largest is too large to copy whole.
    const partition = 0;
    const flood = Array.from({ length: 4000 }, (_, i) => ({ key: `garbage-${i}`, value: `{"not": "json" ${i}`, partition }));
    await producer.send({ topic, acks: -1, messages: [{ key: 'large', value: Buffer.alloc(1_048_000, 'x'), partition }] });
    await producer.send({ topic, acks: -1, messages: flood });
    const after = released(agencies.police, 'after', 1, opened('After the flood'));
    await producer.send({ topic, acks: -1, messages: [{ ...event(after), partition }] });
    await c.start();

    await waitFor('the event after the flood applied', async () => (await applied()) === 1, { timeoutMs: 90_000 });
    expect(await readCases(db.dataSource.manager, table)).toEqual([{ case_id: 'after', title: 'After the flood', country: 'KH', notes: 0, history: '' }]);
    const parked = await c.listParked();
    expect(parked).toHaveLength(4001);
    expect(parked.filter((p) => !p.reason.startsWith('value is not JSON: '))).toEqual([]);

    const letters = await readWithHeaders(kafka, c.deadLetterTopic, 4001);
    const large = letters.find((l) => l.headers['interlink-original-offset'] === '0')!;
    expect(large).toMatchObject({ key: null, value: null });
    expect(large.headers['interlink-dead-letter-truncated']).toMatch(/^the message has \d+ bytes with its key and headers, more than a dead letter may \(921600\); it is kept whole in interlink.parked_events$/);
    const [{ length }] = await db.dataSource.query(`SELECT length(message_value) FROM interlink.parked_events WHERE kafka_offset = 0`);
    expect(length).toBe(1_048_000);
    expect(letters.filter((l) => l.value !== null).map((l) => l.value!.toString()).sort()).toEqual(flood.map((m) => m.value).sort());
  }, 180_000);

  it('applies a redelivered or duplicated event once', async () => {
    const c = consumer();
    await new TopicManager(admin).ensure([topic]);
    const a = released(agencies.police, 'dup', 1, opened('Duplicated'));
    const b = released(agencies.police, 'dup', 2, note('only once'));
    await send([event(a), event(b), event(b), event(a), event(b)]);
    await c.start();
    await waitFor('five messages consumed', async () => {
      const [{ offsets }] = await db.dataSource.query(`SELECT coalesce(sum(kafka_offset + 1), 0)::int AS offsets FROM interlink.consumer_checkpoints`);
      return offsets === 5;
    });
    expect(await readCases(db.dataSource.manager, table)).toEqual([
      { case_id: 'dup', title: 'Duplicated', country: 'KH', notes: 1, history: 'only once;' },
    ]);
    expect(await c.listParked()).toEqual([]);
  });

  it("writes a batch's inbox records in one go, yet an erasure's handler finds those of the events before it in its batch", async () => {
    // The console's erasure reads the sealed copies of earlier events from the inbox.
    const registry = new EventRegistry([CaseOpened, NoteAdded, PoliceDataErased]);
    const found: string[][] = [];
    const handler = receivedCasesHandler(table);
    const c = new EventConsumer(kafka, new TopicManager(admin), db.dataSource, registry, {
      name: `${agencies.immigration}-erasing`,
      agencyId: agencies.immigration,
      topics: [topic],
      handler: async (e, context) => {
        if (e.type !== PoliceDataErased.type) return handler(e, context);
        const rows: { event_id: string }[] = await context.manager.query(`SELECT event_id::text FROM interlink.inbox WHERE stream_id = $1 ORDER BY kafka_offset`, [e.subject]);
        found.push(rows.map((r) => r.event_id));
      },
    });
    running.push(c);
    await new TopicManager(admin).ensure([topic]);
    const a = released(agencies.police, 'erased-case', 1, opened('Before the erasure'));
    const b = released(agencies.police, 'erased-case', 2, note('also before'));
    const gone = released(agencies.police, 'erased-case', 3, { type: PoliceDataErased.type, data: { ref: uuidv7(), reason: 'test request 1' } });
    const after = released(agencies.police, 'erased-case', 4, note('after'));
    // One request: one batch for the consumer.
    await send([event(a), event(b), event(gone), event(after)]);
    await c.start();
    await waitFor('four events applied', async () => (await applied()) === 4);
    expect(found).toEqual([[a.id, b.id]]);
    expect((await db.dataSource.query(`SELECT event_id::text FROM interlink.inbox ORDER BY kafka_offset`)).map((r: { event_id: string }) => r.event_id)).toEqual([a.id, b.id, gone.id, after.id]);
    expect(await c.listParked()).toEqual([]);
  });

  it("moves the partition's checkpoint in the statement that writes the batch's inbox records", async () => {
    const statements: string[] = [];
    const query = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (this: PostgresQueryRunner, ...args: Parameters<typeof query>) {
      statements.push(args[0].replace(/\s+/g, ' ').trim());
      return query.apply(this, args);
    } as typeof query);
    const events = [released(agencies.police, 'one-batch', 1, opened('One batch')), released(agencies.police, 'one-batch', 2, note('first')), released(agencies.police, 'one-batch', 3, note('second'))];
    try {
      const c = consumer();
      await new TopicManager(admin).ensure([topic]);
      // One request: one batch for the consumer.
      await send(events.map(event));
      await c.start();
      await waitFor('three events applied', async () => (await applied()) === 3);
      await waitFor('the batch committed', async () => statements.includes('COMMIT'));
    } finally {
      spy.mockRestore();
    }
    const batch = statements.slice(statements.findIndex((s) => s.startsWith('SELECT interlink.begin_consumer_batch')) - 1, statements.indexOf('COMMIT') + 1);
    const writes = batch.filter((s) => /interlink\.(inbox|consumer_checkpoints)/.test(s));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^WITH inbox AS \(INSERT INTO interlink\.inbox .* VALUES \(.*\), \(.*\), \(.*\) \) INSERT INTO interlink\.consumer_checkpoints /);
    // START, the batch's start, the handler's three statements, the inbox and checkpoint, COMMIT.
    expect(batch).toHaveLength(7);
    expect(await db.dataSource.query(`SELECT kafka_offset::int AS offset FROM interlink.consumer_checkpoints`)).toEqual([{ offset: 2 }]);
    expect((await db.dataSource.query(`SELECT event_id::text FROM interlink.inbox ORDER BY kafka_offset`)).map((r: { event_id: string }) => r.event_id)).toEqual(events.map((e) => e.id));
  });

  it('killed mid-batch and restarted: its read model equals a fresh rebuild', async () => {
    // Events come from a police store through the relay, as in production.
    const police = await createTestDatabase('consumer_police');
    try {
      const store = new EventStore(police.dataSource, caseFileRegistry(), agencies.police);
      const ctx = { correlationId: uuidv7(), causationId: uuidv7(), actor: 'police/seed', classification: 'AMBER' as const, releasableTo: [agencies.immigration] };
      const streams = Array.from({ length: 10 }, (_, i) => `case-${i}`);
      for (const s of streams) await store.append(s, 0, [opened(`Case ${s}`)], ctx);
      for (let n = 1; n <= 19; n++) {
        for (const s of streams) await store.append(s, n, [note(`${s}/${n}`)], ctx);
      }
      const relay = new Relay(kafka, new TopicManager(admin), police.dataSource, store, { databaseUrl: police.url });
      running.push(relay);
      await relay.start();
      await waitFor('200 events published', async () => (await relay.checkpoint()).sequence === 200);

      const name = `${agencies.immigration}-cases`;
      const env = { DATABASE_URL: db.url, AGENCY: agencies.immigration, TOPICS: topic, CONSUMER_NAME: name, TABLE: table };
      const crashing = spawnFixture('consumer', { ...env, KILL_AFTER_EVENTS: '70' });
      const ended = await crashing.exited;
      expect({ ended, output: crashing.output() }).toMatchObject({ ended: { signal: 'SIGKILL' } });
      const appliedBeforeCrash = await applied();
      expect(appliedBeforeCrash).toBeLessThan(70);

      const resumed = consumer({ name, sessionTimeout: 6000 });
      await resumed.start();
      // The group waits for the killed member's session to expire before it rebalances; on a loaded
      // machine the broker takes its time, so the wait is generous (it passes in ~10 s when idle).
      await waitFor('all 200 events applied after the restart', async () => (await applied()) === 200, { timeoutMs: 150_000 });

      const rebuilt = 'rebuilt_cases';
      await createReceivedCasesTable(db.dataSource.manager, rebuilt);
      const fresh = consumer({ name: `${agencies.immigration}-rebuild`, handler: receivedCasesHandler(rebuilt) });
      await fresh.start();
      await waitFor('the fresh rebuild applied 200 events', async () => {
        const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM interlink.inbox WHERE consumer = $1`, [fresh.name]);
        return n === 200;
      });
      const live = await readCases(db.dataSource.manager, table);
      expect(live).toEqual(await readCases(db.dataSource.manager, rebuilt));
      expect(live).toHaveLength(10);
      for (const row of live) {
        expect(row.notes).toBe(19);
        expect(row.history).toBe(Array.from({ length: 19 }, (_, i) => `${row.case_id}/${i + 1};`).join(''));
      }
    } finally {
      await police.drop();
    }
  }, 240_000);
});

/** Every record of `topic` (at least `count`), with its headers as text. */
async function readWithHeaders(kafka: Kafka, topic: string, count: number) {
  const records: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[] = [];
  const reader = kafka.consumer({ groupId: `reader-${testRunId()}-${uuidv7()}`, maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [topic], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      records.push({ key: message.key, value: message.value, headers });
    },
  });
  await waitFor(`${count} records on ${topic}`, () => records.length >= count, { timeoutMs: 60_000 }).finally(() => reader.disconnect());
  return records;
}

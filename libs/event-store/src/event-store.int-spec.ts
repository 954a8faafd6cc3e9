import { ContractViolation, DomainError, interlinkRegistry, uuidv7 } from '@interlink/contracts';
import { EntityManager } from 'typeorm';
import { TestDatabase, caseFileDecider, caseFileRegistry, createTestDatabase, waitFor } from '@interlink/testing';
import { AppendContext, ConcurrencyError, EventStore, createDataSource, IdempotencyError, LOG_START, LogPosition, MAX_EVENT_BYTES, StoredEvent } from './index';

const context = (): AppendContext => ({
  correlationId: uuidv7(),
  causationId: uuidv7(),
  actor: 'police/officer-7',
  classification: 'AMBER',
  releasableTo: ['immigration'],
});

const opened = (title = 'Scam compound, Sihanoukville') => ({ type: 'intel.testing.case-opened', data: { title, country: 'KH' } });
const note = (text: string) => ({ type: 'intel.testing.note-added', data: { text } });

describe('EventStore (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('event_store');
    store = new EventStore(db.dataSource, caseFileRegistry(), 'police');
  });
  afterAll(() => db.drop());

  it('appends envelopes that carry source, type, schema, stream version, causality and marking', async () => {
    const ctx = context();
    const result = await store.append('case-a', 0, [opened(), note('43 rescued in La Molina')], ctx);
    expect(result.streamVersion).toBe(2);
    const events = await store.readStream('case-a');
    expect(events.map((e) => [e.type, e.streamversion])).toEqual([
      ['intel.testing.case-opened', 1],
      ['intel.testing.note-added', 2],
    ]);
    expect(events[0]).toMatchObject({
      specversion: '1.0',
      source: '/agencies/police',
      subject: 'case-a',
      dataschema: 'urn:interlink:schema:intel.testing.case-opened:v2',
      correlationid: ctx.correlationId,
      causationid: ctx.causationId,
      actor: 'police/officer-7',
      classification: 'AMBER',
      releasableto: 'immigration',
    });
  });

  it('refuses a stale expected version, naming the stream and both versions, and overwrites nothing', async () => {
    await store.append('case-b', 0, [opened()], context());
    // Two writers both loaded version 1 and decided concurrently.
    const results = await Promise.allSettled([
      store.append('case-b', 1, [note('writer one')], context()),
      store.append('case-b', 1, [note('writer two')], context()),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(ConcurrencyError);
    expect(rejected[0].reason.message).toBe(
      'stream "case-b" is at version 2, but the append expected version 1: reload the stream and decide again',
    );
    const events = await store.readStream('case-b');
    expect(events).toHaveLength(2);
    expect(['writer one', 'writer two']).toContain((events[1].data as { text: string }).text);
  });

  it('treats a retried append with the same event ids as done, storing nothing twice', async () => {
    const ids = [uuidv7(), uuidv7()];
    const events = [
      { ...opened(), id: ids[0] },
      { ...note('first report'), id: ids[1] },
    ];
    const first = await store.append('case-c', 0, events, context());
    const retry = await store.append('case-c', 0, events, context());
    expect(retry.duplicate).toBe(true);
    expect(retry.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(await store.readStream('case-c')).toHaveLength(2);
    await expect(store.append('case-other', 0, [{ ...opened(), id: ids[0] }], context())).rejects.toThrow(IdempotencyError);
  });

  it('looks for a retry\'s stored events only when the caller gave the events their ids', async () => {
    // Index scans of events_id_unique in this transaction (not yet reported to the server): the look
    // probes it once per id; ids made by the append cannot have been stored, so it is skipped.
    const idScans = async (tx: EntityManager): Promise<number> =>
      (
        await tx.query(
          `SELECT pg_stat_get_xact_numscans('interlink.events_id_unique'::regclass)::int AS n`,
        )
      )[0].n;
    await db.dataSource.transaction(async (tx) => {
      const before = await idScans(tx);
      await store.append('case-ids-made', 0, [opened(), note('first report'), note('second report')], context(), tx);
      const afterMade = await idScans(tx);
      await store.append('case-ids-given', 0, [{ ...opened(), id: uuidv7() }, { ...note('first report'), id: uuidv7() }], context(), tx);
      const afterGiven = await idScans(tx);
      expect(afterMade - before).toBe(0);
      expect(afterGiven - afterMade).toBeGreaterThanOrEqual(1);
    });
    expect(await store.readStream('case-ids-made')).toHaveLength(3);
    expect(await store.readStream('case-ids-given')).toHaveLength(2);
  });

  it('runs its statements prepared on the connection from their second use: the insert per number of events, and the preparation', async () => {
    // A connection of its own, so that what earlier tests ran does not count.
    const own = createDataSource({ url: db.url, poolSize: 1 });
    await own.initialize();
    const ownStore = new EventStore(own, caseFileRegistry(), 'police');
    try {
      await own.transaction(async (tx) => {
        await ownStore.append('case-prepared-1', 0, [opened(), note('first report'), note('second report')], context(), tx);
        await ownStore.append('case-prepared-2', 0, [opened(), note('first report'), note('second report')], context(), tx);
        await ownStore.append('case-prepared-3', 0, [opened()], context(), tx);
        const statements: string[] = (await tx.query(`SELECT statement FROM pg_prepared_statements`)).map((r: { statement: string }) => r.statement);
        expect(statements.filter((s) => s.includes('interlink.prepare_append('))).toHaveLength(1);
        // The insert of three events (used twice) is prepared, the one of a single event (used once) is not yet.
        const inserts = statements.filter((s) => s.includes('INSERT INTO interlink.events'));
        expect(inserts).toHaveLength(1);
        expect(inserts[0]).toContain('pg_notify($14,');
      });
    } finally {
      await own.destroy();
    }
    // Over 128 events the text is made each time and not kept; it appends alike.
    const many = Array.from({ length: 130 }, (_, i) => note(`report ${i}`));
    await store.append('case-prepared-4', 0, [opened(), ...many], context());
    expect(await store.readStream('case-prepared-1')).toHaveLength(3);
    expect(await store.readStream('case-prepared-3')).toHaveLength(1);
    expect(await store.readStream('case-prepared-4')).toHaveLength(131);
  });

  it('validates payloads on write and appends nothing when one is bad', async () => {
    await expect(
      store.append('case-d', 0, [opened(), { type: 'intel.testing.note-added', data: { text: '' } }], context()),
    ).rejects.toThrow(/\/text must NOT have fewer than 1 characters/);
    expect(await store.readStream('case-d')).toEqual([]);
  });

  it('refuses text Postgres cannot store in sealed personal data, checking the plain text before it is sealed: no event, no key', async () => {
    const police = new EventStore(db.dataSource, interlinkRegistry(), 'police');
    const rows = async () => (await db.dataSource.query(`SELECT (SELECT count(*)::int FROM interlink.events) AS events, (SELECT count(*)::int FROM interlink.data_keys) AS keys`))[0];
    const before = await rows();
    for (const [name, why] of [
      ['Tan Ah Kow\ud83e', 'holds a lone UTF-16 surrogate (U+D83E)'],
      ['\udc00Tan', 'holds a lone UTF-16 surrogate (U+DC00)'],
      ['Tan\u0000Ah Kow', 'holds a NUL character (U+0000)'],
    ]) {
      const suspectId = uuidv7();
      const refused = police.append(`suspect-${suspectId}`, 0, [{ type: 'intel.police.suspect-identified', data: { suspectId, person: { name }, role: 'recruiter' } }], context());
      await expect(refused).rejects.toThrow(ContractViolation);
      await expect(refused).rejects.toMatchObject({ details: [expect.stringContaining(`/data/person/name ${why}`)] });
    }
    expect(await rows()).toEqual(before);
  });

  it('refuses an event larger than a Kafka message may be, naming its size, and appends nothing', async () => {
    const title = 'x'.repeat(MAX_EVENT_BYTES);
    await expect(store.append('case-huge', 0, [opened(title)], context())).rejects.toThrow(
      new RegExp(`^the event intel\\.testing\\.case-opened would take \\d+ bytes, more than the ${MAX_EVENT_BYTES} an event may take on Kafka`),
    );
    expect(await store.readStream('case-huge')).toEqual([]);
    await store.append('case-large', 0, [opened('x'.repeat(MAX_EVENT_BYTES - 2000))], context());
  });

  it('is append-only in the database itself', async () => {
    await store.append('case-e', 0, [opened()], context());
    await expect(db.dataSource.query(`UPDATE interlink.events SET type = 'x' WHERE stream_id = 'case-e'`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(db.dataSource.query(`DELETE FROM interlink.events`)).rejects.toThrow(/append-only: DELETE refused/);
  });

  it('loads an aggregate through its decider and decides with the loaded version', async () => {
    await store.decide(caseFileDecider, 'case-f', { type: 'open', title: 'Bank impersonation ring', country: 'MY' }, context());
    await store.decide(caseFileDecider, 'case-f', { type: 'add-note', text: 'call centre in Phnom Penh' }, context());
    expect(await store.load(caseFileDecider, 'case-f')).toEqual({ state: { open: true, notes: 1 }, version: 2 });
    await expect(store.decide(caseFileDecider, 'case-f', { type: 'open', title: 'again', country: 'MY' }, context())).rejects.toThrow(
      DomainError,
    );
    expect((await store.load(caseFileDecider, 'case-f')).version).toBe(2);
  });

  it('upcasts old versions on read and leaves the stored event as written', async () => {
    const id = uuidv7();
    const v1 = {
      specversion: '1.0', id, source: '/agencies/police', type: 'intel.testing.case-opened',
      dataschema: 'urn:interlink:schema:intel.testing.case-opened:v1', subject: 'case-old', time: '2023-10-17T00:00:00.000Z',
      datacontenttype: 'application/json', data: { title: 'recorded under v1' }, streamversion: 1,
      correlationid: uuidv7(), causationid: uuidv7(), actor: 'police/migration', classification: 'GREEN', handling: '', releasableto: '',
    };
    await db.dataSource.query(
      `INSERT INTO interlink.events (id, stream_id, stream_version, type, envelope) VALUES ($1, 'case-old', 1, $2, $3)`,
      [id, v1.type, JSON.stringify(v1)],
    );
    const [read] = await store.readStream('case-old');
    expect(read.data).toEqual({ title: 'recorded under v1', country: 'unknown' });
    const [{ envelope }] = await db.dataSource.query(`SELECT envelope FROM interlink.events WHERE id = $1`, [id]);
    expect(envelope.data).toEqual({ title: 'recorded under v1' });
  });

  it('validates an old version once lifted to the current one (a current one was validated when it was appended)', async () => {
    const stored = (stream: string, version: number, data: unknown) => {
      const id = uuidv7();
      const envelope = {
        specversion: '1.0', id, source: '/agencies/police', type: 'intel.testing.case-opened',
        dataschema: `urn:interlink:schema:intel.testing.case-opened:v${version}`, subject: stream, time: '2023-10-17T00:00:00.000Z',
        datacontenttype: 'application/json', data, streamversion: 1,
        correlationid: uuidv7(), causationid: uuidv7(), actor: 'police/migration', classification: 'GREEN', handling: '', releasableto: '',
      };
      // Written past the store (which validates every append), as only a migration or an operator could.
      return db.dataSource.query(`INSERT INTO interlink.events (id, stream_id, stream_version, type, envelope) VALUES ($1, $2, 1, $3, $4)`, [id, stream, envelope.type, JSON.stringify(envelope)]);
    };
    // v1 allowed any title; v2 asks for a non-empty one: the lifted event breaks the current schema.
    await stored('case-lifted-bad', 1, { title: '' });
    await expect(store.readStream('case-lifted-bad')).rejects.toThrow(ContractViolation);
    await expect(store.readLog(LOG_START, { limit: 1000 })).rejects.toThrow(ContractViolation);
    await stored('case-lifted-good', 1, { title: 'recorded under v1' });
    expect((await store.readStream('case-lifted-good'))[0].data).toEqual({ title: 'recorded under v1', country: 'unknown' });
  });
});

describe('reading the log while transactions commit out of order (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeEach(async () => {
    db = await createTestDatabase('log_order');
    store = new EventStore(db.dataSource, caseFileRegistry(), 'police');
  });
  afterEach(() => db.drop());

  it('does not move a reader past an event whose transaction commits after a later one', async () => {
    const slow = db.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    await store.append('slow-stream', 0, [opened('inserted first, committed last')], context(), slow.manager);
    await store.append('fast-stream', 0, [opened('inserted second, committed first')], context());

    // A reader that trusted insert order alone would now see the later event and move past the earlier one.
    const naive: { position: string }[] = await db.dataSource.query(`SELECT position::text FROM interlink.events ORDER BY position`);
    expect(naive).toHaveLength(1);
    const [{ position: slowPosition }] = await slow.query(`SELECT position::text FROM interlink.events WHERE stream_id = 'slow-stream'`);
    expect(BigInt(naive[0].position)).toBeGreaterThan(BigInt(slowPosition));

    const whileInFlight = await store.readLog(LOG_START);
    expect(whileInFlight).toEqual([]);

    await slow.commitTransaction();
    await slow.release();
    const after = await waitFor('both events readable', async () => {
      const log = await store.readLog(LOG_START);
      return log.length === 2 ? log : undefined;
    });
    expect(after.map((e) => e.envelope.subject)).toEqual(['slow-stream', 'fast-stream']);
  });

  it('is not held back by a transaction in flight in another database of the server', async () => {
    // Another agency's database on the same server, with a transaction that wrote and then sits idle.
    const other = await createTestDatabase('log_order_other');
    const idle = other.dataSource.createQueryRunner();
    await idle.connect();
    try {
      await idle.startTransaction();
      await idle.query(`CREATE TABLE held_open (n int); INSERT INTO held_open VALUES (1)`);
      const [{ xid: otherXid }] = await idle.query(`SELECT pg_current_xact_id()::text AS xid`);
      await store.append('later-stream', 0, [opened('appended after the other transaction began')], context());
      const [{ xid: ourXid }] = await db.dataSource.query(`SELECT tx_id::text AS xid FROM interlink.events`);
      expect(BigInt(ourXid)).toBeGreaterThan(BigInt(otherXid));
      // Transaction ids are server-wide: the plain snapshot horizon would hide our event until the other one ends.
      const [{ hidden }] = await db.dataSource.query(`SELECT $1::xid8 >= pg_snapshot_xmin(pg_current_snapshot()) AS hidden`, [ourXid]);
      expect(hidden).toBe(true);
      const log = await waitFor('the event readable while the other database\'s transaction is still open', async () => {
        const read = await store.readLog(LOG_START);
        return read.length === 1 ? read : undefined;
      });
      expect(log[0].envelope.subject).toBe('later-stream');
    } finally {
      await idle.rollbackTransaction().catch(() => undefined);
      await idle.release();
      await other.drop();
    }
  });

  it('appends more events in one call than one INSERT can carry parameters for, all in order', async () => {
    // 20,000 events take 80,000 parameters; Postgres takes at most 65,535 per statement.
    const many = Array.from({ length: 19_999 }, (_, i) => note(`n${i + 1}`));
    const result = await store.append('huge-stream', 0, [opened(), ...many], context());
    expect(result.streamVersion).toBe(20_000);
    const events = await store.readStream('huge-stream');
    expect(events.map((e) => e.streamversion)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
    expect(events[19_999].data).toEqual({ text: 'n19999' });
    await expect(store.append('huge-stream', 0, [opened(), ...many], context())).rejects.toThrow(ConcurrencyError);
  });

  it('reads the log in numeric order of positions (9 before 10)', async () => {
    await store.append('long-stream', 0, [opened(), ...Array.from({ length: 11 }, (_, i) => note(`note ${i + 1}`))], context());
    // A transaction of this database in flight elsewhere in the test may hold the log back for a moment.
    const read = await waitFor('the appended events readable', async () => {
      const page = await store.readLog(LOG_START, { limit: 5 });
      return page.length === 5 ? page : undefined;
    });
    const rest = await store.readLog(read[read.length - 1].logPosition);
    expect([...read, ...rest].map((e) => e.envelope.streamversion)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('lets a polling reader see every event exactly once under concurrent writers with random commit delays', async () => {
    const writers = 8;
    const perWriter = 15;
    const seen: StoredEvent[] = [];
    let checkpoint: LogPosition = LOG_START;
    let writing = true;
    const reader = (async () => {
      while (writing || seen.length < writers * perWriter) {
        const batch = await store.readLog(checkpoint, { limit: 7 });
        seen.push(...batch);
        if (batch.length) checkpoint = batch[batch.length - 1].logPosition;
        else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const runner = db.dataSource.createQueryRunner();
          await runner.connect();
          await runner.startTransaction();
          await store.append(`writer-${w}`, i === 0 ? 0 : i, [i === 0 ? opened() : note(`note ${i}`)], context(), runner.manager);
          await new Promise((r) => setTimeout(r, Math.random() * 20));
          await runner.commitTransaction();
          await runner.release();
        }
      }),
    );
    writing = false;
    await reader;
    const ids = seen.map((e) => e.envelope.id);
    expect(new Set(ids).size).toBe(writers * perWriter);
    expect(ids).toHaveLength(writers * perWriter);
    for (let w = 0; w < writers; w++) {
      const versions = seen.filter((e) => e.envelope.subject === `writer-${w}`).map((e) => e.envelope.streamversion);
      expect(versions).toEqual(Array.from({ length: perWriter }, (_, i) => i + 1));
    }
  });
});

import { Police, interlinkRegistry, uuidv7 } from '@interlink/contracts';
import { AppendContext, EventStore } from '@interlink/event-store';
import { TestDatabase, caseFileRegistry, caseFilesProjection, caseFilesProjectionNamed, createTestDatabase, readCases, waitFor } from '@interlink/testing';
import { ProjectionRunner, defineProjection } from './index';

const ctx = (): AppendContext => ({ correlationId: uuidv7(), causationId: uuidv7(), actor: 'police/analyst', classification: 'GREEN' });

describe('ProjectionRunner (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    db = await createTestDatabase('projections');
    store = new EventStore(db.dataSource, caseFileRegistry(), 'police');
    runner = new ProjectionRunner(db.dataSource, store, [caseFilesProjection], { databaseUrl: db.url, batchSize: 50 });
  });
  afterEach(async () => {
    await runner.stop();
    await db.drop();
  });

  async function seed(streams: number, notes: number, prefix = 'case') {
    for (let s = 0; s < streams; s++) {
      await store.append(`${prefix}-${s}`, 0, [{ type: 'intel.testing.case-opened', data: { title: `Compound ${s}`, country: 'KH' } }], ctx());
    }
    for (let n = 1; n <= notes; n++) {
      for (let s = 0; s < streams; s++) {
        await store.append(`${prefix}-${s}`, n, [{ type: 'intel.testing.note-added', data: { text: `${n}` } }], ctx());
      }
    }
  }

  /**
   * The position of the last of `count` events, once readers may see them all. The head is what a
   * reader may see now: a transaction of another database on this server (transaction ids are
   * server-wide) can hide the newest events for a moment.
   */
  const visibleHead = (count: number) =>
    waitFor(`all ${count} events visible to readers`, async () => {
      const events = await store.readLog(undefined, { limit: count + 1, open: false, upcast: false });
      return events.length === count ? events[count - 1].logPosition : undefined;
    });

  it('keeps a read model live from the log, its checkpoint moving in the same transaction', async () => {
    await runner.start();
    await seed(3, 4);
    const head = await visibleHead(3 * 5);
    await waitFor('the projection at the head of the log', () => runner.hasReached('case_files', head));
    const cases = await readCases(db.dataSource.manager, 'case_files');
    expect(cases.map((c) => [c.case_id, c.notes, c.history])).toEqual([
      ['case-0', 4, '1;2;3;4;'],
      ['case-1', 4, '1;2;3;4;'],
      ['case-2', 4, '1;2;3;4;'],
    ]);
  });

  it('rebuilt from the log equals the one built live, and the live table serves reads throughout', async () => {
    await runner.start();
    await seed(20, 15);
    const head = await visibleHead(20 * 16);
    await waitFor('the live projection at the head', () => runner.hasReached('case_files', head));
    const live = await readCases(db.dataSource.manager, 'case_files');
    expect(live).toHaveLength(20);

    // Writers and readers keep going while the rebuild runs.
    let writing = true;
    const reads: number[] = [];
    const traffic = (async () => {
      let n = 0;
      while (writing) {
        await store.append(`during-${n}`, 0, [{ type: 'intel.testing.case-opened', data: { title: 'Opened during rebuild', country: 'MY' } }], ctx());
        const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM case_files`);
        reads.push(count);
        n++;
      }
    })();
    const replayed = await runner.rebuild('case_files');
    writing = false;
    await traffic;
    expect(replayed).toBeGreaterThanOrEqual(20 * 16);
    expect(reads.length).toBeGreaterThan(0);
    expect(Math.min(...reads)).toBeGreaterThanOrEqual(20);

    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM interlink.events WHERE stream_id LIKE 'during-%'`);
    const finalHead = await visibleHead(20 * 16 + n);
    await waitFor('the swapped-in projection at the head', () => runner.hasReached('case_files', finalHead));
    const afterRebuild = await readCases(db.dataSource.manager, 'case_files');
    const rebuiltOriginals = afterRebuild.filter((c) => String(c.case_id).startsWith('case-'));
    expect(rebuiltOriginals).toEqual(live);
    expect(afterRebuild.filter((c) => String(c.case_id).startsWith('during-'))).toHaveLength(n);
    const schemas = await db.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%' OR nspname LIKE 'retired_%'`);
    expect(schemas).toEqual([]);
  });

  it('a rebuild repairs a read model that was damaged by hand', async () => {
    await seed(2, 2, 'damaged');
    await visibleHead(2 * 3);
    await runner.createTables();
    await runner.catchUp();
    await db.dataSource.query(`UPDATE case_files SET notes = 99, history = 'tampered' WHERE case_id = 'damaged-1'`);
    await runner.rebuild('case_files');
    expect((await readCases(db.dataSource.manager, 'case_files')).map((c) => [c.case_id, c.notes, c.history])).toEqual([
      ['damaged-0', 2, '1;2;'],
      ['damaged-1', 2, '1;2;'],
    ]);
  });
});

describe('ProjectionRunner with an event it cannot apply (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let runner: ProjectionRunner | undefined;
  let broken: boolean;

  /** Files notes; cannot file the note "poison" while `broken`, as a handler meets data it cannot store. */
  const fragile = defineProjection({
    name: 'fragile_notes',
    tables: ['fragile_notes'],
    schema: ['CREATE TABLE fragile_notes (event_id uuid PRIMARY KEY, text text NOT NULL)'],
    handlers: {
      'intel.testing.note-added': async (event, m) => {
        if (broken && event.data.text === 'poison') throw new Error('the note cannot be filed');
        await m.query(`INSERT INTO fragile_notes (event_id, text) VALUES ($1, $2)`, [event.id, event.data.text]);
      },
    },
  });

  beforeEach(async () => {
    broken = true;
    db = await createTestDatabase('projection_failures');
    store = new EventStore(db.dataSource, caseFileRegistry(), 'police');
  });
  afterEach(async () => {
    await runner?.stop();
    await db.drop();
  });

  const head = (count: number) =>
    waitFor(`all ${count} events visible to readers`, async () => {
      const events = await store.readLog(undefined, { limit: count + 1, open: false, upcast: false });
      return events.length === count ? events[count - 1].logPosition : undefined;
    });

  it('stops at the event, names it with its position and the reason, waits before trying again, and lets the other projections go on', async () => {
    const logged: string[] = [];
    // A pause far longer than the test: any second attempt would come from a wake-up, not the pause.
    runner = new ProjectionRunner(db.dataSource, store, [caseFilesProjection, fragile], {
      databaseUrl: db.url,
      retry: { initialMs: 600_000, maxMs: 600_000 },
      onError: (error, name) => logged.push(`${name}: ${error.message}`),
    });
    await runner.start();
    await store.append('case-1', 0, [{ type: 'intel.testing.case-opened', data: { title: 'Compound', country: 'KH' } }], ctx());
    const [poison] = (await store.append('case-1', 1, [{ type: 'intel.testing.note-added', data: { text: 'poison' } }], ctx())).events;
    const [failure] = await waitFor('the failure to be reported', () => runner!.failures().length > 0 && runner!.failures());
    const [stored] = (await store.readLog(undefined, { limit: 2 })).filter((e) => e.envelope.id === poison.id);
    expect(failure).toMatchObject({
      projection: 'fragile_notes',
      event: { id: poison.id, type: 'intel.testing.note-added', position: stored.logPosition },
      reason: 'the note cannot be filed',
      attempts: 1,
    });

    // Every append wakes the runner; the failing projection must sit out its pause all the same.
    for (let i = 0; i < 20; i++) await store.append(`case-${i + 2}`, 0, [{ type: 'intel.testing.case-opened', data: { title: `Compound ${i}`, country: 'MY' } }], ctx());
    const last = await head(22);
    await waitFor('the other projection at the head', () => runner!.hasReached('case_files', last));
    expect(await runner.hasReached('fragile_notes', stored.logPosition)).toBe(false);
    expect(runner.failures().map((f) => f.attempts)).toEqual([1]);
    expect(logged).toEqual([
      `fragile_notes: projection fragile_notes cannot apply event ${poison.id} (intel.testing.note-added) at log position ${stored.logPosition.txId}/${stored.logPosition.position}: the note cannot be filed (attempt 1; next in 600.0 s)`,
    ]);
  });

  it('applies the event once the cause is gone, and reports nothing failing any more', async () => {
    runner = new ProjectionRunner(db.dataSource, store, [fragile], { databaseUrl: db.url, pollIntervalMs: 100, retry: { initialMs: 20, maxMs: 100 } });
    await runner.start();
    // One transaction, so one batch: it is applied whole or not at all.
    await store.append('case-1', 0, [{ type: 'intel.testing.note-added', data: { text: 'first' } }, { type: 'intel.testing.note-added', data: { text: 'poison' } }], ctx());
    await waitFor('the projection to fail more than once', () => runner!.failures()[0]?.attempts > 1);
    expect(await db.dataSource.query(`SELECT text FROM fragile_notes`)).toEqual([]);

    broken = false;
    const last = await head(2);
    await waitFor('the projection at the head', () => runner!.hasReached('fragile_notes', last));
    expect(runner.failures()).toEqual([]);
    expect((await db.dataSource.query(`SELECT text FROM fragile_notes ORDER BY text`)).map((r: { text: string }) => r.text)).toEqual(['first', 'poison']);
  });
});


describe('ProjectionRunner with several projections (real Postgres)', () => {
  let db: TestDatabase;
  let writer: EventStore;
  let store: EventStore;
  let runner: ProjectionRunner | undefined;
  const [first, second, third] = ['files_a', 'files_b', 'files_c'].map(caseFilesProjectionNamed);

  beforeEach(async () => {
    db = await createTestDatabase('projection_groups');
    // The runner reads through a store of its own, so that its reads can be counted apart from the test's.
    writer = new EventStore(db.dataSource, caseFileRegistry(), 'police');
    store = new EventStore(db.dataSource, caseFileRegistry(), 'police');
  });
  afterEach(async () => {
    await runner?.stop();
    await db.drop();
  });

  async function seed(streams: number, notes: number, prefix: string) {
    for (let s = 0; s < streams; s++) {
      await writer.append(`${prefix}-${s}`, 0, [{ type: 'intel.testing.case-opened', data: { title: `Compound ${s}`, country: 'LA' } }], ctx());
      for (let n = 1; n <= notes; n++) await writer.append(`${prefix}-${s}`, n, [{ type: 'intel.testing.note-added', data: { text: `${n}` } }], ctx());
    }
  }
  const head = (count: number) =>
    waitFor(`all ${count} events visible to readers`, async () => {
      const events = await writer.readLog(undefined, { limit: count + 1, open: false, upcast: false });
      return events.length === count ? events[count - 1].logPosition : undefined;
    });
  const checkpoints = async () =>
    (await db.dataSource.query(`SELECT projection, tx_id::text, position::text FROM interlink.projection_checkpoints ORDER BY projection`)) as {
      projection: string;
      tx_id: string;
      position: string;
    }[];

  it('applies a batch to projections in step with one read of the log, in one transaction, and moves them to the same checkpoint', async () => {
    runner = new ProjectionRunner(db.dataSource, store, [first, second, third], { databaseUrl: db.url, batchSize: 50 });
    await runner.createTables();
    await seed(3, 4, 'case');
    const last = await head(15);
    const reads = jest.spyOn(store, 'readLog');

    expect(await runner.processGroup([third, first, second])).toEqual({ count: 15, ahead: [] });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(await checkpoints()).toEqual(['files_a', 'files_b', 'files_c'].map((projection) => ({ projection, tx_id: last.txId, position: last.position })));
    for (const table of ['files_a', 'files_b', 'files_c']) {
      expect((await readCases(db.dataSource.manager, table)).map((c) => [c.case_id, c.history])).toEqual([
        ['case-0', '1;2;3;4;'],
        ['case-1', '1;2;3;4;'],
        ['case-2', '1;2;3;4;'],
      ]);
    }
  });

  it('moves a projection far behind in the shared batches while those ahead go alone, and each applies every event once', async () => {
    await seed(3, 39, 'case');
    const before = await head(120);
    const earlier = new ProjectionRunner(db.dataSource, store, [first, second], { databaseUrl: db.url, batchSize: 50 });
    await earlier.createTables();
    await earlier.catchUp();

    // A third projection, new: its first shared batch ends long before the others' checkpoints.
    runner = new ProjectionRunner(db.dataSource, store, [first, second, third], { databaseUrl: db.url, batchSize: 50, pollIntervalMs: 100 });
    await runner.createTables();
    const read = await runner.processGroup([first, second, third]);
    expect(read.count).toBe(50);
    expect(read.ahead.map((p) => p.name)).toEqual(['files_a', 'files_b']);
    expect(await runner.hasReached('files_a', before)).toBe(true);
    expect(await runner.hasReached('files_c', before)).toBe(false);

    await runner.start();
    await seed(2, 2, 'later');
    const last = await head(126);
    await waitFor('every projection at the head', async () => (await checkpoints()).every((c) => c.tx_id === last.txId && c.position === last.position));
    const expected = await readCases(db.dataSource.manager, 'files_a');
    expect(expected).toHaveLength(5);
    expect(expected[0]).toMatchObject({ case_id: 'case-0', notes: 39 });
    expect(await readCases(db.dataSource.manager, 'files_b')).toEqual(expected);
    expect(await readCases(db.dataSource.manager, 'files_c')).toEqual(expected);
  });
});

describe('ProjectionRunner: the personal data its projections read (real Postgres)', () => {
  let db: TestDatabase;
  let police: EventStore;
  const suspectId = uuidv7();
  const identified = { suspectId, person: { name: 'Tan Ah Kow', nationality: 'MY', passports: [{ number: 'A1234567', country: 'MY' }] }, role: 'recruiter' };
  const sighted = {
    suspectId,
    checkpoint: 'Padang Besar',
    direction: 'outbound',
    seenAt: '2026-11-20T08:15:00.000Z',
    match: { reason: 'passport', score: 0.98, explanation: 'passport A1234567 on the watchlist' },
    alert: { agency: 'immigration', id: uuidv7() },
  };

  beforeAll(async () => {
    db = await createTestDatabase('projections_personal');
    police = new EventStore(db.dataSource, interlinkRegistry(), 'police');
    await police.append(`suspect-${suspectId}`, 0, [
      { type: Police.SuspectIdentified.type, data: identified },
      { type: Police.SuspectSighted.type, data: sighted },
    ], ctx());
    await waitFor('both events visible to readers', async () => (await police.readLog(undefined, { open: false })).length === 2);
  });
  afterAll(() => db.drop());

  /** A projection that keeps what its handlers were given: the person of an identification, the match of a sighting. */
  const recording = (name: string, readsPersonalData?: string[]) => {
    const seen: Record<string, unknown>[] = [];
    const projection = defineProjection({
      name,
      tables: [],
      schema: [],
      readsPersonalData,
      handlers: {
        [Police.SuspectIdentified.type]: async (e) => void seen.push(e.data.person),
        [Police.SuspectSighted.type]: async (e) => void seen.push(e.data.match),
      },
    });
    return { projection, seen };
  };
  const opened = { person: identified.person, match: sighted.match };
  const sealedMatch = { ref: suspectId, sealed: expect.any(String), reason: 'passport', score: 0.98 };

  it('opens what a projection reads, leaves the rest sealed, and opens everything for one that does not say', async () => {
    const some = recording('reads_some', [Police.SuspectIdentified.type]);
    const all = recording('reads_all');
    const runner = new ProjectionRunner(db.dataSource, police, [some.projection, all.projection], { databaseUrl: db.url });
    await runner.createTables();
    // One batch at a time, then read together for both in one batch.
    await runner.catchUp('reads_some');
    expect(some.seen).toEqual([opened.person, sealedMatch]);
    expect(some.seen[1]).not.toHaveProperty('explanation');
    await runner.catchUp('reads_all');
    expect(all.seen).toEqual([opened.person, opened.match]);

    // Read together, projections get what any of them reads opened.
    const fresh = [recording('together_some', [Police.SuspectIdentified.type]), recording('together_all'), recording('together_none', [])];
    const together = new ProjectionRunner(db.dataSource, police, fresh.map((r) => r.projection), { databaseUrl: db.url });
    await together.createTables();
    await together.processGroup(fresh.map((r) => r.projection));
    for (const { seen } of fresh) expect(seen).toEqual([opened.person, opened.match]);
    const none = recording('reads_none', []);
    const alone = new ProjectionRunner(db.dataSource, police, [none.projection], { databaseUrl: db.url });
    await alone.createTables();
    await alone.catchUp();
    expect(none.seen).toEqual([{ ref: suspectId, sealed: expect.any(String), nationality: 'MY' }, sealedMatch]);
  });

  it('leaves sealed in a rebuild what the projection does not read', async () => {
    const some = recording('rebuilt_some', [Police.SuspectIdentified.type]);
    const runner = new ProjectionRunner(db.dataSource, police, [some.projection], { databaseUrl: db.url });
    await runner.createTables();
    expect(await runner.rebuild('rebuilt_some')).toBe(2);
    expect(some.seen).toEqual([opened.person, sealedMatch]);
  });
});

// The in-memory fold against the database: the same handler calls, applied event by event through
// TypeORM's EntityManager and through MemoryTables written out in bulk, must leave the same tables,
// for every projection of every agency over a log with each kind of event in it.
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Police, interlinkRegistry } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { FOREIGN_MINISTRY_READ_MODEL } from '@interlink/foreign-ministry/read-model';
import { IMMIGRATION_READ_MODEL } from '@interlink/immigration/read-model';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { MemoryTables, Projection, ProjectionRunner, readCatalog, writeTables } from '@interlink/projections';
import { TestDatabase, createTestDatabase, waitFor } from '@interlink/testing';
import { AGENCIES, Log, createSchema as createSchemaIn, policeLog, tablesIn as tablesOf } from './agency-logs';

describe('folding projections in memory (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('fold', [...POLICE_READ_MODEL.entities, ...IMMIGRATION_READ_MODEL.entities, ...FOREIGN_MINISTRY_READ_MODEL.entities]);
  });
  afterAll(() => db.drop());
  const tablesIn = (schema: string, tables: string[]) => tablesOf(db.dataSource, schema, tables);
  const createSchema = (schema: string, projections: Projection[]) => createSchemaIn(db.dataSource, schema, projections);

  it.each(AGENCIES)('leaves every %s table as the event-by-event path does', async (agency, projections, makeLog) => {
    const events = makeLog();
    const tables = projections.flatMap((p) => p.tables);
    const stem = agency.replace('-', '_');
    await createSchema(`${stem}_per_event`, projections);
    await createSchema(`${stem}_folded`, projections);

    await db.dataSource.transaction(async (m: EntityManager) => {
      await m.query(`SET LOCAL search_path TO "${stem}_per_event"`);
      for (const event of events) for (const p of projections) await p.handlers[event.type]?.(event, m);
    });
    const catalog = await readCatalog(db.dataSource.manager, `${stem}_folded`, tables);
    const memory = projections.map((p) => ({ p, tables: new MemoryTables(p.name, db.dataSource, catalog) }));
    for (const event of events) for (const { p, tables: t } of memory) await p.handlers[event.type]?.(event, t.manager);
    for (const { tables: t } of memory) await writeTables(db.dataSource, `${stem}_folded`, t);

    const perEvent = await tablesIn(`${stem}_per_event`, tables);
    expect(await tablesIn(`${stem}_folded`, tables)).toEqual(perEvent);
    // Every table was written, and each handler ran: the comparison is not between empty tables.
    for (const table of tables) expect(perEvent[table].length).toBeGreaterThan(0);
    const handled = new Set(events.map((e) => e.type));
    for (const p of projections) for (const type of Object.keys(p.handlers)) expect(handled).toContain(type);
  });

  describe('written over two connections at once (as a rebuild writes)', () => {
    // 4,500 suspects: three INSERTs of up to 2,000 rows, shared by two connections.
    const SUSPECTS = 4500;
    const suspectsProjection = POLICE_READ_MODEL.projections.find((p) => p.name === 'suspects')!;
    const folded = async (schema: string) => {
      const catalog = await readCatalog(db.dataSource.manager, schema, suspectsProjection.tables);
      const tables = new MemoryTables(suspectsProjection.name, db.dataSource, catalog);
      const log = new Log('police');
      for (let i = 0; i < SUSPECTS; i++) log.add(Police.SuspectIdentified.type, { suspectId: randomUUID(), person: { name: `Person ${i}`, nationality: 'MY' }, role: 'operator' });
      for (const event of log.events) await suspectsProjection.handlers[event.type]?.(event, tables.manager);
      return tables;
    };

    it('then the tables hold what one connection writes', async () => {
      await createSchema('two_connections', [suspectsProjection]);
      await createSchema('one_connection', [suspectsProjection]);
      const tables = await folded('two_connections');
      expect(await writeTables(db.dataSource, 'two_connections', tables, 2)).toBe(SUSPECTS);
      await writeTables(db.dataSource, 'one_connection', tables);
      const written = await tablesIn('two_connections', suspectsProjection.tables);
      expect(written.suspects).toHaveLength(SUSPECTS);
      expect(written).toEqual(await tablesIn('one_connection', suspectsProjection.tables));
    });

    it('then an INSERT that fails fails the writing, and leaves no connection writing', async () => {
      await createSchema('refusing', [suspectsProjection]);
      // A constraint the fold does not model, broken by a row of the second INSERT.
      await db.dataSource.query(`ALTER TABLE refusing.suspects ADD CONSTRAINT not_2100 CHECK (name IS DISTINCT FROM 'Person 2100')`);
      const tables = await folded('refusing');
      await expect(writeTables(db.dataSource, 'refusing', tables, 2)).rejects.toThrow(/not_2100/);
      const [{ writing }] = await db.dataSource.query(`SELECT count(*)::int AS writing FROM pg_stat_activity WHERE query LIKE 'INSERT INTO "refusing"%' AND state = 'active'`);
      expect(writing).toBe(0);
      // The first INSERT, and the third only if it was under way before the second failed.
      const [{ rows }] = await db.dataSource.query(`SELECT count(*)::int AS rows FROM refusing.suspects`);
      expect([2000, 2500]).toContain(rows);
    });
  });

  it('rebuilds the police read models from the store (sealed personal data, erasures) to what the live projections built, also past the row limit', async () => {
    const store = new EventStore(db.dataSource, interlinkRegistry(), 'police');
    const context = { correlationId: randomUUID(), causationId: randomUUID(), actor: 'police/analyst', classification: 'AMBER' as const };
    const log = policeLog();
    for (const event of log) {
      await store.append(`stream-${randomUUID()}`, 0, [{ type: event.type, data: event.data, time: event.time }], context);
    }
    // Readers see only what committed before the oldest transaction in flight on the server: wait for all of it.
    await waitFor(`all ${log.length} events visible to readers`, async () => (await store.readLog(undefined, { limit: log.length + 1, open: false, upcast: false })).length === log.length);
    await store.keys.erase(db.dataSource.manager, 'police', (await db.dataSource.query(`SELECT ref::text FROM interlink.data_keys LIMIT 1`))[0].ref);
    const logged: string[] = [];
    const runner = (maxRowsInMemory?: number) =>
      new ProjectionRunner(db.dataSource, store, POLICE_READ_MODEL.projections, { databaseUrl: db.url, foldBatchSize: 50, maxRowsInMemory, log: (m) => logged.push(m) });
    const live = runner();
    await live.createTables();
    await live.catchUp();
    const tables = POLICE_READ_MODEL.projections.flatMap((p) => p.tables);
    const built = await tablesIn('public', tables);

    for (const p of POLICE_READ_MODEL.projections) expect(await live.rebuild(p.name)).toBe(log.length);
    expect(logged).toEqual([]);
    expect(await tablesIn('public', tables)).toEqual(built);

    expect(await runner(10).rebuild('suspects')).toBe(log.length);
    expect(logged).toEqual([expect.stringMatching(/^rebuild of suspects: \d+ rows held in memory, more than the 10 allowed \(PROJECTION_REBUILD_MAX_ROWS\); writing them out/)]);
    expect(await tablesIn('public', tables)).toEqual(built);
    expect(built.suspects.some((row) => row.includes('"personal_data": "erased"'))).toBe(true);
  });
});

// The in-memory fold against the database: the same handler calls, applied event by event through
// TypeORM's EntityManager and through MemoryTables written out in bulk, must leave the same tables,
// for every projection of every agency over a log with each kind of event in it.
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { EventEnvelope, ForeignMinistry, ForeignMinistryDataErased, Immigration, ImmigrationDataErased, Police, PoliceDataErased, interlinkRegistry } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { FOREIGN_MINISTRY_READ_MODEL } from '@interlink/foreign-ministry/read-model';
import { IMMIGRATION_READ_MODEL } from '@interlink/immigration/read-model';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { MemoryTables, Projection, ProjectionRunner, readCatalog, writeTables } from '@interlink/projections';
import { TestDatabase, createTestDatabase, envelopeFrom, waitFor } from '@interlink/testing';

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const WITHHELD = (reason: 'erased' | 'redacted') => ({ withheld: reason, ref: randomUUID(), digest: `sha256:${'0'.repeat(64)}` });

/** Event type and payload, in log order; times increase by a minute per event. */
class Log {
  readonly events: EventEnvelope[] = [];
  private clock = Date.UTC(2026, 10, 1);
  readonly random = prng(7);
  constructor(private readonly agency: string) {}

  add(type: string, data: unknown): void {
    const envelope = envelopeFrom(this.agency, `s-${this.events.length}`, 1, { type, data });
    this.events.push({ ...envelope, time: new Date((this.clock += 60_000)).toISOString() });
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  person(i: number) {
    if (i % 7 === 3) return { ...WITHHELD('redacted'), nationality: 'MY' };
    return { name: `Person ${i}`, aliases: [`P. ${i}`], birthDate: `19${70 + (i % 29)}-0${1 + (i % 9)}-1${i % 10}`, nationality: this.pick(['MY', 'ID', 'PH']), passports: [{ number: `A ${1000 + i}-x`, country: 'MY' }] };
  }
  match(i: number) {
    return i % 5 === 0 ? { ...WITHHELD('erased'), reason: 'passport' as const, score: 0.9 } : { reason: 'name-and-birth-date' as const, score: 0.73 + i / 1000, explanation: `match ${i}` };
  }
}

function policeLog(): EventEnvelope[] {
  const log = new Log('police');
  const syndicates = [randomUUID(), randomUUID()];
  for (const [i, syndicateId] of syndicates.entries()) {
    log.add(Police.SyndicateIdentified.type, { syndicateId, name: `Ring ${i}`, scamTypes: ['bank-impersonation'], countries: ['KH', 'MM'], places: [`Compound ${i}`] });
  }
  const suspects = Array.from({ length: 24 }, () => randomUUID());
  const alerts: [string, string][] = [];
  suspects.forEach((suspectId, i) =>
    log.add(Police.SuspectIdentified.type, { suspectId, person: log.person(i), role: log.pick(['recruiter', 'operator', 'money-mule']), ...(i % 3 ? { syndicateId: log.pick(syndicates) } : {}) }),
  );
  for (let n = 0; n < 60; n++) {
    const suspectId = log.pick(suspects);
    const alert = { agency: 'immigration', id: randomUUID() };
    alerts.push([suspectId, alert.id]);
    // Distinct seenAt per sighting: the latest decides the whereabouts, and Postgres breaks ties arbitrarily.
    const seenAt = new Date(Date.UTC(2026, 9, 1) + n * 3_600_000 * (n % 2 ? 1 : -1)).toISOString();
    log.add(Police.SuspectSighted.type, { suspectId, checkpoint: log.pick(['KLIA', 'Padang Besar']), direction: log.pick(['inbound', 'outbound']), seenAt, match: log.match(n), alert });
    if (n % 4 === 1) {
      const [withdrawnSuspect, alertId] = log.pick(alerts);
      log.add(Police.SightingWithdrawn.type, { suspectId: withdrawnSuspect, alert: { agency: 'immigration', id: alertId }, reason: 'wrong person' });
    }
  }
  suspects.forEach((suspectId, i) => {
    if (i % 2 === 0) log.add(Police.SuspectArrested.type, { suspectId, arrestedOn: '2026-11-02', place: 'KL', country: 'MY' });
    if (i % 4 === 0) log.add(Police.SuspectCharged.type, { suspectId, law: 'ATIPSOM 2007', section: '12', chargedOn: '2026-11-03' });
    if (i % 8 === 0) log.add(Police.SuspectConvicted.type, { suspectId, convictedOn: '2026-11-20', sentence: '8 years' });
    if (i % 5 === 1) log.add(Police.SuspectCleared.type, { suspectId, clearedOn: '2026-11-04', reason: 'alibi' });
    if (i % 3 === 2) log.add(Police.SuspectRoleChanged.type, { suspectId, from: 'recruiter', to: 'ringleader', reason: 'new evidence' });
    if (i % 6 === 5) log.add(PoliceDataErased.type, { ref: suspectId, reason: 'GDPR art. 17 request' });
  });
  const raids = [randomUUID(), randomUUID(), randomUUID()];
  raids.forEach((raidId, i) => log.add(Police.RaidConducted.type, { raidId, place: `Compound ${i}`, country: 'KH', conductedOn: '2026-11-05', ...(i ? { city: 'Sihanoukville', partnerAgency: 'kh-police', syndicateId: syndicates[0] } : {}) }));
  for (let r = 0; r < 6; r++) {
    const persons = Array.from({ length: 1 + (r % 3) }, (_, p) =>
      p === 1 ? { ...WITHHELD('redacted'), personId: randomUUID(), nationality: 'ID' } : { personId: randomUUID(), name: `Victim ${r}.${p}`, nationality: log.pick(['MY', 'PH', 'VN']) },
    );
    log.add(Police.VictimsRescued.type, { rescueId: randomUUID(), raidId: raids[r % 3], place: 'Compound', country: 'KH', rescuedOn: '2026-11-05', persons });
  }
  return log.events;
}

function immigrationLog(): EventEnvelope[] {
  const log = new Log('immigration');
  const entries = Array.from({ length: 16 }, () => randomUUID());
  entries.forEach((entryId, i) =>
    log.add(Immigration.WatchlistEntryAdded.type, { entryId, person: log.person(i), reason: 'suspect', ...(i % 2 ? { role: 'operator', suspect: { agency: 'police', id: randomUUID() } } : {}) }),
  );
  entries.forEach((entryId, i) => {
    if (i % 3 === 0) log.add(Immigration.WatchlistEntryAmended.type, { entryId, role: 'ringleader', reason: 'police says so' });
    if (i % 4 === 1) log.add(Immigration.WatchlistEntryLifted.type, { entryId, reason: 'cleared' });
    if (i % 5 === 2) log.add(Immigration.WatchlistEntryWithdrawn.type, { entryId, reason: 'access withdrawn' });
    if (i % 6 === 4) log.add(ImmigrationDataErased.type, { ref: entryId, reason: 'erasure' });
  });
  const crossings = Array.from({ length: 20 }, () => randomUUID());
  const alerts: string[] = [];
  crossings.forEach((crossingId, i) => {
    const traveller =
      i % 6 === 5 ? { ...WITHHELD('redacted'), nationality: 'PH' } : { name: `Traveller ${i}`, birthDate: '1988-04-0' + (1 + (i % 9)), nationality: 'MY', passport: { number: `B${i}`, country: 'MY' } };
    const crossedAt = new Date(Date.UTC(2026, 10, 2, i)).toISOString();
    log.add(Immigration.BorderCrossingRecorded.type, { crossingId, traveller, direction: log.pick(['inbound', 'outbound']), checkpoint: 'KLIA', crossedAt });
    if (i % 2 === 0) {
      const alertId = randomUUID();
      alerts.push(alertId);
      log.add(Immigration.BorderAlertRaised.type, {
        alertId,
        crossingId,
        entryId: log.pick(entries),
        ...(i % 4 ? { suspect: { agency: 'police', id: randomUUID() } } : {}),
        traveller,
        direction: 'inbound',
        checkpoint: 'KLIA',
        crossedAt,
        match: log.match(i),
      });
    }
  });
  alerts.forEach((alertId, i) => {
    if (i % 3 === 0) log.add(Immigration.BorderAlertConfirmed.type, { alertId, note: i % 2 ? 'seen' : undefined });
    if (i % 3 === 1) log.add(Immigration.BorderAlertDismissed.type, { alertId, reason: 'not them' });
  });
  crossings.forEach((crossingId, i) => i % 4 === 2 && log.add(ImmigrationDataErased.type, { ref: crossingId, reason: 'erasure' }));
  const expectations = Array.from({ length: 6 }, () => randomUUID());
  expectations.forEach((expectationId, i) =>
    log.add(Immigration.ReturnExpected.type, { expectationId, case: { agency: 'foreign-ministry', id: randomUUID() }, person: log.person(i), expectedOn: '2026-12-01', ...(i % 2 ? { checkpoint: 'KLIA' } : {}) }),
  );
  expectations.forEach((expectationId, i) => {
    if (i % 2 === 0) {
      log.add(Immigration.VictimReturnRecorded.type, {
        expectationId,
        crossingId: crossings[i],
        case: { agency: 'foreign-ministry', id: randomUUID() },
        traveller: { name: 'T', birthDate: '1990-01-01', nationality: 'MY', passport: { number: 'C1', country: 'MY' } },
        checkpoint: 'KLIA',
        crossedAt: new Date(Date.UTC(2026, 11, 1, i)).toISOString(),
        match: log.match(i + 1),
      });
    }
    if (i % 3 === 2) log.add(ImmigrationDataErased.type, { ref: expectationId, reason: 'erasure' });
  });
  return log.events;
}

function foreignMinistryLog(): EventEnvelope[] {
  const log = new Log('foreign-ministry');
  const cases = Array.from({ length: 12 }, () => randomUUID());
  cases.forEach((caseId, i) =>
    log.add(ForeignMinistry.VictimReported.type, { caseId, person: log.person(i), reportedBy: log.pick(['relative', 'ngo', 'embassy']), reportedOn: '2026-10-01', ...(i % 2 ? { reporter: 'Mother', lastKnownCountry: 'KH' } : {}) }),
  );
  cases.forEach((caseId, i) => {
    const rescue = () => log.add(ForeignMinistry.VictimRescued.type, { caseId, country: 'KH', rescuedOn: '2026-11-05', ...(i % 2 ? { rescue: { agency: 'police', id: randomUUID() } } : {}) });
    if (i % 6 !== 5) log.add(ForeignMinistry.VictimLocated.type, { caseId, country: 'MM', locatedOn: '2026-10-20' });
    if (i % 3 === 0) log.add(ForeignMinistry.CaseFlaggedForReview.type, { caseId, suspect: { agency: 'police', id: randomUUID() }, role: 'recruiter', match: log.match(i) });
    if (i % 3 === 0 && i % 2 === 0) log.add(ForeignMinistry.CaseFlaggedForReview.type, { caseId, suspect: { agency: 'police', id: randomUUID() }, role: 'operator', match: log.match(i + 1) });
    if (i % 6 === 3) log.add(ForeignMinistry.CaseReclassified.type, { caseId, outcome: 'victim', note: 'coerced' });
    // Rescued before the repatriation is arranged, or after: the arrangement must not be hidden.
    if (i % 4 === 0) rescue();
    if (i % 2 === 0) log.add(ForeignMinistry.RepatriationArranged.type, { caseId, person: log.person(i), expectedOn: '2026-12-01', checkpoint: 'KLIA' });
    if (i % 4 === 2) rescue();
    if (i % 4 === 0) log.add(ForeignMinistry.VictimRepatriated.type, { caseId, returnedOn: '2026-12-01', checkpoint: 'KLIA', crossing: { agency: 'immigration', id: randomUUID() } });
    if (i % 8 === 0) log.add(ForeignMinistry.CaseClosed.type, { caseId, reason: 'home' });
    if (i % 5 === 4) log.add(ForeignMinistryDataErased.type, { ref: caseId, reason: 'erasure' });
  });
  return log.events;
}

const AGENCIES: [string, Projection[], () => EventEnvelope[]][] = [
  ['police', POLICE_READ_MODEL.projections, policeLog],
  ['immigration', IMMIGRATION_READ_MODEL.projections, immigrationLog],
  ['foreign-ministry', FOREIGN_MINISTRY_READ_MODEL.projections, foreignMinistryLog],
];

describe('folding projections in memory (real Postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('fold', [...POLICE_READ_MODEL.entities, ...IMMIGRATION_READ_MODEL.entities, ...FOREIGN_MINISTRY_READ_MODEL.entities]);
  });
  afterAll(() => db.drop());

  async function tablesIn(schema: string, tables: string[]): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const table of tables) {
      const rows: { row: string }[] = await db.dataSource.query(`SELECT to_jsonb(t)::text AS row FROM "${schema}"."${table}" t ORDER BY 1`);
      out[table] = rows.map((r) => r.row);
    }
    return out;
  }

  async function createSchema(schema: string, projections: Projection[]): Promise<void> {
    await db.dataSource.query(`CREATE SCHEMA "${schema}"`);
    await db.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL search_path TO "${schema}"`);
      for (const p of projections) for (const ddl of p.schema) await m.query(ddl);
    });
  }

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

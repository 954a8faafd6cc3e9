// The personal data the projections say they read (readsPersonalData): reading the log through the
// store (personal data sealed) and opening only what they declare must build the very tables that
// opening everything builds, for every projection of every agency over a log with each kind of event.
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { interlinkRegistry } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { FOREIGN_MINISTRY_READ_MODEL } from '@interlink/foreign-ministry/read-model';
import { IMMIGRATION_READ_MODEL } from '@interlink/immigration/read-model';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { Projection, personalDataReadBy } from '@interlink/projections';
import { TestDatabase, createTestDatabase, waitFor } from '@interlink/testing';
import { AGENCIES, createSchema, tablesIn } from './agency-logs';

describe('the personal data the projections read (real Postgres)', () => {
  // A database per agency: each test reads its whole log.
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase('personal_read', [...POLICE_READ_MODEL.entities, ...IMMIGRATION_READ_MODEL.entities, ...FOREIGN_MINISTRY_READ_MODEL.entities]);
  });
  afterEach(() => db.drop());

  async function build(schema: string, projections: Projection[], store: EventStore, open: true | ((type: string) => boolean)): Promise<Record<string, string[]>> {
    await createSchema(db.dataSource, schema, projections);
    await db.dataSource.transaction(async (m: EntityManager) => {
      await m.query(`SET LOCAL search_path TO "${schema}"`);
      for (const { envelope } of await store.readLog(undefined, { limit: 10_000, manager: m, open })) {
        for (const p of projections) await p.handlers[envelope.type]?.(envelope, m);
      }
    });
    return tablesIn(db.dataSource, schema, projections.flatMap((p) => p.tables));
  }

  it.each(AGENCIES)('builds every %s table alike, opening what the projections declare or everything', async (agency, projections, makeLog) => {
    const store = new EventStore(db.dataSource, interlinkRegistry(), agency);
    const context = { correlationId: randomUUID(), causationId: randomUUID(), actor: `${agency}/analyst`, classification: 'AMBER' as const };
    const log = makeLog();
    for (const event of log) await store.append(`stream-${randomUUID()}`, 0, [{ type: event.type, data: event.data, time: event.time }], context);
    await waitFor(`all ${log.length} events visible to readers`, async () => (await store.readLog(undefined, { limit: log.length + 1, open: false })).length === log.length);

    const stem = agency.replace('-', '_');
    const opens = personalDataReadBy(projections);
    const declared = await build(`${stem}_declared`, projections, store, opens);
    expect(declared).toEqual(await build(`${stem}_everything`, projections, store, true));
    for (const rows of Object.values(declared)) expect(rows.length).toBeGreaterThan(0);
    // Some of the log's sealed events were left sealed, or the comparison proves nothing.
    const sealedTypes = new Set(
      (await store.readLog(undefined, { limit: log.length, open: false }))
        .filter(({ envelope }) => JSON.stringify(envelope.data).includes('"sealed":'))
        .map(({ envelope }) => envelope.type),
    );
    // Immigration's projections read the personal data of every type that holds some.
    expect([...sealedTypes].filter((type) => !opens(type)).length > 0).toBe(agency !== 'immigration');
  });
});

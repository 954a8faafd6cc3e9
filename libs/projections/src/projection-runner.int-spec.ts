import { uuidv7 } from '@interlink/contracts';
import { AppendContext, EventStore } from '@interlink/event-store';
import { TestDatabase, caseFileRegistry, caseFilesProjection, createTestDatabase, readCases, waitFor } from '@interlink/testing';
import { ProjectionRunner } from './index';

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

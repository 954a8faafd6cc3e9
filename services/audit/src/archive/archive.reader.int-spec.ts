import { createTestDatabase, TestDatabase } from '@interlink/testing';
import { DataKeys, migrate } from '@interlink/event-store';
import { isSealedPart } from '@interlink/contracts';
import { newDataKey, sealPart } from '@interlink/security';
import { ArchiveReader, EVENTS_PAGE, RECORDS_PAGE } from './archive.reader';
import { archiveMigrations } from './archive.schema';

describe('ArchiveReader (real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('archive_reader');
    await migrate(db.dataSource, archiveMigrations);
    // 25 records, inserted out of order, with a republished duplicate of sequence 12.
    const offsets = Array.from({ length: 25 }, (_, i) => i).reverse();
    for (const offset of offsets) {
      const sequence = offset === 24 ? 12 : offset + 1;
      const envelope = { id: `00000000-0000-7000-8000-${String(offset).padStart(12, '0')}`, sequence, time: '2023-10-17T00:00:00.000Z', data: { n: offset } };
      await db.dataSource.query(
        `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_time) VALUES ('t', 0, $1, 'police', convert_to($2, 'UTF8'), $2::jsonb, $3, $4)`,
        [offset, JSON.stringify(envelope), sequence, envelope.time],
      );
    }
  });
  afterAll(() => db.drop());

  it('reads records in numeric offset order across pages (9, 10, 11, not 1, 10, 11, 2)', async () => {
    const positions: string[] = [];
    for await (const r of new ArchiveReader(db.dataSource).records('police', 7)) positions.push(r.position);
    expect(positions).toEqual(Array.from({ length: 25 }, (_, i) => `t[0]@${i}`));
  });

  it('reads records partition by partition, each in offset order, across gaps in the offsets', async () => {
    for (const [partition, offset] of [[2, 40], [0, 7], [2, 3], [0, 1000], [0, 8], [2, 41]]) {
      await db.dataSource.query(`INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw) VALUES ('s', $1, $2, 'split', '\\x00')`, [partition, offset]);
    }
    const positions: string[] = [];
    for await (const r of new ArchiveReader(db.dataSource).records('split', 2)) positions.push(r.position);
    expect(positions).toEqual(['s[0]@7', 's[0]@8', 's[0]@1000', 's[2]@3', 's[2]@40', 's[2]@41']);
    expect(await (async () => { for await (const r of new ArchiveReader(db.dataSource).records('nobody')) return r; return 'none'; })()).toBe('none');
  });

  it('reads no more rows for a page than its window of sequence numbers (events) or offsets (records) holds, on a table never analysed', async () => {
    // 20,000 events of another agency, each sequence archived twice (a republished copy).
    await db.dataSource.query(
      `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_time)
       SELECT 'bulk', 0, n, 'bulk', '\\x00', jsonb_build_object('n', n, 'pad', repeat('x', 300)), (n + 1) / 2, now() FROM generate_series(1, 40000) AS n`,
    );
    const [{ analysed }] = await db.dataSource.query(`SELECT count(*)::int AS analysed FROM pg_stats WHERE schemaname = 'audit' AND tablename = 'archive'`);
    expect(analysed).toBe(0);
    const explain = (statement: string, types: string, parameters: string) =>
      db.dataSource.transaction(async (tx) => {
        await tx.query(`PREPARE page(${types}) AS ${statement}`);
        const [row] = await tx.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE page(${parameters})`);
        await tx.query('DEALLOCATE page');
        return row['QUERY PLAN'][0].Plan;
      });
    /** The rows each read of the archive in the plan took. */
    const scanned = (plan: { 'Relation Name'?: string; 'Actual Rows': number; Plans?: unknown[] }): number[] => [
      ...(plan['Relation Name'] === 'archive' ? [plan['Actual Rows']] : []),
      ...((plan.Plans ?? []) as (typeof plan)[]).flatMap(scanned),
    ];
    const events = await explain(EVENTS_PAGE, 'text, bigint, bigint, timestamptz', `'bulk', 10000, 12000, NULL`);
    expect(events['Actual Rows']).toBe(2000);
    // The window's 2,000 sequences in two copies each, and nothing after them.
    expect(scanned(events)).toEqual([4000]);
    const records = await explain(RECORDS_PAGE, 'text, int, bigint, bigint', `'bulk', 0, 20000, 25000`);
    expect(scanned(records)).toEqual([5000]);
    const positions: string[] = [];
    for await (const r of new ArchiveReader(db.dataSource).records('bulk', 7000)) positions.push(r.position);
    expect(positions).toEqual(Array.from({ length: 40_000 }, (_, i) => `bulk[0]@${i + 1}`));
    const read = async (range: { from?: number; to?: number }, pageSize?: number) => {
      const ns: number[] = [];
      for await (const e of new ArchiveReader(db.dataSource).events('bulk', range, { pageSize })) ns.push((e as unknown as { n: number }).n);
      return ns;
    };
    // Each sequence once, its first copy (the lower offset).
    expect(await read({ from: 10001, to: 10004 })).toEqual([20001, 20003, 20005, 20007]);
    expect(await read({ from: 19998 }, 3)).toEqual([39995, 39997, 39999]);
  });

  it('opens the sealed personal data of the types asked for, and leaves the others sealed', async () => {
    const [known, erased, neverDelivered] = ['0193a000-0000-7000-8000-000000000001', '0193a000-0000-7000-8000-000000000002', '0193a000-0000-7000-8000-000000000003'];
    const key = newDataKey();
    const keys = new DataKeys();
    await keys.receive(db.dataSource.manager, 'immigration', known, key);
    await keys.receive(db.dataSource.manager, 'immigration', erased, newDataKey());
    await keys.erase(db.dataSource.manager, 'immigration', erased);
    const person = (ref: string) => sealPart({ ref, name: 'Nguyen Van An', nationality: 'VN' }, ['name'], ref, ref === known ? key : newDataKey());
    const types = ['intel.immigration.traveller-flagged.v1', 'intel.immigration.crossing-recorded.v1'];
    for (const [i, type] of [types[0], types[1], types[0], types[0]].entries()) {
      const ref = [known, known, erased, neverDelivered][i];
      const envelope = { id: `0193a000-0000-7000-8000-1000000000${i}0`, type, sequence: i + 1, time: '2023-10-17T00:00:00.000Z', data: { person: person(ref) } };
      await db.dataSource.query(
        `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_time) VALUES ('i', 0, $1, 'immigration', convert_to($2, 'UTF8'), $2::jsonb, $3, $4)`,
        [i, JSON.stringify(envelope), i + 1, envelope.time],
      );
    }
    const read = async (open?: (type: string) => boolean) => {
      const people: Record<string, unknown>[] = [];
      for await (const e of new ArchiveReader(db.dataSource).events('immigration', {}, { open })) people.push((e.data as { person: Record<string, unknown> }).person);
      return people;
    };
    const flagged = await read((type) => type === types[0]);
    expect(isSealedPart(flagged[0])).toBe(false);
    expect(flagged[0]).toMatchObject({ name: 'Nguyen Van An', nationality: 'VN' });
    expect(isSealedPart(flagged[1])).toBe(true);
    expect(flagged[1]).toMatchObject({ ref: known, nationality: 'VN' });
    expect(flagged[2]).toMatchObject({ ref: erased, nationality: 'VN', withheld: 'erased' });
    expect(flagged[3]).toMatchObject({ ref: neverDelivered, nationality: 'VN', withheld: 'redacted' });
    // Without `open`, every event is opened.
    expect((await read())[1]).toMatchObject({ name: 'Nguyen Van An', nationality: 'VN' });
  });

  it('reads events once per sequence in numeric order across pages', async () => {
    const sequences: number[] = [];
    for await (const e of new ArchiveReader(db.dataSource).events('police', {}, { pageSize: 5 })) sequences.push(e.sequence!);
    expect(sequences).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });
});

import { createTestDatabase, TestDatabase } from '@interlink/testing';
import { migrate } from '@interlink/event-store';
import { ArchiveReader } from './archive.reader';
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

  it('reads events once per sequence in numeric order across pages', async () => {
    const sequences: number[] = [];
    for await (const e of new ArchiveReader(db.dataSource).events('police', {}, 5)) sequences.push(e.sequence!);
    expect(sequences).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });
});

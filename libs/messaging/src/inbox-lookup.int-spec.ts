import { uuidv7 } from '@interlink/contracts';
import { TestDatabase, createTestDatabase, rowsReadBy } from '@interlink/testing';
import { appliedAlready } from './consumer';

/**
 * A consumer asks its inbox which events of a batch it applied already. With `event_id = ANY(...)`
 * and no statistics on the inbox (never analysed: autovacuum off, as on the CI machine's
 * server), a batch of more than about 150 events read the consumer's whole inbox. The test counts
 * the rows read (rowsReadBy), not time (real Postgres).
 */
describe('appliedAlready without table statistics (real Postgres)', () => {
  const ROWS = 20_000;
  let db: TestDatabase;
  let applied: string[];

  beforeAll(async () => {
    db = await createTestDatabase('inbox_lookup');
    await db.dataSource.query(`ALTER TABLE interlink.inbox SET (autovacuum_enabled = false)`);
    await db.dataSource.query(
      `INSERT INTO interlink.inbox (consumer, event_id, stream_id, type, topic, kafka_partition, kafka_offset, envelope)
         SELECT consumer, gen_random_uuid(), 'suspect-' || i, 'police.suspect-identified.v1', 'police.immigration', 0, i, '{}'::jsonb
           FROM generate_series(1, $1::int) AS i, unnest(ARRAY['immigration-policies', 'immigration-watchlist']) AS consumer`,
      [ROWS / 2],
    );
    applied = (await db.dataSource.query(`SELECT event_id::text FROM interlink.inbox WHERE consumer = 'immigration-policies' ORDER BY event_id LIMIT 250`)).map(
      (r: { event_id: string }) => r.event_id,
    );
  }, 60_000);
  afterAll(async () => db?.drop());

  it('finds the applied events of a batch of 300 by reading only them', async () => {
    const [{ stats }] = await db.dataSource.query(`SELECT count(*)::int AS stats FROM pg_stats WHERE schemaname = 'interlink' AND tablename = 'inbox'`);
    expect(stats).toBe(0);
    const fresh = Array.from({ length: 49 }, () => uuidv7());
    const { result: seen, read } = await rowsReadBy(db.dataSource, 'inbox', (tx) => appliedAlready(tx, 'immigration-policies', [...applied, ...fresh, applied[7]]));
    expect([...seen].sort()).toEqual(applied);
    expect(read.seq).toBe(0);
    expect(read.index).toBeLessThanOrEqual(applied.length + 1);
  });

  it('answers an empty batch with nothing', async () => {
    expect((await appliedAlready(db.dataSource.manager, 'immigration-policies', [])).size).toBe(0);
  });
});

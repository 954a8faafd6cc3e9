import { uuidv7 } from '@interlink/contracts';
import { TestDatabase, createTestDatabase, rowsReadBy } from '@interlink/testing';
import { beginBatch } from './consumer';
import { consumerLockKey } from './parked';

/**
 * What a consumer reads before it applies a batch, in one round trip (interlink.begin_consumer_batch).
 * The inbox lookup is checked for the plan it gets without statistics on the inbox (never
 * analysed: autovacuum off, as on the CI machine's server): with `event_id = ANY(...)` a batch of
 * more than about 150 events read the consumer's whole inbox. The test counts the rows read
 * (rowsReadBy), not time (real Postgres).
 */
describe('beginBatch (real Postgres)', () => {
  const ROWS = 20_000;
  const consumer = 'immigration-policies';
  let db: TestDatabase;
  let applied: string[];

  beforeAll(async () => {
    db = await createTestDatabase('batch_start');
    await db.dataSource.query(`ALTER TABLE interlink.inbox SET (autovacuum_enabled = false)`);
    await db.dataSource.query(
      `INSERT INTO interlink.inbox (consumer, event_id, stream_id, type, topic, kafka_partition, kafka_offset, envelope)
         SELECT consumer, gen_random_uuid(), 'suspect-' || i, 'police.suspect-identified.v1', 'police.immigration', 0, i, '{}'::jsonb
           FROM generate_series(1, $1::int) AS i, unnest(ARRAY['immigration-policies', 'immigration-watchlist']) AS consumer`,
      [ROWS / 2],
    );
    applied = (await db.dataSource.query(`SELECT event_id::text FROM interlink.inbox WHERE consumer = $1 ORDER BY event_id LIMIT 250`, [consumer])).map(
      (r: { event_id: string }) => r.event_id,
    );
  }, 60_000);
  afterAll(async () => db?.drop());

  const batch = (eventIds: string[], streams: string[] = [], topic = 'police.immigration', partition = 0) => ({ consumer, topic, partition, eventIds, streams });

  it('finds the applied events of a batch of 300 by reading only them', async () => {
    const [{ stats }] = await db.dataSource.query(`SELECT count(*)::int AS stats FROM pg_stats WHERE schemaname = 'interlink' AND tablename = 'inbox'`);
    expect(stats).toBe(0);
    const fresh = Array.from({ length: 49 }, () => uuidv7());
    const { result, read } = await rowsReadBy(db.dataSource, 'inbox', (tx) => beginBatch(tx, batch([...applied, ...fresh, applied[7]])));
    expect([...result.applied].sort()).toEqual(applied);
    expect(read.seq).toBe(0);
    expect(read.index).toBeLessThanOrEqual(applied.length + 1);
  });

  it('answers an empty batch with nothing, and a partition never applied with checkpoint -1', async () => {
    const start = await beginBatch(db.dataSource.manager, batch([]));
    expect(start).toEqual({ checkpoint: -1n, applied: new Set(), held: new Map() });
  });

  it("reads the partition's own checkpoint, and the first unresolved parked event of each of the batch's streams", async () => {
    await db.dataSource.query(
      `INSERT INTO interlink.consumer_checkpoints (consumer, topic, kafka_partition, kafka_offset, updated_at)
       VALUES ($1, 'police.immigration', 1, 41, now()), ($1, 'police.immigration', 2, 9007199254740993, now()), ('other', 'police.immigration', 1, 99, now())`,
      [consumer],
    );
    const park = async (stream: string | null, offset: number, who = consumer) =>
      Number(
        (
          await db.dataSource.query(
            `INSERT INTO interlink.parked_events (consumer, topic, kafka_partition, kafka_offset, stream_id, reason, attempts)
             VALUES ($1, 'police.immigration', 1, $2, $3, 'test', 1) RETURNING id::text`,
            [who, offset, stream],
          )
        )[0].id,
      );
    const first = await park('case-1', 30);
    await park('case-1', 31);
    const resolved = await park('case-2', 32);
    await db.dataSource.query(`UPDATE interlink.parked_events SET resolved_at = now(), resolution = 'replayed' WHERE id = $1`, [resolved]);
    await park('case-3', 33, 'other');
    const fourth = await park('case-4', 34);

    const start = await beginBatch(db.dataSource.manager, batch([applied[0], uuidv7()], ['case-1', 'case-2', 'case-3', 'case-4', 'case-1', 'case-5'], 'police.immigration', 1));
    expect(start.checkpoint).toBe(41n);
    expect(start.applied).toEqual(new Set([applied[0]]));
    expect(start.held).toEqual(new Map([['case-1', first], ['case-4', fourth]]));
    expect((await beginBatch(db.dataSource.manager, batch([], [], 'police.immigration', 2))).checkpoint).toBe(9007199254740993n);
  });

  it('waits while a replay of parked events holds the consumer lock alone, then sees what it committed', async () => {
    const replay = db.dataSource.createQueryRunner();
    await replay.connect();
    await replay.startTransaction();
    await replay.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [consumerLockKey(consumer)]);
    const replayed = uuidv7();
    await replay.query(
      `INSERT INTO interlink.inbox (consumer, event_id, stream_id, type, topic, kafka_partition, kafka_offset, envelope)
       VALUES ($1, $2, 'case-9', 'police.suspect-identified.v1', 'police.immigration', 1, 50, '{}'::jsonb)`,
      [consumer, replayed],
    );
    let done = false;
    const starting = beginBatch(db.dataSource.manager, batch([replayed])).then((s) => ((done = true), s));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    await replay.commitTransaction();
    await replay.release();
    expect((await starting).applied).toEqual(new Set([replayed]));
  });
});

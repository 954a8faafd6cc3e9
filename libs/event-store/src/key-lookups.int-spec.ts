import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { uuidv7 } from '@interlink/contracts';
import { TestDatabase, createTestDatabase, rowsReadBy } from '@interlink/testing';
import { DataKeys } from './index';

/**
 * A lookup of many data keys probes the key of each record, also when `interlink.data_keys` has
 * no statistics (never analysed: autovacuum off, as on the CI machine's server, or a bulk load
 * just made). `ref = ANY(...)` was planned as a read of every key of the owner once more than
 * about 150 refs were wanted. The tests count the rows read (rowsReadBy), not time (real Postgres).
 */
describe('data key lookups without table statistics (real Postgres)', () => {
  const KEYS = 20_000;
  const keys = new DataKeys();
  let db: TestDatabase;
  let held: { ref: string; key: Buffer }[];

  beforeAll(async () => {
    db = await createTestDatabase('key_lookups');
    await db.dataSource.query(`ALTER TABLE interlink.data_keys SET (autovacuum_enabled = false)`);
    await db.dataSource.query(
      `INSERT INTO interlink.data_keys (owner, ref, key)
         SELECT owner, gen_random_uuid(), decode(md5(i::text) || md5(owner || i), 'hex')
           FROM generate_series(1, $1::int) AS i, unnest(ARRAY['police', 'immigration']) AS owner`,
      [KEYS / 2],
    );
    held = await db.dataSource.query(`SELECT ref::text, key FROM interlink.data_keys WHERE owner = 'police' ORDER BY ref LIMIT 300`);
  }, 60_000);
  afterAll(async () => db?.drop());

  const counted = <T>(work: (tx: EntityManager) => Promise<T>) => rowsReadBy(db.dataSource, 'data_keys', work);

  it('has no statistics to plan with (the condition the lookups must survive)', async () => {
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'interlink' AND tablename = 'data_keys'`);
    expect(n).toBe(0);
  });

  it('DataKeys.find of 300 records reads their keys only, and tells erased and unknown records apart', async () => {
    const erased = held[0].ref;
    await db.dataSource.transaction((tx) => keys.erase(tx, 'police', erased));
    const unknown = [uuidv7(), uuidv7()];
    const { result: found, read } = await counted((tx) => keys.find(tx, 'police', [...held.map((h) => h.ref), ...unknown, held[1].ref]));
    expect(found.size).toBe(held.length);
    expect(found.get(erased)).toBeNull();
    for (const { ref, key } of held.slice(1)) expect(found.get(ref)).toEqual(key);
    for (const ref of unknown) expect(found.has(ref)).toBe(false);
    expect(read.seq).toBe(0);
    expect(read.index).toBeLessThanOrEqual(held.length);
  });

  it('prepare_append for 300 new records stores their fresh keys and reads none back (NULL refs: seal with the fresh keys)', async () => {
    const fresh = Array.from({ length: 300 }, () => ({ ref: uuidv7(), key: randomBytes(32) }));
    const { result: [row], read } = await counted(
      (tx): Promise<{ version: number; refs: string[] | null; keys: Buffer[] | null }[]> =>
        tx.query(`SELECT version, refs, keys FROM interlink.prepare_append('lookups-new', '{}'::uuid[], true, NULL, 'police', $1::uuid[], $2::bytea[])`, [
          fresh.map((f) => f.ref),
          fresh.map((f) => f.key),
        ]),
    );
    expect(row).toEqual({ version: 0, refs: null, keys: null });
    const stored = await keys.find(db.dataSource.manager, 'police', fresh.map((f) => f.ref));
    for (const f of fresh) expect(stored.get(f.ref)).toEqual(f.key);
    // Nothing fetched: the conflict checks found no key, and no key was read back.
    expect(read).toEqual({ seq: 0, index: 0 });
  });

  it('prepare_append for 300 records (250 held, 50 new) returns the held keys and the fresh ones, reading no other key', async () => {
    const fresh = Array.from({ length: 50 }, () => ({ ref: uuidv7(), key: randomBytes(32) }));
    const wanted = [...held.slice(50), ...fresh];
    const offered = wanted.map(() => randomBytes(32));
    const { result: [row], read } = await counted(
      (tx): Promise<{ version: number; refs: string[]; keys: Buffer[] }[]> =>
        tx.query(`SELECT version, refs, keys FROM interlink.prepare_append('lookups-1', '{}'::uuid[], true, NULL, 'police', $1::uuid[], $2::bytea[])`, [
          wanted.map((w) => w.ref),
          wanted.map((w, i) => (i < 250 ? offered[i] : w.key)),
        ]),
    );
    expect(row.version).toBe(0);
    const returned = new Map(row.refs.map((ref, i) => [ref, row.keys[i]]));
    expect(returned.size).toBe(300);
    for (const w of wanted) expect(returned.get(w.ref)).toEqual(w.key);
    expect(read.seq).toBe(0);
    // The INSERT's conflict checks and the probes: at most a few per record, not the 10,000 of the owner.
    expect(read.index).toBeLessThanOrEqual(3 * wanted.length);
  });
});

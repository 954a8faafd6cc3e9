import { TestDatabase, createTestDatabase } from '@interlink/testing';
import { insertValues } from './index';

describe('insertValues (real Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('insert_values');
    await db.dataSource.query(`CREATE TABLE scratch_rows (id integer PRIMARY KEY, doc jsonb, raw bytea, at timestamptz)`);
  });
  afterAll(() => db.drop());

  it('writes each value as given: JSON text, bytes, NULL, a time', async () => {
    const raw = Buffer.from([0, 1, 2, 0xff, 0x5c, 0x22]);
    await insertValues(db.dataSource, `INSERT INTO scratch_rows (id, doc, raw, at)`, ['int', 'jsonb', 'bytea', 'timestamptz'], [
      [1, JSON.stringify({ name: 'Tan "Ah" Kow', path: 'a\\b', list: [1, 2] }), raw, '2024-01-15T08:30:00.000Z'],
      [2, null, null, null],
    ]);
    const rows = await db.dataSource.query(`SELECT id, doc, raw, at FROM scratch_rows WHERE id IN (1, 2) ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, doc: { name: 'Tan "Ah" Kow', path: 'a\\b', list: [1, 2] }, raw, at: new Date('2024-01-15T08:30:00.000Z') },
      { id: 2, doc: null, raw: null, at: null },
    ]);
  });

  it('splits rows over statements within the 65,535 parameters Postgres takes, and adds the tail to each', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => [1000 + i, `{"n": ${i}}`]);
    await insertValues(db.dataSource, `INSERT INTO scratch_rows (id, doc)`, ['int', 'jsonb'], rows, 'ON CONFLICT (id) DO NOTHING');
    // Again, with the rows of the first statement already there: the tail applies to every statement.
    await insertValues(db.dataSource, `INSERT INTO scratch_rows (id, doc)`, ['int', 'jsonb'], rows, 'ON CONFLICT (id) DO NOTHING');
    const [{ count, sum }] = await db.dataSource.query(`SELECT count(*)::int AS count, sum((doc->>'n')::int)::bigint::text AS sum FROM scratch_rows WHERE id >= 1000`);
    expect(count).toBe(40_000);
    expect(sum).toBe(String((40_000 * 39_999) / 2));
  });

  it('sends the last statement as `final` makes it, its parameters numbered after the rows\' own, in one statement with that chunk', async () => {
    await db.dataSource.query(`CREATE TABLE scratch_marks (name text PRIMARY KEY, at integer)`);
    const rows = Array.from({ length: 40_000 }, (_, i) => [100_000 + i, `{"n": ${i}}`]);
    const sent: string[] = [];
    const manager = { query: (sql: string, parameters?: unknown[]) => (sent.push(sql), db.dataSource.query(sql, parameters)) };
    await insertValues(manager, `INSERT INTO scratch_rows (id, doc)`, ['int', 'jsonb'], rows, '', {
      sql: (insert, next) => `WITH written AS (${insert} RETURNING id) INSERT INTO scratch_marks (name, at) SELECT $${next}, max(id) - $${next + 1}::int FROM written`,
      parameters: ['last chunk', 100_000],
    });
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^INSERT INTO scratch_rows/);
    expect(sent[1]).toMatch(/^WITH written AS \(INSERT INTO scratch_rows/);
    expect(await db.dataSource.query(`SELECT name, at FROM scratch_marks`)).toEqual([{ name: 'last chunk', at: 39_999 }]);
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM scratch_rows WHERE id >= 100000`);
    expect(count).toBe(40_000);
    await expect(insertValues(manager, `INSERT INTO scratch_rows (id, doc)`, ['int', 'jsonb'], [], '', { sql: () => 'SELECT 1', parameters: [] })).rejects.toThrow(
      'no rows to carry the final statement: INSERT INTO scratch_rows (id, doc)',
    );
  });

  it('refuses a row whose values do not match the columns, before sending anything', async () => {
    await expect(insertValues(db.dataSource, `INSERT INTO scratch_rows (id, doc)`, ['int', 'jsonb'], [[5, '{}'], [6]])).rejects.toThrow(
      'a row of 1 values for 2 columns: INSERT INTO scratch_rows (id, doc)',
    );
    expect(await db.dataSource.query(`SELECT id FROM scratch_rows WHERE id IN (5, 6)`)).toEqual([]);
  });
});

import { Pool } from 'pg';
import { TestDatabase, createTestDatabase } from '@interlink/testing';
import { StatementCachingClient } from './index';

/** The connection's prepared statements (pg_prepared_statements), by text. */
async function preparedTexts(client: StatementCachingClient): Promise<string[]> {
  return (await client.query(`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`)).rows.map((r: { statement: string }) => r.statement);
}

describe('StatementCachingClient (real Postgres)', () => {
  let db: TestDatabase;
  const clients: StatementCachingClient[] = [];
  const connect = async (statementCache?: number) => {
    const client = new StatementCachingClient({ connectionString: db.url, statementCache });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase('statement_cache');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await db?.drop();
  });

  it('prepares a statement with parameters at its second use, and answers as an unnamed one does', async () => {
    const client = await connect();
    const text = 'SELECT $1::int + 1 AS n';
    expect((await client.query(text, [1])).rows).toEqual([{ n: 2 }]);
    expect(await preparedTexts(client)).toEqual([]);
    expect((await client.query(text, [2])).rows).toEqual([{ n: 3 }]);
    expect((await client.query(text, [3])).rows).toEqual([{ n: 4 }]);
    expect(await preparedTexts(client)).toEqual([text]);
    // Without parameters (the simple protocol, several statements allowed) nothing is prepared.
    await client.query('SELECT 1; SELECT 2');
    await client.query('SELECT 1; SELECT 2');
    expect(await preparedTexts(client)).toEqual([text]);
  });

  it('keeps at most statementCache statements, and none with 0', async () => {
    const two = await connect(2);
    const none = await connect(0);
    for (const client of [two, none]) {
      for (const n of [1, 2, 3]) for (let i = 0; i < 2; i++) await client.query(`SELECT $1::int * ${n} AS n`, [i]);
    }
    expect(await preparedTexts(two)).toEqual(['SELECT $1::int * 1 AS n', 'SELECT $1::int * 2 AS n']);
    expect(await preparedTexts(none)).toEqual([]);
    expect((await two.query('SELECT $1::int * 3 AS n', [5])).rows).toEqual([{ n: 15 }]);
  });

  it('fails a prepared statement once when DDL changed its result, then prepares it afresh', async () => {
    const client = await connect();
    await client.query('CREATE TABLE cached_shape (a int)');
    await client.query('INSERT INTO cached_shape VALUES (1)');
    const text = 'SELECT * FROM cached_shape WHERE a = $1';
    await client.query(text, [1]);
    expect((await client.query(text, [1])).rows).toEqual([{ a: 1 }]);
    await client.query('ALTER TABLE cached_shape ADD COLUMN b int DEFAULT 7');
    await expect(client.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
    expect((await client.query(text, [1])).rows).toEqual([{ a: 1, b: 7 }]);
    expect((await client.query(text, [1])).rows).toEqual([{ a: 1, b: 7 }]);
  });

  it('serves a pg pool, callbacks included', async () => {
    const pool = new Pool({ connectionString: db.url, max: 1, Client: StatementCachingClient } as unknown as ConstructorParameters<typeof Pool>[0]);
    try {
      for (const x of [1, 2]) expect((await pool.query('SELECT $1::text AS x', [`v${x}`])).rows).toEqual([{ x: `v${x}` }]);
      const viaCallback = await new Promise((resolve, reject) => pool.query('SELECT $1::text AS x', ['cb'], (error, result) => (error ? reject(error) : resolve(result.rows))));
      expect(viaCallback).toEqual([{ x: 'cb' }]);
      const [{ n }] = (await pool.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, ['SELECT $1::text AS x'])).rows;
      expect(n).toBe(1);
    } finally {
      await pool.end();
    }
  });
});

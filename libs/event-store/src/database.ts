import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';

export interface DatabaseOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** TypeORM entities of the service's read models. */
  entities?: DataSourceOptions['entities'];
  /** Name for pg_stat_activity, e.g. `interlink-police`. */
  applicationName?: string;
}

/** Creates the database named in `url` when it does not exist yet (needs CREATEDB). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    throw new Error(`database name "${name}" in the database URL is not a plain identifier`);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        // Another process created it between the check and the create.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities ?? [],
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, application_name: options.applicationName ?? 'interlink' },
  });
}

/** Most parameters Postgres takes in one statement. */
const MAX_PARAMETERS = 65_535;

/**
 * Inserts `rows` as multi-row `VALUES` lists, each value its own parameter cast as `casts` says
 * (`INSERT ... VALUES ($1::uuid, $2::jsonb), ($3::uuid, $4::jsonb) <tail>`), in as few
 * statements as Postgres's parameter limit allows. Preferred to `unnest` over array parameters:
 * pg escapes each array into one literal that Postgres parses again, which for rows holding JSON
 * or bytes cost a fifth more time in both (measured on inbox-shaped rows); a Buffer goes as a
 * binary parameter instead of hex text in an array.
 */
export async function insertValues(
  manager: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  insert: string,
  casts: readonly string[],
  rows: readonly (readonly unknown[])[],
  tail = '',
): Promise<void> {
  const uneven = rows.find((row) => row.length !== casts.length);
  if (uneven) throw new Error(`a row of ${uneven.length} values for ${casts.length} columns: ${insert}`);
  const perStatement = Math.floor(MAX_PARAMETERS / casts.length);
  for (let from = 0; from < rows.length; from += perStatement) {
    const part = rows.slice(from, from + perStatement);
    const parameters: unknown[] = [];
    const lists = part.map((row) => {
      const first = parameters.length;
      parameters.push(...row);
      return `(${casts.map((cast, i) => `$${first + i + 1}::${cast}`).join(', ')})`;
    });
    await manager.query(`${insert} VALUES ${lists.join(', ')} ${tail}`, parameters);
  }
}

/** What runs a prepared statement: an EntityManager, or a pg client. */
type Queryable = { queryRunner?: unknown; query(sql: string, parameters?: unknown[]): Promise<unknown> };

/**
 * Runs `text` as a named, server-side prepared statement on the connection of `manager`'s
 * transaction: Postgres parses and plans it once per connection instead of at every call. For
 * a 100-row INSERT of events that was a third of Postgres's CPU for the statement (3.1 -> 2.1 ms,
 * the same rows, 3 alternating rounds; see the README). `name` must stand for this `text` only (pg refuses a name
 * reused for another text). Outside a transaction (no query runner) the statement runs unnamed.
 * A failure is the driver's error (`code` is Postgres's SQLSTATE), as TypeORM's carries it.
 */
export async function queryPrepared<T = Record<string, unknown>>(manager: Queryable, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner as { connect(): Promise<PreparingClient> } | undefined;
  if (!runner) return (await manager.query(text, values)) as T[];
  const client = await runner.connect();
  return (await client.query({ name, text, values })).rows as T[];
}

interface PreparingClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

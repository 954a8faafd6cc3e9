import { DataSource, EntityManager } from 'typeorm';
import { Catalog, CatalogColumn, MemoryTables } from './memory-tables';

/** Rows per INSERT when tables held in memory are written out. */
const ROWS_PER_STATEMENT = 2000;

/**
 * The columns of a projection's tables in `schema` as the database defines them: types, NOT
 * NULL, defaults (constants evaluated once; expressions such as now() left to the database),
 * and what the in-memory fold would not enforce (unique indexes besides the key, foreign keys,
 * exclusion constraints, triggers).
 */
export async function readCatalog(m: EntityManager, schema: string, tables: string[]): Promise<Catalog> {
  const columns: { table: string; name: string; type: string; nullable: boolean; expression: string | null }[] = await m.query(
    `SELECT c.relname AS "table", a.attname AS name, t.typname AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS expression
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema, tables],
  );
  const extras: { table: string; unsupported: string | null }[] = await m.query(
    `SELECT c.relname AS "table", concat_ws('; ',
              (SELECT 'unique index ' || string_agg(i.relname, ', ') FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = c.oid AND x.indisunique AND NOT x.indisprimary),
              (SELECT 'constraint ' || string_agg(conname, ', ') FROM pg_constraint WHERE conrelid = c.oid AND contype IN ('f', 'x')),
              (SELECT 'trigger ' || string_agg(tgname, ', ') FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal)) AS unsupported
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2)`,
    [schema, tables],
  );
  const catalog: Catalog = new Map();
  for (const { table, unsupported } of extras) catalog.set(table, { columns: [], ...(unsupported ? { unsupported: `it has ${unsupported}` } : {}) });
  for (const column of columns) {
    const entry: CatalogColumn = { name: column.name, type: column.type, nullable: column.nullable };
    if (column.expression !== null) {
      // A default without a function call is a constant: evaluate it once. Anything else (now(), nextval()) is per row.
      if (column.expression.includes('(')) {
        entry.default = { expression: column.expression };
      } else {
        const [{ value }] = await m.query(`SELECT to_json(${column.expression}) AS value`);
        entry.default = { value };
      }
    }
    catalog.get(column.table)!.columns.push(entry);
  }
  return catalog;
}

/**
 * Writes every row the fold holds into the tables of `schema`, a few thousand rows per INSERT:
 * the rows travel as one JSON document per statement, which `json_populate_recordset` turns
 * into the table's types as the per-event path's parameters would have been. The INSERTs go
 * over `connections` connections at once, each committed on its own: for tables nobody else reads
 * until the writer is done (a rebuild's shadow schema, a replay's scratch schema), where Postgres,
 * not Node, is what the writing waits for, and one connection keeps one core busy.
 */
export function writeTables(dataSource: DataSource, schema: string, tables: MemoryTables, connections = 1): Promise<number> {
  return sendInserts(inserts(schema, tables), connections, (sql, json) => dataSource.query(sql, [json]));
}

/**
 * Sends the INSERTs, `senders` at a time; the rows written. After a failure the other senders
 * stop once their statement is done, and the first error is thrown when all have stopped, so that
 * nothing is still writing when the caller hears of it.
 */
export async function sendInserts(pending: Iterator<Insert>, senders: number, send: (sql: string, json: string) => Promise<unknown>): Promise<number> {
  let written = 0;
  let failed = false;
  const sender = async () => {
    try {
      for (let next = pending.next(); !next.done && !failed; next = pending.next()) {
        await send(next.value.sql, next.value.json());
        written += next.value.rows;
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, senders) }, sender));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return written;
}

export interface Insert {
  sql: string;
  /** The rows as the statement's one parameter, made when it is about to be sent. */
  json: () => string;
  rows: number;
}

/** The INSERTs that write the tables, ROWS_PER_STATEMENT rows each. */
function* inserts(schema: string, tables: MemoryTables): Generator<Insert> {
  for (const { table, columns, rows } of tables.contents()) {
    const names = columns.map((c) => `"${c.name}"`).join(', ');
    const floats = columns.filter((c) => c.kind === 'float4' || c.kind === 'float8').map((c) => c.name);
    const sql = `INSERT INTO "${schema}"."${table}" (${names}) SELECT ${names} FROM json_populate_recordset(NULL::"${schema}"."${table}", $1::json)`;
    for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(from, from + ROWS_PER_STATEMENT);
      const json = () => {
        // JSON has no NaN or infinities; Postgres reads them from strings.
        const nonFinite = chunk.some((row) => floats.some((name) => typeof row[name] === 'number' && !Number.isFinite(row[name])));
        return JSON.stringify(chunk, nonFinite ? (_, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value) : undefined);
      };
      yield { sql, json, rows: chunk.length };
    }
  }
}

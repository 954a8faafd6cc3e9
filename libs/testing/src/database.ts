import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { Migration, createDataSource, ensureDatabase, eventStoreMigrations, migrate } from '@interlink/event-store';
import { messagingMigrations } from '@interlink/messaging';
import { projectionMigrations } from '@interlink/projections';
import { randomSuffix } from './names';

/** Server the tests create their databases on (TEST_DATABASE_URL, any database on it). */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export const foundationMigrations: Migration[] = [...eventStoreMigrations, ...messagingMigrations, ...projectionMigrations];

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh database with the foundation's tables, dropped at the end of the test file. */
export async function createTestDatabase(label: string, entities: Function[] = []): Promise<TestDatabase> {
  const name = `interlink_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomSuffix()}`;
  const url = databaseUrl(name);
  await ensureDatabase(url);
  const dataSource = createDataSource({ url, entities, poolSize: 8, applicationName: `test-${label}` });
  await dataSource.initialize();
  await migrate(dataSource, foundationMigrations);
  return {
    name,
    url,
    dataSource,
    async drop() {
      await dataSource.destroy().catch(() => undefined);
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * Runs `work` in a transaction and counts the rows it read from `interlink.<table>`, by
 * sequential scans and by index scans (pg_stat_xact_user_tables), so a test can tell a probe per
 * key from a read of the whole table without timing anything. The counters are the connection's
 * not yet reported to the server, which may include an earlier transaction's: the difference
 * across `work` is its own.
 */
export async function rowsReadBy<T>(dataSource: DataSource, table: string, work: (tx: EntityManager) => Promise<T>): Promise<{ result: T; read: { seq: number; index: number } }> {
  return dataSource.transaction(async (tx) => {
    const counters = async (): Promise<{ seq: number; index: number }> =>
      (
        await tx.query(
          `SELECT coalesce(sum(seq_tup_read), 0)::int AS seq, coalesce(sum(idx_tup_fetch), 0)::int AS index
             FROM pg_stat_xact_user_tables WHERE schemaname = 'interlink' AND relname = $1`,
          [table],
        )
      )[0];
    const before = await counters();
    const result = await work(tx);
    const after = await counters();
    return { result, read: { seq: after.seq - before.seq, index: after.index - before.index } };
  });
}

import { Client } from 'pg';
import { DataSource } from 'typeorm';
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

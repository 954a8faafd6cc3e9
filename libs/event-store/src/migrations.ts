import { DataSource } from 'typeorm';

export interface Migration {
  /** Unique and never changed once released, e.g. `event-store/001-events`. */
  id: string;
  sql: string;
}

/**
 * Applies, in order, the migrations not yet recorded in `interlink.migrations`. An advisory lock
 * makes concurrent starts of several instances safe; each migration commits with its record.
 */
export async function migrate(dataSource: DataSource, migrations: Migration[]): Promise<string[]> {
  const applied: string[] = [];
  await dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('interlink.migrations'))`);
    await manager.query(`CREATE SCHEMA IF NOT EXISTS interlink`);
    await manager.query(
      `CREATE TABLE IF NOT EXISTS interlink.migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set<string>(
      (await manager.query(`SELECT id FROM interlink.migrations`)).map((row: { id: string }) => row.id),
    );
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await manager.query(migration.sql);
      await manager.query(`INSERT INTO interlink.migrations (id) VALUES ($1)`, [migration.id]);
      applied.push(migration.id);
    }
  });
  return applied;
}

import { DataSource } from 'typeorm';
import { dataKeysMigration, ensureDatabase, migrate, poolOptions } from '@interlink/event-store';
import { messagingMigrations } from '@interlink/messaging';
import { ConsoleConfig } from '../config';
import { consoleMigrations } from './schema';

/**
 * Everything the console's database holds: the consumer's inbox, checkpoints and parking, the
 * data keys partners delivered (when they grant the task force personal data), and the read model.
 */
export const consoleDatabaseMigrations = [...messagingMigrations, dataKeysMigration(), ...consoleMigrations];

/** Opens the console's database, creating and migrating it first if needed. */
export async function openConsoleDatabase(config: Pick<ConsoleConfig, 'databaseUrl' | 'poolSize' | 'agencyId' | 'statementCache'>): Promise<DataSource> {
  await ensureDatabase(config.databaseUrl);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: config.databaseUrl,
    synchronize: false,
    logging: false,
    extra: poolOptions({ max: config.poolSize, applicationName: `interlink-${config.agencyId}-console`, statementCache: config.statementCache }),
  }).initialize();
  await migrate(dataSource, consoleDatabaseMigrations);
  return dataSource;
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { AuthSettings, ConfigError, agency, authFromEnv, consumerMaxWaitMs, defaultDatabaseUrl, integer, kafkaFromEnv, observabilityConfig, statementCacheFromEnv } from '@interlink/agency-kit';
import { KafkaSettings } from '@interlink/messaging';
import { ObservabilitySettings } from '@interlink/observability';

/** The agencies whose releases the console reads, with the role (the code) each runs. */
export const SENDER_ROLES = ['police', 'immigration', 'foreign-ministry'] as const;
export type SenderRole = (typeof SENDER_ROLES)[number];

export interface Sender {
  agencyId: string;
  role: SenderRole;
}

/** Everything the console reads from its environment, read and checked once at start. */
export interface ConsoleConfig {
  /** The task force's agency id (AGENCY_ID, default `task-force`): it reads `intel.<sender>.<this id>`. */
  agencyId: string;
  host: string;
  port: number;
  databaseUrl: string;
  kafka: KafkaSettings;
  senders: Sender[];
  poolSize: number;
  /** Statements each database connection keeps prepared (DB_STATEMENT_CACHE; 0: none). */
  statementCache: number;
  consumerMaxWaitMs: number;
  consumerMaxAttempts: number;
  consumerBackoffMs: number;
  /** How long an event with sealed personal data waits for its key (CONSUMER_KEY_WAIT_MS). */
  consumerKeyWaitMs: number;
  topicPartitions: number;
  topicReplicationFactor: number;
  keyTopicCompactionLagMs: number;
  /** Partners' public keys: every event is checked against its sender's key before it is shown. */
  trustedKeysDir: string;
  auth: AuthSettings;
  /** The built web page (CONSOLE_UI_DIR, default the package's `dist/ui`). */
  uiDir: string;
  /** LOG_LEVEL, LOG_FORMAT and the OTEL_* variables. */
  observability: ObservabilitySettings;
}

export const DEFAULT_CONSOLE_PORT = 3004;

/** The package folder (this file is in `src/` when run from source and in `dist/` when built). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_UI_DIR = path.join(PACKAGE_ROOT, 'dist', 'ui');

export function consoleConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const agencyId = agency(env, 'AGENCY_ID', 'task-force');
  const databaseUrl = env.DATABASE_URL || defaultDatabaseUrl(agencyId);
  if (!/^postgres(ql)?:\/\/[^/]+\/[A-Za-z_][A-Za-z0-9_-]*(\?.*)?$/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must look like postgres://user:password@host:5432/database, got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`);
  }
  const senders: Sender[] = [
    { agencyId: agency(env, 'POLICE_AGENCY_ID', 'police'), role: 'police' },
    { agencyId: agency(env, 'IMMIGRATION_AGENCY_ID', 'immigration'), role: 'immigration' },
    { agencyId: agency(env, 'FOREIGN_MINISTRY_AGENCY_ID', 'foreign-ministry'), role: 'foreign-ministry' },
  ];
  const clash = senders.find((s) => s.agencyId === agencyId);
  if (clash) throw new ConfigError(`AGENCY_ID "${agencyId}" is also the ${clash.role} agency's id; the task force needs an id of its own`);
  const keysDir = env.KEYS_DIR || 'deploy/local/.data/keys';
  const uiDir = path.resolve(env.CONSOLE_UI_DIR || DEFAULT_UI_DIR);
  if (env.CONSOLE_UI_DIR && !existsSync(path.join(uiDir, 'index.html'))) {
    throw new ConfigError(`CONSOLE_UI_DIR must be a folder holding the built page (index.html), got "${env.CONSOLE_UI_DIR}"`);
  }
  return {
    agencyId,
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', DEFAULT_CONSOLE_PORT, 0, 65535),
    databaseUrl,
    kafka: kafkaFromEnv(agencyId, env),
    senders,
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 200),
    statementCache: statementCacheFromEnv(env),
    consumerMaxWaitMs: consumerMaxWaitMs(env),
    consumerMaxAttempts: integer(env, 'CONSUMER_MAX_ATTEMPTS', 3, 1, 100),
    consumerBackoffMs: integer(env, 'CONSUMER_BACKOFF_MS', 200, 0, 60000),
    consumerKeyWaitMs: integer(env, 'CONSUMER_KEY_WAIT_MS', 10_000, 0, 600_000),
    topicPartitions: integer(env, 'KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
    // -1: the cluster's default.replication.factor (3 on the local 3-node cluster).
    topicReplicationFactor: integer(env, 'KAFKA_REPLICATION_FACTOR', -1, 1, 10),
    keyTopicCompactionLagMs: integer(env, 'KEY_TOPIC_COMPACTION_LAG_MS', 3600_000, 100, 7 * 24 * 3600_000),
    trustedKeysDir: env.TRUSTED_KEYS_DIR || keysDir,
    auth: authFromEnv(env),
    uiDir,
    observability: observabilityConfig(agencyId, env),
  };
}

/** The role of a sender by agency id; for an unknown sender, the role its event types name. */
export function roleOf(config: Pick<ConsoleConfig, 'senders'>, agencyId: string, type?: string): string {
  const known = config.senders.find((s) => s.agencyId === agencyId);
  if (known) return known.role;
  const match = type ? /^intel\.([a-z0-9-]+)\./.exec(type) : null;
  return match ? match[1] : 'unknown';
}

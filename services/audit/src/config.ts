import { availableParallelism } from 'node:os';
import { AgencyRole } from '@interlink/contracts';
import { KafkaSettings } from '@interlink/messaging';
import { AuthSettings, agency, authFromEnv, consumerMaxWaitMs, defaultDatabaseUrl, integer, kafkaFromEnv, observabilityConfig, statementCacheFromEnv } from '@interlink/agency-kit';
import { ObservabilitySettings } from '@interlink/observability';

export type AuditedRole = Extract<AgencyRole, 'police' | 'immigration' | 'foreign-ministry'>;

export interface AuditConfig {
  agencyId: string;
  host: string;
  port: number;
  databaseUrl: string;
  kafka: KafkaSettings;
  /** The agencies whose logs are archived and verified, with the role (the code) each runs. */
  audited: { agencyId: string; role: AuditedRole }[];
  /** Public keys of the audited agencies. */
  trustedKeysDir: string;
  auth: AuthSettings;
  /** Compaction lag of the keys topics, as the agencies create them (KEY_TOPIC_COMPACTION_LAG_MS). */
  keyTopicCompactionLagMs: number;
  /** LOG_LEVEL, LOG_FORMAT and the OTEL_* variables. */
  observability: ObservabilitySettings;
  /** Worker threads that check events during verification (VERIFY_WORKERS; 0: all on the main thread). */
  verifyWorkers: number;
  /** The broker's fetch wait of the archive's and the key receiver's consumers (CONSUMER_MAX_WAIT_MS). */
  consumerMaxWaitMs: number;
  /** Statements each database connection keeps prepared (DB_STATEMENT_CACHE; 0: none). */
  statementCache: number;
}

export function auditConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  const agencyId = agency(env, 'AGENCY_ID', 'audit');
  const kafka = kafkaFromEnv(agencyId, env);
  return {
    agencyId,
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 3005, 0, 65535),
    databaseUrl: env.DATABASE_URL || defaultDatabaseUrl(agencyId),
    kafka,
    audited: [
      { agencyId: agency(env, 'POLICE_AGENCY_ID', 'police'), role: 'police' },
      { agencyId: agency(env, 'IMMIGRATION_AGENCY_ID', 'immigration'), role: 'immigration' },
      { agencyId: agency(env, 'FOREIGN_MINISTRY_AGENCY_ID', 'foreign-ministry'), role: 'foreign-ministry' },
    ],
    trustedKeysDir: env.TRUSTED_KEYS_DIR || env.KEYS_DIR || 'deploy/local/.data/keys',
    auth: authFromEnv(env),
    keyTopicCompactionLagMs: integer(env, 'KEY_TOPIC_COMPACTION_LAG_MS', 3600_000, 100, 7 * 24 * 3600_000),
    observability: observabilityConfig(agencyId, env),
    verifyWorkers: integer(env, 'VERIFY_WORKERS', availableParallelism(), 0, 64),
    consumerMaxWaitMs: consumerMaxWaitMs(env),
    statementCache: statementCacheFromEnv(env),
  };
}

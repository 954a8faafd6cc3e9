import { AgencyRole, assertAgencyId, isAgencyId } from '@interlink/contracts';
import { join } from 'node:path';
import { DEFAULT_STATEMENT_CACHE } from '@interlink/event-store';
import { KafkaSettings, kafkaSettingsFromEnv } from '@interlink/messaging';
import { ObservabilitySettings, observabilityFromEnv } from '@interlink/observability';
import { DEV_ISSUER, DEV_ISSUER_FOLDER } from '@interlink/security';
import { AuthSettings } from './auth.guard';

/** The partner agencies a deployment talks to, by role. The task force only receives. */
export interface Partners {
  police: string;
  immigration: string;
  'foreign-ministry': string;
  'task-force': string;
}

/** The roles whose events an agency service consumes. */
export const SENDER_ROLES = ['police', 'immigration', 'foreign-ministry'] as const;

/** Everything a service reads from its environment, read and checked once at start. */
export interface AgencyConfig {
  role: AgencyRole;
  /** This deployment's agency id (AGENCY_ID, default the role: `police`; a partner country's is e.g. `kh-police`). */
  agencyId: string;
  host: string;
  port: number;
  databaseUrl: string;
  kafka: KafkaSettings;
  partners: Partners;
  poolSize: number;
  /** Statements each database connection keeps prepared (DB_STATEMENT_CACHE; 0: none, as a pooler in transaction mode needs). */
  statementCache: number;
  relayBatchSize: number;
  relayPollIntervalMs: number;
  relayLingerMs: number;
  consumerMaxWaitMs: number;
  consumerMaxAttempts: number;
  consumerBackoffMs: number;
  /**
   * How long a silent policy consumer keeps its partitions before the group rebalances them
   * (CONSUMER_SESSION_TIMEOUT_MS, default 30000; the broker refuses less than its
   * group.min.session.timeout.ms, 6000 by default).
   */
  consumerSessionTimeoutMs: number;
  topicPartitions: number;
  topicReplicationFactor: number;
  /** The auditors' agency id: they receive the whole log (AUDIT_AGENCY_ID, default `audit`). */
  auditAgencyId: string;
  /**
   * Agencies that may read the personal data this agency releases to them (PERSONAL_DATA_RECIPIENTS,
   * comma-separated; default the police, immigration and foreign-ministry partners and the auditors).
   * Any other recipient, such as the task force, gets person parts redacted.
   */
  personalDataRecipients: string[];
  /** How soon a destroyed data key is compacted out of the keys topics, in ms (KEY_TOPIC_COMPACTION_LAG_MS). */
  keyTopicCompactionLagMs: number;
  /** How long a consumer waits for the data key of a partner's event (CONSUMER_KEY_WAIT_MS). */
  consumerKeyWaitMs: number;
  /**
   * How long start-up waits for Kafka before the service starts without it (KAFKA_STARTUP_WAIT_MS);
   * it keeps connecting in the background, and readiness says Kafka is down meanwhile.
   */
  kafkaStartupWaitMs: number;
  signing: SigningSettings;
  auth: AuthSettings;
  /** LOG_LEVEL, LOG_FORMAT and the OTEL_* variables: how the service logs and traces. */
  observability: ObservabilitySettings;
}

/**
 * Where the agency's signing key and its partners' public keys come from. In development the
 * key is generated on first start into `keysDir` (git-ignored) and every local agency's public
 * key is found there too; in production the key comes from a file or the environment and the
 * partners' public keys from a directory the platform provides.
 */
export interface SigningSettings {
  keysDir: string;
  trustedKeysDir: string;
  /** SIGNING_KEY_FILE or SIGNING_KEY (PEM), with SIGNING_KEY_ID; a development key when absent. */
  keyFile?: string;
  keyPem?: string;
  keyId?: string;
}

export const DEFAULT_PORTS: Record<string, number> = { police: 3001, immigration: 3002, 'foreign-ministry': 3003 };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A whole number from the environment, or `fallback`; a ConfigError naming the variable otherwise. */
export function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** An agency id from the environment, or `fallback`; a ConfigError naming the variable otherwise. */
export function agency(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!isAgencyId(value)) {
    throw new ConfigError(`${name} must be an agency id (lower-case letters, digits, single hyphens, e.g. "kh-police"), got "${value}"`);
  }
  return value;
}

/** A comma-separated list of agency ids from the environment, or `fallback`. */
export function agencyList(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const ids = raw.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
  const bad = ids.filter((id) => !isAgencyId(id));
  if (bad.length > 0) throw new ConfigError(`${name} must list agency ids separated by commas; "${bad[0]}" is not one`);
  return ids;
}

/** Database of an agency on the local server: `interlink_<agency id with underscores>`. */
export function defaultDatabaseUrl(agencyId: string): string {
  return `postgres://postgres@127.0.0.1:5432/interlink_${assertAgencyId(agencyId).replace(/-/g, '_')}`;
}

export function agencyConfigFromEnv(role: AgencyRole, env: NodeJS.ProcessEnv = process.env): AgencyConfig {
  const agencyId = agency(env, 'AGENCY_ID', role);
  const databaseUrl = env.DATABASE_URL || defaultDatabaseUrl(agencyId);
  if (!/^postgres(ql)?:\/\/[^/]+\/[A-Za-z_][A-Za-z0-9_-]*(\?.*)?$/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must look like postgres://user:password@host:5432/database, got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}"`);
  }
  const kafka = kafkaFromEnv(agencyId, env);
  const auditAgencyId = agency(env, 'AUDIT_AGENCY_ID', 'audit');
  return {
    role,
    agencyId,
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', DEFAULT_PORTS[role] ?? 3000, 0, 65535),
    databaseUrl,
    kafka,
    partners: {
      police: agency(env, 'POLICE_AGENCY_ID', 'police'),
      immigration: agency(env, 'IMMIGRATION_AGENCY_ID', 'immigration'),
      'foreign-ministry': agency(env, 'FOREIGN_MINISTRY_AGENCY_ID', 'foreign-ministry'),
      'task-force': agency(env, 'TASK_FORCE_AGENCY_ID', 'task-force'),
    },
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 200),
    statementCache: statementCacheFromEnv(env),
    relayBatchSize: integer(env, 'RELAY_BATCH_SIZE', 500, 1, 10000),
    relayPollIntervalMs: integer(env, 'RELAY_POLL_INTERVAL_MS', 1000, 10, 600000),
    relayLingerMs: integer(env, 'RELAY_LINGER_MS', 30, 0, 1000),
    consumerMaxWaitMs: consumerMaxWaitMs(env),
    consumerMaxAttempts: integer(env, 'CONSUMER_MAX_ATTEMPTS', 3, 1, 100),
    consumerBackoffMs: integer(env, 'CONSUMER_BACKOFF_MS', 200, 0, 60000),
    consumerSessionTimeoutMs: integer(env, 'CONSUMER_SESSION_TIMEOUT_MS', 30000, 6000, 3600_000),
    topicPartitions: integer(env, 'KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
    // -1: the cluster's default.replication.factor (3 on the local 3-node cluster).
    topicReplicationFactor: integer(env, 'KAFKA_REPLICATION_FACTOR', -1, 1, 10),
    auditAgencyId,
    personalDataRecipients: agencyList(env, 'PERSONAL_DATA_RECIPIENTS', [
      agency(env, 'POLICE_AGENCY_ID', 'police'),
      agency(env, 'IMMIGRATION_AGENCY_ID', 'immigration'),
      agency(env, 'FOREIGN_MINISTRY_AGENCY_ID', 'foreign-ministry'),
      auditAgencyId,
    ]),
    keyTopicCompactionLagMs: integer(env, 'KEY_TOPIC_COMPACTION_LAG_MS', 3600_000, 100, 7 * 24 * 3600_000),
    consumerKeyWaitMs: integer(env, 'CONSUMER_KEY_WAIT_MS', 10_000, 0, 600_000),
    kafkaStartupWaitMs: integer(env, 'KAFKA_STARTUP_WAIT_MS', 10_000, 0, 600_000),
    signing: signingFromEnv(env),
    auth: authFromEnv(env),
    observability: observabilityConfig(agencyId, env),
  };
}

/** The Kafka client settings of an agency's service; a ConfigError says what is wrong. */
export function kafkaFromEnv(agencyId: string, env: NodeJS.ProcessEnv): KafkaSettings {
  try {
    return kafkaSettingsFromEnv(`interlink-${agencyId}`, env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** How a service logs and traces (LOG_LEVEL, LOG_FORMAT, OTEL_*); a ConfigError says what is wrong. */
export function observabilityConfig(agencyId: string, env: NodeJS.ProcessEnv): ObservabilitySettings {
  try {
    return observabilityFromEnv(agencyId, env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** Tokens come from AUTH_ISSUER, checked with its public keys in AUTH_KEYS_DIR (default: the development issuer's). */
export function authFromEnv(env: NodeJS.ProcessEnv): AuthSettings {
  return {
    issuer: env.AUTH_ISSUER || DEV_ISSUER,
    keysDir: env.AUTH_KEYS_DIR || join(env.KEYS_DIR || 'deploy/local/.data/keys', DEV_ISSUER_FOLDER),
    ratePerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1, 1_000_000),
    rateBurst: integer(env, 'RATE_LIMIT_BURST', 200, 1, 100_000),
  };
}

function signingFromEnv(env: NodeJS.ProcessEnv): SigningSettings {
  const keysDir = env.KEYS_DIR || 'deploy/local/.data/keys';
  const production = Boolean(env.SIGNING_KEY_FILE || env.SIGNING_KEY);
  if (production && !env.SIGNING_KEY_ID) {
    throw new ConfigError('SIGNING_KEY_ID is required with SIGNING_KEY_FILE or SIGNING_KEY: name the key (e.g. police:2026-11) so that recipients can find its public key');
  }
  return {
    keysDir,
    trustedKeysDir: env.TRUSTED_KEYS_DIR || keysDir,
    ...(env.SIGNING_KEY_FILE ? { keyFile: env.SIGNING_KEY_FILE } : {}),
    ...(env.SIGNING_KEY ? { keyPem: env.SIGNING_KEY } : {}),
    ...(env.SIGNING_KEY_ID ? { keyId: env.SIGNING_KEY_ID } : {}),
  };
}

/** The agency ids of the partners this agency consumes from (every partner but itself). */
export function partnerIds(config: Pick<AgencyConfig, 'partners' | 'agencyId'>): string[] {
  return [...new Set(SENDER_ROLES.map((role) => config.partners[role]))].filter((id) => id !== config.agencyId);
}

/** DB_STATEMENT_CACHE: statements each database connection keeps prepared (0: none). */
export function statementCacheFromEnv(env: NodeJS.ProcessEnv): number {
  return integer(env, 'DB_STATEMENT_CACHE', DEFAULT_STATEMENT_CACHE, 0, 10000);
}

/**
 * CONSUMER_MAX_WAIT_MS: how long the broker holds a fetch that finds nothing new. A fetch returns
 * as soon as a message arrives, so this costs no latency; it only sets how often an idle consumer
 * asks again. At 500 ms instead of 100 the idle stack on the bench machine used 0.23 cores
 * instead of 0.35, with the same latencies under load (README, Benchmarks).
 */
export function consumerMaxWaitMs(env: NodeJS.ProcessEnv): number {
  return integer(env, 'CONSUMER_MAX_WAIT_MS', 500, 0, 10000);
}

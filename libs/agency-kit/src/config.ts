import { AgencyRole, assertAgencyId, isAgencyId } from '@interlink/contracts';
import { KafkaSettings, kafkaSettingsFromEnv } from '@interlink/messaging';

/** The partner agencies a deployment talks to, by role. */
export interface Partners {
  police: string;
  immigration: string;
  'foreign-ministry': string;
}

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
  relayBatchSize: number;
  relayPollIntervalMs: number;
  consumerMaxWaitMs: number;
  consumerMaxAttempts: number;
  consumerBackoffMs: number;
  topicPartitions: number;
  topicReplicationFactor: number;
}

export const DEFAULT_PORTS: Record<string, number> = { police: 3001, immigration: 3002, 'foreign-ministry': 3003 };

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function agency(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!isAgencyId(value)) {
    throw new ConfigError(`${name} must be an agency id (lower-case letters, digits, single hyphens, e.g. "kh-police"), got "${value}"`);
  }
  return value;
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
  let kafka: KafkaSettings;
  try {
    kafka = kafkaSettingsFromEnv(`interlink-${agencyId}`, env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
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
    },
    poolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 200),
    relayBatchSize: integer(env, 'RELAY_BATCH_SIZE', 500, 1, 10000),
    relayPollIntervalMs: integer(env, 'RELAY_POLL_INTERVAL_MS', 1000, 10, 600000),
    consumerMaxWaitMs: integer(env, 'CONSUMER_MAX_WAIT_MS', 100, 0, 10000),
    consumerMaxAttempts: integer(env, 'CONSUMER_MAX_ATTEMPTS', 3, 1, 100),
    consumerBackoffMs: integer(env, 'CONSUMER_BACKOFF_MS', 200, 0, 60000),
    topicPartitions: integer(env, 'KAFKA_TOPIC_PARTITIONS', 3, 1, 1000),
    topicReplicationFactor: integer(env, 'KAFKA_REPLICATION_FACTOR', 1, 1, 10),
  };
}

/** The agency ids of the partners this agency consumes from (every partner but itself). */
export function partnerIds(config: AgencyConfig): string[] {
  return [...new Set(Object.values(config.partners))].filter((id) => id !== config.agencyId);
}

import { AgencyRole, assertAgencyId } from '@interlink/contracts';
import { KafkaSettings, kafkaSettingsFromEnv } from '@interlink/messaging';
import { ConfigError, defaultDatabaseUrl } from '@interlink/agency-kit';

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
}

export function auditConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  const agencyId = env.AGENCY_ID || 'audit';
  const id = (name: string, fallback: string) => {
    try {
      return assertAgencyId(env[name] || fallback);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  };
  const port = Number(env.PORT || 3005);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
  let kafka: KafkaSettings;
  try {
    kafka = kafkaSettingsFromEnv(`interlink-${agencyId}`, env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    agencyId: id('AGENCY_ID', 'audit'),
    host: env.HOST || '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL || defaultDatabaseUrl(agencyId),
    kafka,
    audited: [
      { agencyId: id('POLICE_AGENCY_ID', 'police'), role: 'police' },
      { agencyId: id('IMMIGRATION_AGENCY_ID', 'immigration'), role: 'immigration' },
      { agencyId: id('FOREIGN_MINISTRY_AGENCY_ID', 'foreign-ministry'), role: 'foreign-ministry' },
    ],
    trustedKeysDir: env.TRUSTED_KEYS_DIR || env.KEYS_DIR || 'deploy/local/.data/keys',
  };
}

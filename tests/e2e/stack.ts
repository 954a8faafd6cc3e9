import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INestApplication, LogLevel } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AgencyConfig, agencyConfigFromEnv, createAgencyApp } from '@interlink/agency-kit';
import { AgencyRole, EventEnvelope } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { Role as UserRole, devIssuer, issueToken } from '@interlink/security';
import { databaseUrl, randomSuffix, testAgencies, testServerUrl } from '@interlink/testing';

type Role = Extract<AgencyRole, 'police' | 'immigration' | 'foreign-ministry'>;

/** Requests to one service, with a bearer token (the agency's own by default; `null` for none). */
export type Http = (token?: string | null) => Pick<ReturnType<typeof request>, 'get' | 'post' | 'put' | 'delete'>;

function withToken(app: INestApplication, defaultToken: string): Http {
  return (token = defaultToken) => {
    const agent = request(app.getHttpServer());
    // Reads of personal data state a purpose; these tests read to check what the services did.
    const authorise = <T extends { set(name: string, value: string): T }>(test: T) =>
      token ? test.set('Authorization', `Bearer ${token}`).set('X-Purpose', 'end-to-end test') : test;
    return {
      get: (url: string) => authorise(agent.get(url)),
      post: (url: string) => authorise(agent.post(url)),
      put: (url: string) => authorise(agent.put(url)),
      delete: (url: string) => authorise(agent.delete(url)),
    } as ReturnType<Http>;
  };
}

export interface RunningAgency {
  id: string;
  config: AgencyConfig;
  app: INestApplication;
  http: Http;
  store: EventStore;
  dataSource: DataSource;
  /** Every event in the agency's log, in log order. */
  log(): Promise<EventEnvelope[]>;
}

export interface Stack {
  police: RunningAgency;
  immigration: RunningAgency;
  /** Absent unless the foreign ministry was asked for. */
  ministry: RunningAgency;
  /** Absent unless asked for with `audit: true`. */
  audit: { id: string; app: INestApplication; http: Http; dataSource: DataSource; env: NodeJS.ProcessEnv };
  /** The regional task force's agency id in this run: events released to it are redacted. */
  taskForce: string;
  /** A token from the development issuer, for any agency and roles. */
  token(agency: string, roles: UserRole[], user?: string): string;
  /** Where the agencies' development signing keys are (their public keys are trusted from there). */
  keysDir: string;
  /** Stops one agency's service and starts it again with the same configuration (e.g. after a key rotation). */
  restart(role: Role): Promise<RunningAgency>;
  stop(): Promise<void>;
}

// Loaded on demand, so a test that needs two agencies does not load the third.
const modules = {
  police: async (config: AgencyConfig) => {
    const { PoliceModule, POLICE_API } = await import('../../services/police/src/app.module');
    return [PoliceModule.forRoot(config), POLICE_API] as const;
  },
  immigration: async (config: AgencyConfig) => {
    const { ImmigrationModule, IMMIGRATION_API } = await import('../../services/immigration/src/app.module');
    return [ImmigrationModule.forRoot(config), IMMIGRATION_API] as const;
  },
  'foreign-ministry': async (config: AgencyConfig) => {
    const { ForeignMinistryModule, FOREIGN_MINISTRY_API } = await import('../../services/foreign-ministry/src/app.module');
    return [ForeignMinistryModule.forRoot(config), FOREIGN_MINISTRY_API] as const;
  },
};

/**
 * The three agency services, started in this process on ephemeral ports with their own fresh
 * databases and agency ids unique to this run, talking over the real Kafka broker.
 */
export async function startStack(
  roles: Role[] = ['police', 'immigration', 'foreign-ministry'],
  /** `logger`: the levels the services log at (errors only by default). */
  options: { audit?: boolean; env?: Record<string, string>; logger?: LogLevel[] } = {},
): Promise<Stack> {
  const agencies = testAgencies('police', 'immigration', 'foreign-ministry', 'audit', 'task-force');
  const run = randomSuffix();
  const keysDir = mkdtempSync(path.join(tmpdir(), 'interlink-keys-'));
  const issuer = devIssuer(keysDir);
  const token = (agency: string, roles: UserRole[], user = 'e2e-user') => issueToken(issuer, { sub: user, agency, roles });
  const shared = {
    ...process.env,
    POLICE_AGENCY_ID: agencies.police,
    IMMIGRATION_AGENCY_ID: agencies.immigration,
    FOREIGN_MINISTRY_AGENCY_ID: agencies['foreign-ministry'],
    AUDIT_AGENCY_ID: agencies.audit,
    TASK_FORCE_AGENCY_ID: agencies['task-force'],
    KEYS_DIR: keysDir,
    PORT: '0',
    CONSUMER_BACKOFF_MS: '50',
    // Tests call far faster than people do; the limit itself is tested with its own settings.
    RATE_LIMIT_BURST: '100000',
    ...options.env,
  };
  const started: Partial<Record<Role, RunningAgency>> = {};
  for (const role of roles) {
    const config = agencyConfigFromEnv(role, {
      ...shared,
      AGENCY_ID: agencies[role],
      DATABASE_URL: databaseUrl(`interlink_test_${role.replace('-', '_')}_${run}`),
    });
    started[role] = await launch(role, config, agencies[role]);
  }
  async function launch(role: Role, config: AgencyConfig, id: string): Promise<RunningAgency> {
    const [module, api] = await modules[role](config);
    const app = await createAgencyApp(module, { ...api, logger: options.logger ?? ['error'] });
    await app.listen(0, '127.0.0.1');
    const store = app.get(EventStore);
    const dataSource = app.get(DataSource);
    return {
      id,
      config,
      app,
      http: withToken(app, token(id, ['officer', 'analyst', 'supervisor'])),
      store,
      dataSource,
      log: async () => {
        const all: EventEnvelope[] = [];
        for (let after = undefined as Parameters<EventStore['readLog']>[0]; ; ) {
          const batch = await store.readLog(after, { limit: 1000 });
          all.push(...batch.map((e) => e.envelope));
          if (batch.length < 1000) return all;
          after = batch[batch.length - 1].logPosition;
        }
      },
    };
  }
  const running = () => Object.values(started);
  let audit: Stack['audit'] | undefined;
  const databases = running().map((a) => new URL(a.config.databaseUrl).pathname.slice(1));
  if (options.audit) {
    const env = { ...shared, AGENCY_ID: agencies.audit, DATABASE_URL: databaseUrl(`interlink_test_audit_${run}`), TRUSTED_KEYS_DIR: keysDir };
    const { createAuditApp } = await import('../../services/audit/src/main');
    const { auditConfigFromEnv } = await import('../../services/audit/src/config');
    const app = await createAuditApp(auditConfigFromEnv(env), options.logger ?? ['error']);
    await app.listen(0, '127.0.0.1');
    audit = { id: agencies.audit, app, http: withToken(app, token(agencies.audit, ['auditor'])), dataSource: app.get(DataSource), env };
    databases.push(`interlink_test_audit_${run}`);
  }
  return {
    get police() {
      return started.police!;
    },
    get immigration() {
      return started.immigration!;
    },
    get ministry() {
      return started['foreign-ministry']!;
    },
    audit: audit!,
    taskForce: agencies['task-force'],
    keysDir,
    token,
    async restart(role) {
      const old = started[role]!;
      await old.app.close();
      const agency = await launch(role, old.config, old.id);
      started[role] = agency;
      return agency;
    },
    async stop() {
      for (const agency of running()) await agency.app.close();
      await audit?.app.close();
      rmSync(keysDir, { recursive: true, force: true });
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      try {
        for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

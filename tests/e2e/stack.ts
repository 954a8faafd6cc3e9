import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AgencyConfig, agencyConfigFromEnv, createAgencyApp } from '@interlink/agency-kit';
import { AgencyRole, EventEnvelope } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { databaseUrl, randomSuffix, testAgencies, testServerUrl } from '@interlink/testing';

type Role = Extract<AgencyRole, 'police' | 'immigration' | 'foreign-ministry'>;

export interface RunningAgency {
  id: string;
  config: AgencyConfig;
  app: INestApplication;
  http: () => ReturnType<typeof request>;
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
export async function startStack(roles: Role[] = ['police', 'immigration', 'foreign-ministry']): Promise<Stack> {
  const agencies = testAgencies('police', 'immigration', 'foreign-ministry');
  const run = randomSuffix();
  const started: Partial<Record<Role, RunningAgency>> = {};
  for (const role of roles) {
    const config = agencyConfigFromEnv(role, {
      ...process.env,
      AGENCY_ID: agencies[role],
      POLICE_AGENCY_ID: agencies.police,
      IMMIGRATION_AGENCY_ID: agencies.immigration,
      FOREIGN_MINISTRY_AGENCY_ID: agencies['foreign-ministry'],
      DATABASE_URL: databaseUrl(`interlink_test_${role.replace('-', '_')}_${run}`),
      PORT: '0',
      CONSUMER_BACKOFF_MS: '50',
    });
    const [module, api] = await modules[role](config);
    const app = await createAgencyApp(module, { ...api, logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const store = app.get(EventStore);
    const dataSource = app.get(DataSource);
    started[role] = {
      id: agencies[role],
      config,
      app,
      http: () => request(app.getHttpServer()),
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
  const running = Object.values(started);
  return {
    police: started.police!,
    immigration: started.immigration!,
    ministry: started['foreign-ministry']!,
    async stop() {
      for (const agency of running) await agency.app.close();
      const admin = new Client({ connectionString: testServerUrl() });
      await admin.connect();
      try {
        for (const agency of running) {
          const name = new URL(agency.config.databaseUrl).pathname.slice(1);
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      } finally {
        await admin.end();
      }
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Admin, Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { EventEnvelope, agencySource, dataschemaFor, interlinkRegistry, topicFor, uuidv7 } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { Relay, TopicManager, createIdempotentProducer } from '@interlink/messaging';
import { GENESIS_HASH, Role, chainBatch, devIssuer, issueToken, loadOrCreateDevKey, signBatch } from '@interlink/security';
import { TestDatabase, createTestDatabase, databaseUrl, randomSuffix, testAgencies, testKafka, testServerUrl } from '@interlink/testing';
import { createConsoleApp } from '../src/bootstrap';
import { ConsoleConfig, SenderRole, consoleConfigFromEnv } from '../src/config';

/** A partner agency of the test: its own event store, whose relay publishes what it releases. */
export interface TestPartner {
  id: string;
  db: TestDatabase;
  store: EventStore;
  relay: Relay;
}

export interface Published {
  envelope: EventEnvelope;
}

export interface ConsoleFixture {
  agencies: Record<SenderRole | 'task-force', string>;
  config: ConsoleConfig;
  app: INestApplication;
  url: string;
  partners: Record<SenderRole, TestPartner>;
  kafka: Kafka;
  /** A token of the development issuer; the task force's analyst by default. */
  token(options?: { agency?: string; roles?: Role[]; user?: string }): string;
  /**
   * Appends an event to a partner's store, released to the task force (and to `alsoTo`), for its
   * relay to publish. Returns the stored envelope.
   */
  publish(
    role: SenderRole,
    stream: string,
    event: { type: string; data: unknown; time?: string },
    context?: { correlationId?: string; causationId?: string; classification?: 'AMBER' | 'GREEN' | 'AMBER+STRICT'; handling?: string[] },
  ): Promise<EventEnvelope>;
  /** Sends an envelope straight to `intel.<sender>.<task force>`, sealed with the sender's key (or as given, `sealed: false`). */
  publishDirect(role: SenderRole, envelope: EventEnvelope, options?: { sealed?: boolean; tamper?: (e: EventEnvelope) => void }): Promise<EventEnvelope>;
  /** A well-formed envelope from a partner, not yet sealed. */
  envelope(role: SenderRole, stream: string, event: { type: string; data: unknown }, context?: { correlationId?: string; causationId?: string }): EventEnvelope;
  stop(): Promise<void>;
}

/**
 * The console on an ephemeral port with its own database, and three partner agencies with their
 * own stores and relays, all with agency ids unique to this run, over the real Kafka broker.
 * The partners release personal data to the task force redacted, unless `grantPersonalData`.
 */
export async function startConsole(options: { uiDir?: string; grantPersonalData?: boolean } = {}): Promise<ConsoleFixture> {
  const agencies = testAgencies('police', 'immigration', 'foreign-ministry', 'task-force');
  const keysDir = mkdtempSync(path.join(tmpdir(), 'interlink-console-keys-'));
  const consoleDatabase = `interlink_test_console_${randomSuffix()}`;
  const config = consoleConfigFromEnv({
    ...process.env,
    AGENCY_ID: agencies['task-force'],
    POLICE_AGENCY_ID: agencies.police,
    IMMIGRATION_AGENCY_ID: agencies.immigration,
    FOREIGN_MINISTRY_AGENCY_ID: agencies['foreign-ministry'],
    DATABASE_URL: databaseUrl(consoleDatabase),
    KEYS_DIR: keysDir,
    PORT: '0',
    CONSUMER_BACKOFF_MS: '50',
    RATE_LIMIT_BURST: '100000',
    ...(options.uiDir ? { CONSOLE_UI_DIR: options.uiDir } : {}),
  });
  const kafka = testKafka('interlink-console-test');
  const admin: Admin = kafka.admin();
  await admin.connect();
  const producer: Producer = createIdempotentProducer(kafka);
  await producer.connect();
  const issuer = devIssuer(keysDir);

  const partners = {} as Record<SenderRole, TestPartner>;
  for (const role of ['police', 'immigration', 'foreign-ministry'] as const) {
    const db = await createTestDatabase(`console_${role.replace('-', '_')}`);
    const store = new EventStore(db.dataSource, interlinkRegistry(), agencies[role]);
    const relay = new Relay(kafka, new TopicManager(admin), db.dataSource, store, {
      databaseUrl: db.url,
      pollIntervalMs: 200,
      signingKey: loadOrCreateDevKey(keysDir, agencies[role]),
      // As the agencies are configured by default, the task force gets personal data redacted.
      entitledToPersonalData: (agency) => agency !== agencies['task-force'] || Boolean(options.grantPersonalData),
    });
    await relay.start();
    partners[role] = { id: agencies[role], db, store, relay };
  }

  const app = await createConsoleApp(config, ['error']);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  const directSequence: Record<string, { sequence: number; hash: string }> = {};
  const envelope: ConsoleFixture['envelope'] = (role, stream, event, context = {}) => {
    const registry = interlinkRegistry();
    return {
      specversion: '1.0',
      id: uuidv7(),
      source: agencySource(agencies[role]),
      type: event.type,
      dataschema: dataschemaFor(event.type, registry.has(event.type) ? registry.currentVersion(event.type) : 1),
      subject: stream,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: event.data,
      streamversion: 1,
      correlationid: context.correlationId ?? uuidv7(),
      causationid: context.causationId ?? uuidv7(),
      actor: `${agencies[role]}/test-officer`,
      classification: 'AMBER',
      handling: '',
      releasableto: agencies['task-force'],
    };
  };

  return {
    agencies,
    config,
    app,
    url,
    partners,
    kafka,
    token: ({ agency = agencies['task-force'], roles = ['analyst'] as Role[], user = 'analyst.lim' } = {}) => issueToken(issuer, { sub: user, agency, roles }),
    async publish(role, stream, event, context = {}) {
      const correlationId = context.correlationId ?? uuidv7();
      const result = await partners[role].store.append(stream, 'any', [{ type: event.type, data: event.data, ...(event.time ? { time: event.time } : {}) }], {
        correlationId,
        causationId: context.causationId ?? correlationId,
        actor: `${agencies[role]}/test-officer`,
        classification: context.classification ?? 'AMBER',
        handling: context.handling ?? [],
        releasableTo: [agencies['task-force']],
      });
      return result.events[0];
    },
    envelope,
    async publishDirect(role, given, { sealed = true, tamper } = {}) {
      const sender = `${agencies[role]}/direct`;
      const previous = directSequence[sender] ?? { sequence: 0, hash: GENESIS_HASH };
      let out: EventEnvelope = given;
      if (sealed) {
        const [chained] = chainBatch([{ ...given, sequence: previous.sequence + 1 }], previous.hash);
        [out] = signBatch(loadOrCreateDevKey(keysDir, agencies[role]), [chained]);
        directSequence[sender] = { sequence: previous.sequence + 1, hash: chained.hash };
      }
      const copy = structuredClone(out);
      tamper?.(copy);
      const topic = topicFor(agencies[role], agencies['task-force']);
      await new TopicManager(admin).ensure([topic]);
      await producer.send({ topic, acks: -1, messages: [{ key: copy.subject, value: JSON.stringify(copy) }] });
      return copy;
    },
    async stop() {
      await app.close();
      for (const partner of Object.values(partners)) {
        await partner.relay.stop();
        await partner.db.drop();
      }
      await producer.disconnect();
      await admin.disconnect();
      const server = new Client({ connectionString: testServerUrl() });
      await server.connect();
      try {
        await server.query(`DROP DATABASE IF EXISTS "${consoleDatabase}" WITH (FORCE)`);
      } finally {
        await server.end();
      }
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/** A person part as the task force receives it when personal data is withheld. */
export function withheld(ref: string, nationality: string | undefined, reason: 'redacted' | 'erased' = 'redacted', extra: Record<string, unknown> = {}) {
  return { ...extra, ...(nationality ? { nationality } : {}), withheld: reason, ref, digest: `sha256:${ref.replace(/-/g, '').padEnd(64, 'a').slice(0, 64)}` };
}

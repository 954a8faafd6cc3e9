import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TerminusModule } from '@nestjs/terminus';
import { AgencyAuthGuard, HealthController, ObservabilityModule, PartnerTrust, READINESS, Readiness, settleWithin } from '@interlink/agency-kit';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ensureDatabase, migrate, poolOptions } from '@interlink/event-store';
import { ConsumerHealth, KeyReceiver, PartitionLag, TopicManager, auditTopicMatcher, consumerLag, createKafka } from '@interlink/messaging';
import { AuditAccessLogInterceptor } from './access-log.interceptor';
import { ArchiveConsumer } from './archive/archive.consumer';
import { archiveMigrations } from './archive/archive.schema';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditConfig, auditConfigFromEnv } from './config';
import { ALL_READ_MODEL_ENTITIES } from './read-models';

export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
export const AUDIT_KAFKA = Symbol('AUDIT_KAFKA');

/** Opens the audit database (created and migrated if needed) with every agency's read-model entities, for replays. */
export async function openAuditDatabase(config: AuditConfig): Promise<DataSource> {
  await ensureDatabase(config.databaseUrl);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: config.databaseUrl,
    entities: ALL_READ_MODEL_ENTITIES,
    synchronize: false,
    logging: false,
    extra: poolOptions({ max: 10, applicationName: `interlink-${config.agencyId}`, statementCache: config.statementCache }),
  }).initialize();
  await migrate(dataSource, archiveMigrations);
  return dataSource;
}

/** Archives the audited agencies' feeds while the service runs. */
@Injectable()
export class ArchiveRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, Readiness {
  private consumer?: ArchiveConsumer;
  private keyReceiver?: KeyReceiver;
  private readonly logger = new Logger('ArchiveRuntime');
  private readonly admin;

  constructor(
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(AUDIT_KAFKA) private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
  ) {
    this.admin = kafka.admin();
  }

  /**
   * Starts archiving. The HTTP side (verifying, replaying, the history) needs only Postgres, so
   * the service starts even when the brokers do not answer or have not settled (a topic just made
   * is not served yet), and keeps trying every 3 s while readiness reports Kafka down.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.tryStartKafkaSide()) return;
    this.kafkaStart = (async () => {
      while (!this.stopping && !(await this.tryStartKafkaSide())) await new Promise((resolve) => setTimeout(resolve, 3000));
    })();
  }

  private kafkaStart?: Promise<void>;
  private kafkaRunning = false;

  private async tryStartKafkaSide(): Promise<boolean> {
    try {
      await this.startKafkaSide();
      this.kafkaRunning = true;
      return true;
    } catch (error) {
      this.logger.warn(`${this.config.agencyId}: Kafka not reachable: ${(error as Error).message}; archiving starts once it is`);
      await this.stopKafkaSide().catch(() => undefined);
      return false;
    }
  }

  private async startKafkaSide(): Promise<void> {
    await this.admin.connect();
    const topics = new TopicManager(this.admin, {
      partitions: 3,
      replicationFactor: -1,
      singlePartition: auditTopicMatcher(this.config.agencyId),
      // Whoever creates a keys topic first sets its compaction, so the auditors use the agencies' setting.
      keyTopicCompactionLagMs: this.config.keyTopicCompactionLagMs,
    });
    this.consumer = new ArchiveConsumer(this.kafka, topics, this.dataSource, this.config.agencyId, this.config.audited.map((a) => a.agencyId), this.config.consumerMaxWaitMs);
    // The keys to the personal data in the archive; an agency's signed erasure destroys the auditors' copy.
    this.keyReceiver = new KeyReceiver(this.kafka, topics, this.dataSource, {
      agencyId: this.config.agencyId,
      senders: this.config.audited.map((a) => a.agencyId),
      maxWaitTimeInMs: this.config.consumerMaxWaitMs,
      verify: new PartnerTrust(this.config.trustedKeysDir).verifyKeyDelivery,
      onError: (error) => this.logger.error(`key receiver: ${error.message}`),
      onRefused: (reason, where) => this.logger.warn(`key delivery refused at ${where.topic}/${where.partition}@${where.offset}: ${reason}`),
    });
    await this.keyReceiver.start();
    await this.consumer.start();
  }

  private async stopKafkaSide(): Promise<void> {
    await this.consumer?.stop();
    await this.keyReceiver?.stop();
    this.consumer = undefined;
    this.keyReceiver = undefined;
  }

  private stopping = false;

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async kafkaStatus() {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller, running: this.kafkaRunning };
  }

  async lag(): Promise<PartitionLag[]> {
    return this.consumer ? consumerLag(this.admin, this.consumer.groupId, this.consumer.topicNames) : [];
  }

  consumers(): Record<string, ConsumerHealth> {
    const idle = { running: false, restarts: 0 };
    return {
      [this.consumer?.groupId ?? 'archive']: this.consumer?.health() ?? idle,
      [this.keyReceiver?.name ?? 'keys']: this.keyReceiver?.health() ?? idle,
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await settleWithin(this.kafkaStart, 5000);
    await this.stopKafkaSide();
    await this.admin.disconnect();
  }
}

@Module({})
export class AuditModule {
  static forRoot(given?: AuditConfig): DynamicModule {
    const config = given ?? auditConfigFromEnv();
    return {
      module: AuditModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres', url: config.databaseUrl, entities: ALL_READ_MODEL_ENTITIES }),
          dataSourceFactory: () => openAuditDatabase(config),
        }),
        TerminusModule.forRoot({ logger: false }),
        // The archive's consumer group, as ArchiveConsumer names it; it parks nothing.
        ObservabilityModule.forRoot({ agencyId: config.agencyId, settings: config.observability, consumer: `${config.agencyId}-archive` }),
      ],
      controllers: [AuditController, HealthController],
      providers: [
        { provide: AUDIT_CONFIG, useValue: config },
        { provide: AUDIT_KAFKA, useFactory: () => createKafka(config.kafka) },
        {
          provide: AuditService,
          inject: [DataSource, AUDIT_KAFKA],
          useFactory: (dataSource: DataSource, kafka: Kafka) => new AuditService(config, dataSource, kafka),
        },
        ArchiveRuntime,
        { provide: READINESS, useExisting: ArchiveRuntime },
        { provide: APP_INTERCEPTOR, useClass: AuditAccessLogInterceptor },
        {
          provide: APP_GUARD,
          inject: [Reflector],
          useFactory: (reflector: Reflector) => new AgencyAuthGuard(reflector, config.auth, config.agencyId),
        },
      ],
      exports: [AuditService],
    };
  }
}

export const AUDIT_API = {
  title: 'Interlink audit service',
  description:
    "Archives every agency's signed, chained log from Kafka; verifies it (edited, missing, inserted, reordered or badly signed events, with the first bad position), " +
    'replays any agency\'s read models as of a moment with that agency\'s own code, traces a case across agencies, and exports JSON Lines and STIX 2.1.',
};

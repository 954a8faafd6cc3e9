import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventRegistry, topicFor } from '@interlink/contracts';
import { PartnerTrust, Readiness, settleWithin } from '@interlink/agency-kit';
import { ConsumerHealth, EventConsumer, KeyReceiver, PartitionLag, TopicManager, awaitDataKeys, consumerLag, personalDataOpener } from '@interlink/messaging';
import { ConsoleConfig } from '../config';
import { ConsoleProjector } from '../read-model/projector';
import { CONSOLE_CONFIG, CONSOLE_KAFKA } from '../tokens';

/** The console's consumer group and its key in the inbox and parking tables: `<agency id>-console`. */
export function consumerName(agencyId: string): string {
  return `${agencyId}-console`;
}

/**
 * Reads what each partner releases to the task force (`intel.<sender>.<task force>`), exactly
 * once: every event is verified against its sender's key (seal, signature, sender matching the
 * topic), checked against its contract, and recorded with its inbox entry and the partition's
 * checkpoint in one transaction (EventConsumer). What cannot be read or applied is parked with
 * the reason, as in every agency service.
 *
 * Personal data comes redacted unless a partner grants it to the task force; then it comes
 * sealed, with the records' keys on `keys.<sender>.<task force>` (KeyReceiver, which takes only
 * deliveries its sender signed), and is opened before it is recorded. An erased record's key is
 * destroyed and its data comes out erased.
 */
@Injectable()
export class IntakeRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, Readiness {
  private readonly logger = new Logger('Intake');
  readonly consumer: EventConsumer;
  readonly keyReceiver: KeyReceiver;
  readonly admin: Admin;
  readonly topics: string[];
  private connected = false;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    @Inject(CONSOLE_KAFKA) kafka: Kafka,
    dataSource: DataSource,
    registry: EventRegistry,
    projector: ConsoleProjector,
  ) {
    this.admin = kafka.admin();
    const topicManager = new TopicManager(this.admin, {
      partitions: config.topicPartitions,
      replicationFactor: config.topicReplicationFactor,
      keyTopicCompactionLagMs: config.keyTopicCompactionLagMs,
    });
    this.topics = config.senders.map((s) => topicFor(s.agencyId, config.agencyId));
    const trust = new PartnerTrust(config.trustedKeysDir);
    this.consumer = new EventConsumer(kafka, topicManager, dataSource, registry, {
      name: consumerName(config.agencyId),
      agencyId: config.agencyId,
      topics: this.topics,
      databaseUrl: config.databaseUrl,
      maxAttempts: config.consumerMaxAttempts,
      backoffMs: config.consumerBackoffMs,
      maxWaitTimeInMs: config.consumerMaxWaitMs,
      verify: trust.verify,
      beforeBatch: awaitDataKeys(dataSource, { keyWaitMs: config.consumerKeyWaitMs, receiving: () => this.keyReceiver.health().running }),
      open: personalDataOpener({ keyWaitMs: 0, registry }),
      handler: async (event, { manager }) => {
        await projector.record(event, manager);
      },
      onError: (error) => this.logger.error(`consumer: ${error.message}`),
    });
    this.keyReceiver = new KeyReceiver(kafka, topicManager, dataSource, {
      agencyId: config.agencyId,
      senders: config.senders.map((s) => s.agencyId),
      groupId: `${config.agencyId}-console-keys`,
      maxWaitTimeInMs: config.consumerMaxWaitMs,
      verify: trust.verifyKeyDelivery,
      onError: (error) => this.logger.error(`key receiver: ${error.message}`),
      onRefused: (reason, where) => this.logger.warn(`key delivery refused at ${where.topic}/${where.partition}@${where.offset}: ${reason}`),
    });
  }

  /**
   * Starts reading the feeds. The console serves what it has stored without Kafka, so it starts
   * even when the brokers do not answer or have not settled (a topic just made is not served
   * yet), and keeps trying every 3 s while readiness reports Kafka down.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.tryStartReading()) return;
    this.starting = (async () => {
      while (!this.stopping && !(await this.tryStartReading())) await new Promise((resolve) => setTimeout(resolve, 3000));
    })();
  }

  private starting?: Promise<void>;

  private async tryStartReading(): Promise<boolean> {
    try {
      await this.admin.connect();
      await this.keyReceiver.start();
      await this.consumer.start();
      this.connected = true;
      this.logger.log(`${this.config.agencyId}: reading ${this.topics.join(', ')}`);
      return true;
    } catch (error) {
      this.logger.warn(`${this.config.agencyId}: Kafka not reachable: ${(error as Error).message}; the feeds are read once it is`);
      await this.consumer.stop().catch(() => undefined);
      await this.keyReceiver.stop().catch(() => undefined);
      return false;
    }
  }

  private stopping = false;

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async kafkaStatus() {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller, running: this.connected };
  }

  lag(): Promise<PartitionLag[]> {
    return consumerLag(this.admin, this.consumer.name, this.topics);
  }

  consumers(): Record<string, ConsumerHealth> {
    return { [this.consumer.name]: this.consumer.health(), [this.keyReceiver.name]: this.keyReceiver.health() };
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await settleWithin(this.starting, 5000);
    await this.consumer.stop();
    await this.keyReceiver.stop();
    await this.admin.disconnect();
    this.connected = false;
  }
}

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventRegistry, PersonalDataErased, agencyOfSource, isErasureType, topicFor } from '@interlink/contracts';
import { EventStore, appendedMark, forgetAppendedSince } from '@interlink/event-store';
import { ConsumerHealth, EventConsumer, KeyReceiver, PartitionLag, Relay, RelayStatus, TopicManager, auditTopicMatcher, awaitDataKeys, consumerLag, personalDataOpener } from '@interlink/messaging';
import { inSpan } from '@interlink/observability';
import { Projection, ProjectionRunner } from '@interlink/projections';
import { AgencyConfig, partnerIds } from './config';
import { DecisionContext } from './decision-context';
import { Policy } from './policies';
import { Readiness } from './health.controller';
import { AGENCY_CONFIG, KAFKA } from './tokens';
import { PartnerTrust, signingKeyFor } from './trust';

export const AGENCY_PROJECTIONS = Symbol('AGENCY_PROJECTIONS');
export const AGENCY_POLICIES = Symbol('AGENCY_POLICIES');

/** The consumer (Kafka group) that applies partners' events through an agency's policies. */
export const policyConsumerName = (agencyId: string) => `${agencyId}-policies`;

/**
 * The moving parts of an agency service: projections of its own log, the relay that publishes
 * the log to partners, and the consumer that applies partners' events through its policies.
 * They start after the application has bootstrapped and stop before it shuts down.
 */
@Injectable()
export class AgencyRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown, Readiness {
  private readonly logger = new Logger('AgencyRuntime');
  readonly projections: ProjectionRunner;
  readonly relay: Relay;
  readonly consumer: EventConsumer;
  readonly keyReceiver: KeyReceiver;
  private admin?: Admin;
  private readonly topics: TopicManager;
  /** Set once shutdown begins: readiness fails, so a load balancer stops sending work. */
  private stopping = false;
  /** Whether the Kafka side (relay, key receiver, consumer) runs; it is retried while Kafka is away. */
  private kafkaRunning = false;
  private kafkaStart?: Promise<void>;

  constructor(
    @Inject(AGENCY_CONFIG) private readonly config: AgencyConfig,
    @Inject(KAFKA) kafka: Kafka,
    dataSource: DataSource,
    private readonly store: EventStore,
    registry: EventRegistry,
    @Inject(AGENCY_PROJECTIONS) projections: Projection[],
    @Inject(AGENCY_POLICIES) private readonly policies: Policy[],
  ) {
    this.admin = kafka.admin();
    this.topics = new TopicManager(this.admin, {
      partitions: config.topicPartitions,
      replicationFactor: config.topicReplicationFactor,
      singlePartition: auditTopicMatcher(config.auditAgencyId),
      keyTopicCompactionLagMs: config.keyTopicCompactionLagMs,
    });
    const trust = new PartnerTrust(config.signing.trustedKeysDir);
    const onError = (what: string) => (error: Error) => this.logger.error(`${what}: ${error.message}`);
    this.projections = new ProjectionRunner(dataSource, store, projections, {
      databaseUrl: config.databaseUrl,
      onError: (error, name) => this.logger.error(`projection ${name}: ${error.message}`),
      log: (message) => this.logger.warn(message),
    });
    this.relay = new Relay(kafka, this.topics, dataSource, store, {
      databaseUrl: config.databaseUrl,
      batchSize: config.relayBatchSize,
      pollIntervalMs: config.relayPollIntervalMs,
      lingerMs: config.relayLingerMs,
      auditAgencyId: config.auditAgencyId,
      entitledToPersonalData: (agency) => config.personalDataRecipients.includes(agency),
      signingKey: signingKeyFor(config.agencyId, config.signing),
      onError: onError('relay'),
    });
    this.consumer = new EventConsumer(kafka, this.topics, dataSource, registry, {
      name: policyConsumerName(config.agencyId),
      agencyId: config.agencyId,
      topics: partnerIds(config).map((partner) => topicFor(partner, config.agencyId)),
      databaseUrl: config.databaseUrl,
      maxAttempts: config.consumerMaxAttempts,
      backoffMs: config.consumerBackoffMs,
      maxWaitTimeInMs: config.consumerMaxWaitMs,
      sessionTimeout: config.consumerSessionTimeoutMs,
      handler: async (event, { manager }) => {
        // The consumer undoes a failed attempt with a savepoint: what it appended is not counted.
        const mark = appendedMark(manager);
        try {
          await this.applyPolicies(event, manager);
        } catch (error) {
          forgetAppendedSince(manager, mark);
          throw error;
        }
      },
      // Keys still on their way are waited for before the batch's transaction (without running out
      // while the key receiver is restarting), then opened inside it.
      beforeBatch: awaitDataKeys(dataSource, { keyWaitMs: config.consumerKeyWaitMs, receiving: () => this.keyReceiver.health().running }),
      open: personalDataOpener({ keyWaitMs: 0, registry }),
      verify: trust.verify,
      onError: onError('consumer'),
    });
    this.keyReceiver = new KeyReceiver(kafka, this.topics, dataSource, {
      agencyId: config.agencyId,
      senders: partnerIds(config),
      maxWaitTimeInMs: config.consumerMaxWaitMs,
      sessionTimeout: config.consumerSessionTimeoutMs,
      verify: trust.verifyKeyDelivery,
      onError: onError('key receiver'),
      onRefused: (reason, where) => this.logger.warn(`key delivery refused at ${where.topic}/${where.partition}@${where.offset}: ${reason}`),
    });
  }

  private async applyPolicies(event: Parameters<Policy['on'][string]>[0], manager: DecisionContext['manager']): Promise<void> {
    // A partner erased a person record: destroy our copy of its key, whether or not its tombstone
    // on the keys topic came first. Policies then erase what this agency derived from the record.
    const sender = agencyOfSource(event.source);
    if (isErasureType(event.type) && sender) await this.store.keys.erase(manager, sender, (event.data as PersonalDataErased).ref);
    for (const policy of this.policies) {
      const handler = policy.on[event.type];
      if (!handler) continue;
      const ctx = new DecisionContext(
        manager,
        this.store,
        this.config,
        { correlationId: event.correlationid, causationId: event.id, actor: `${this.config.agencyId}/policy/${policy.name}` },
        `${event.id}/${policy.name}`,
      );
      await inSpan(`policy ${policy.name}`, { attributes: { 'interlink.policy': policy.name, 'cloudevents.event_type': event.type } }, () => handler(event, ctx));
    }
  }

  /**
   * Projections need only Postgres and start at once. The Kafka side starts too if the brokers
   * answer; if they do not, the service still starts (commands are recorded: the store is the
   * outbox) and keeps trying every few seconds, while readiness reports Kafka down.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.projections.start();
    this.kafkaStart = this.keepStartingKafkaSide();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.kafkaStart, new Promise((resolve) => (timer = setTimeout(resolve, this.config.kafkaStartupWaitMs)))]);
    clearTimeout(timer);
    if (!this.kafkaRunning) {
      this.logger.warn(`${this.config.agencyId}: Kafka is not reachable yet; commands are recorded and will be published once it is`);
    }
  }

  /** Starts the Kafka side, and tries again every 3 s until it runs or the service stops. */
  private async keepStartingKafkaSide(): Promise<void> {
    while (!this.stopping && !this.kafkaRunning) {
      try {
        await this.startKafkaSide();
      } catch (error) {
        this.logger.warn(`${this.config.agencyId}: Kafka not reachable: ${(error as Error).message}`);
        await this.stopKafkaSide().catch(() => undefined);
        if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    }
  }

  private async startKafkaSide(): Promise<void> {
    await this.admin!.connect();
    await this.relay.start();
    await this.keyReceiver.start();
    await this.consumer.start();
    this.kafkaRunning = true;
    this.logger.log(`${this.config.agencyId}: projections, relay and consumer running`);
  }

  private async stopKafkaSide(): Promise<void> {
    await this.consumer.stop();
    await this.keyReceiver.stop();
    await this.relay.stop();
    await this.admin?.disconnect();
  }

  /**
   * Graceful shutdown (SIGTERM): stop taking partners' events (the consumer finishes its batch
   * and commits), stop publishing (the relay's checkpoint is where it got to), stop projecting.
   * HTTP requests in flight are answered; what they record is published at the next start.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // A start under way (Kafka was away) gets a few seconds to settle, so it cannot start a part after it was stopped.
    await settleWithin(this.kafkaStart, 5000);
    await this.stopKafkaSide();
    await this.projections.stop();
    this.admin = undefined;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** Whether the brokers answer now, and which one leads the cluster. */
  async kafkaStatus(): Promise<{ brokers: number; controller: number | null; running: boolean }> {
    if (!this.admin) throw new Error('the service is shutting down');
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller, running: this.kafkaRunning };
  }

  /** How far the policy consumer is behind on each partner topic. */
  async lag(): Promise<PartitionLag[]> {
    if (!this.admin) throw new Error('the service is shutting down');
    return consumerLag(this.admin, this.consumer.name, this.consumerTopics);
  }

  consumers(): Record<string, ConsumerHealth> {
    return { [this.consumer.name]: this.consumer.health(), [this.keyReceiver.name]: this.keyReceiver.health() };
  }

  relayStatus(): Promise<RelayStatus> {
    return this.relay.status();
  }

  private get consumerTopics(): string[] {
    return partnerIds(this.config).map((partner) => topicFor(partner, this.config.agencyId));
  }
}

/**
 * Waits for `work` to finish, but at most `ms`: on shutdown, a start of the Kafka side that is
 * under way (the brokers were away) gets a few seconds to settle before the parts are stopped.
 */
export async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

import { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventRegistry, agencyOfSource, keyTopicFor, parseDataschema, parseKeyTopic } from '@interlink/contracts';
import { DataKeys } from '@interlink/event-store';
import { DATA_KEY_BYTES, SealedDataError, openData, sealedRefs } from '@interlink/security';
import { commitAfterTransaction } from './consumer';
import { ConsumerHealth, SupervisedConsumer } from './supervisor';
import { TopicManager } from './topics';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A key delivery that cannot be used, with the reason; nothing is stored for it. */
export class BadKeyDelivery extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadKeyDelivery';
  }
}

/**
 * Reads one message of `keys.<owner>.<self>`: a key for a person record, or (a null value) the
 * owner's erasure of it. Throws BadKeyDelivery saying what is wrong.
 */
export function decodeKeyDelivery(self: string, topic: string, message: Pick<KafkaMessage, 'key' | 'value'>): { owner: string; ref: string; key: Buffer | null } {
  const route = parseKeyTopic(topic);
  if (!route) throw new BadKeyDelivery(`topic "${topic}" is not a keys.<from>.<to> topic`);
  if (route.to !== self) throw new BadKeyDelivery(`topic "${topic}" is addressed to "${route.to}", not to this agency ("${self}")`);
  const ref = message.key?.toString('utf8') ?? '';
  if (!UUID.test(ref)) throw new BadKeyDelivery(`message key "${ref.slice(0, 80)}" is not the id of a person record (a lower-case UUID)`);
  if (message.value === null || message.value === undefined) return { owner: route.from, ref, key: null };
  let delivery: unknown;
  try {
    delivery = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    throw new BadKeyDelivery(`the key delivery for ${ref} is not JSON: ${(error as Error).message}`);
  }
  const { ref: named, key } = (typeof delivery === 'object' && delivery !== null ? delivery : {}) as Record<string, unknown>;
  if (named !== ref) throw new BadKeyDelivery(`the key delivery under message key ${ref} names another record (${String(named).slice(0, 80)})`);
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw new BadKeyDelivery(`the key delivery for ${ref} has no base64 "key"`);
  const bytes = Buffer.from(key, 'base64');
  if (bytes.length !== DATA_KEY_BYTES) throw new BadKeyDelivery(`the key delivered for ${ref} has ${bytes.length} bytes, not ${DATA_KEY_BYTES}`);
  return { owner: route.from, ref, key: bytes };
}

export interface KeyReceiverOptions {
  /** The agency receiving keys; it reads `keys.<sender>.<agencyId>`. */
  agencyId: string;
  senders: string[];
  /** Kafka group id (default `<agencyId>-keys`). */
  groupId?: string;
  createTopics?: boolean;
  maxWaitTimeInMs?: number;
  onError?: (error: Error) => void;
  /** Told of each delivery that was refused (it is skipped: a key that is not stored changes nothing). */
  onRefused?: (reason: string, where: { topic: string; partition: number; offset: string }) => void;
}

/**
 * Keeps the partners' data keys this agency was given in `interlink.data_keys`: a delivery
 * stores the key, a tombstone destroys it. A key delivered after its erasure is refused.
 * The offsets are committed after the keys are stored, so none is lost.
 */
export class KeyReceiver {
  private consumer?: SupervisedConsumer;
  private readonly keys = new DataKeys();

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicManager,
    private readonly dataSource: DataSource,
    private readonly options: KeyReceiverOptions,
  ) {}

  get topicNames(): string[] {
    return [...new Set(this.options.senders.filter((s) => s !== this.options.agencyId))].map((s) => keyTopicFor(s, this.options.agencyId));
  }

  /** Its consumer group. */
  get name(): string {
    return this.options.groupId ?? `${this.options.agencyId}-keys`;
  }

  async start(): Promise<void> {
    const topics = this.topicNames;
    if (topics.length === 0) return;
    if (this.options.createTopics ?? true) await this.topics.ensure(topics);
    this.consumer = new SupervisedConsumer(this.kafka, {
      config: { groupId: this.name, allowAutoTopicCreation: false, maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100 },
      subscription: { topics, fromBeginning: true },
      run: { autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.processBatch(payload) },
      onError: this.options.onError,
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  health(): ConsumerHealth {
    // With no sender to receive keys from there is nothing to run, and nothing missing.
    return this.consumer?.health() ?? { running: this.topicNames.length === 0, restarts: 0 };
  }

  private async processBatch({ batch, resolveOffset }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    if (batch.messages.length === 0) return;
    await this.dataSource.transaction(async (tx) => {
      for (const message of batch.messages) {
        let delivery: ReturnType<typeof decodeKeyDelivery>;
        try {
          delivery = decodeKeyDelivery(this.options.agencyId, topic, message);
        } catch (error) {
          if (!(error instanceof BadKeyDelivery)) throw error;
          this.options.onRefused?.(error.message, { topic, partition, offset: message.offset });
          continue;
        }
        if (delivery.key) await this.keys.receive(tx, delivery.owner, delivery.ref, delivery.key);
        else await this.keys.erase(tx, delivery.owner, delivery.ref);
      }
    });
    const last = batch.messages[batch.messages.length - 1].offset;
    resolveOffset(last);
    // Receiving a key again is harmless: a failed commit must not stop the receiver for good.
    await commitAfterTransaction(this.consumer!.current, topic, partition, last, this.options.onError);
  }
}

export interface PersonalDataOpenerOptions {
  /** How long to wait for a key that has not arrived yet, in ms (default 10000). */
  keyWaitMs?: number;
  registry?: EventRegistry;
}

/**
 * Waits, outside any transaction, until the keys of the sealed parts of `envelopes` have arrived
 * (or `keyWaitMs` has passed): give it to EventConsumer as `beforeBatch`, so that opening inside
 * the batch's transaction finds them at once.
 */
export function awaitDataKeys(dataSource: DataSource, options: Pick<PersonalDataOpenerOptions, 'keyWaitMs'> = {}) {
  const keys = new DataKeys();
  const waitMs = options.keyWaitMs ?? 10_000;
  return async (envelopes: EventEnvelope[]): Promise<void> => {
    const wanted = new Map<string, Set<string>>();
    for (const envelope of envelopes) {
      const owner = agencyOfSource(envelope.source);
      if (!owner || envelope.data === undefined) continue;
      const refs = sealedRefs(envelope.data);
      if (refs.size > 0) wanted.set(owner, new Set([...(wanted.get(owner) ?? []), ...refs]));
    }
    const deadline = Date.now() + waitMs;
    for (const [owner, refs] of wanted) {
      while ((await keys.find(dataSource.manager, owner, refs)).size < refs.size && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
}

/**
 * Opens the sealed personal data of a partner's event with the keys that partner delivered
 * (see KeyReceiver). Keys travel ahead of events on their own topic, so a key not stored yet is
 * waited for a while; an erased record opens as erased. The opened payload is checked against
 * its schema again, since what was inside the seal was not checked on arrival.
 */
export function personalDataOpener(options: PersonalDataOpenerOptions = {}) {
  const keys = new DataKeys();
  // With awaitDataKeys before the batch, the keys are here; without it, wait here (in the transaction).
  const waitMs = options.keyWaitMs ?? 10_000;
  return async (manager: EntityManager, envelope: EventEnvelope): Promise<EventEnvelope> => {
    const refs = sealedRefs(envelope.data);
    if (refs.size === 0) return envelope;
    const owner = agencyOfSource(envelope.source);
    if (!owner) throw new SealedDataError(`event ${envelope.id} has sealed personal data but no agency as its source`);
    const deadline = Date.now() + waitMs;
    let found = await keys.find(manager, owner, refs);
    while (found.size < refs.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = await keys.find(manager, owner, refs);
    }
    const missing = [...refs].filter((ref) => !found.has(ref));
    if (missing.length > 0) {
      throw new SealedDataError(`no data key from ${owner} for person record ${missing.join(', ')} arrived within ${waitMs / 1000} s`);
    }
    const data = openData(envelope.data, (ref) => found.get(ref));
    const schema = parseDataschema(envelope.dataschema);
    if (options.registry && schema) options.registry.validateData(envelope.type, schema.version, data);
    return { ...envelope, data };
  };
}

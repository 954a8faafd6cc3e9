import { EventEmitter } from 'node:events';
import { EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventRegistry, agencyOfSource, isErasureType, keyTopicFor, parseDataschema, parseKeyTopic } from '@interlink/contracts';
import { DataKeys, KeyReceipt } from '@interlink/event-store';
import { DATA_KEY_BYTES, KEY_SEAL_HEADERS, SealedDataError, openData, sealedRefs } from '@interlink/security';
import { ConsumerHealth, SupervisedConsumer } from './supervisor';
import { TopicManager } from './topics';
import { ApplyLater } from './apply-later';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Told each time a KeyReceiver of this process has stored keys, so that whoever waits for a key
 * looks again at once rather than at its next poll (keys and events travel in the same produce
 * request, so an event often arrives a moment before its key is stored). Keys stored by another
 * instance are still found by the poll.
 */
const keyArrivals = new EventEmitter().setMaxListeners(0);

/** Resolves when keys were stored in this process, or after `ms`, whichever comes first. */
function nextKeyArrival(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      keyArrivals.off('stored', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    keyArrivals.on('stored', done);
  });
}

/** How often a wait for a key looks in the database anyway, in ms. */
const KEY_POLL_MS = 100;

/**
 * A partner's event whose data key has not arrived (yet): the consumer applies it later, when the
 * key may have come (see ApplyLater), instead of counting a failure. A relay whose batch reached
 * the events' partitions but not the keys' (a broker lost mid-send) sends the keys again later.
 */
export class DataKeyNotArrived extends SealedDataError implements ApplyLater {
  readonly applyLater = true as const;

  constructor(message: string) {
    super(message);
    this.name = 'DataKeyNotArrived';
  }
}

/** A key delivery that cannot be used, with the reason; nothing is stored for it. */
export class BadKeyDelivery extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadKeyDelivery';
  }
}

/** One message of `keys.<owner>.<recipient>` as read: the key of a person record, or (null) its erasure, and the seal it came with. */
export interface ReceivedKey {
  owner: string;
  recipient: string;
  ref: string;
  key: Buffer | null;
  /** From the message's headers (see signKeyDelivery); absent when the sender did not sign it. */
  time?: string;
  keyid?: string;
  signature?: string;
}

/** Checks that a key delivery was signed by its owner; returns why it is refused, or nothing. */
export type KeyDeliveryVerifier = (delivery: ReceivedKey) => string | undefined;

/**
 * Reads one message of `keys.<owner>.<self>`: a key for a person record, or (a null value) the
 * owner's erasure of it. Throws BadKeyDelivery saying what is wrong. Whether its owner signed it
 * is for a KeyDeliveryVerifier to say.
 */
export function decodeKeyDelivery(self: string, topic: string, message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): ReceivedKey {
  const route = parseKeyTopic(topic);
  if (!route) throw new BadKeyDelivery(`topic "${topic}" is not a keys.<from>.<to> topic`);
  if (route.to !== self) throw new BadKeyDelivery(`topic "${topic}" is addressed to "${route.to}", not to this agency ("${self}")`);
  const ref = message.key?.toString('utf8') ?? '';
  if (!UUID.test(ref)) throw new BadKeyDelivery(`message key "${ref.slice(0, 80)}" is not the id of a person record (a lower-case UUID)`);
  const received = {
    owner: route.from,
    recipient: route.to,
    ref,
    time: header(message.headers, KEY_SEAL_HEADERS.time),
    keyid: header(message.headers, KEY_SEAL_HEADERS.keyid),
    signature: header(message.headers, KEY_SEAL_HEADERS.signature),
  };
  if (message.value === null || message.value === undefined) return { ...received, key: null };
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
  return { ...received, key: bytes };
}

/** A header as text, when it is there once. */
function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined || Array.isArray(value) ? undefined : value.toString();
}

export interface KeyReceiverOptions {
  /** The agency receiving keys; it reads `keys.<sender>.<agencyId>`. */
  agencyId: string;
  senders: string[];
  /** Kafka group id (default `<agencyId>-keys`). */
  groupId?: string;
  createTopics?: boolean;
  maxWaitTimeInMs?: number;
  /** The group session, in ms (default 30000): also how long a member that died keeps its partitions. */
  sessionTimeout?: number;
  /**
   * Checks that each delivery and erasure was signed by its owner (PartnerTrust.verifyKeyDelivery);
   * what it refuses is not applied. Without it deliveries are taken on trust and erasures on the
   * keys topic are ignored: a partner's signed personal-data-erased event destroys the key anyway.
   */
  verify?: KeyDeliveryVerifier;
  onError?: (error: Error) => void;
  /** Told of each delivery that was refused (it is skipped: a key that is not stored changes nothing). */
  onRefused?: (reason: string, where: { topic: string; partition: number; offset: string }) => void;
}

/**
 * Keeps the partners' data keys this agency was given in `interlink.data_keys`: a delivery
 * stores the key, a signed erasure (a tombstone) destroys it. A record's key never changes, so a
 * delivery of another key for a record held here is refused, as is a key delivered after its
 * erasure. The offsets are committed after the keys are stored, so none is lost.
 */
export class KeyReceiver {
  private consumer?: SupervisedConsumer;
  private readonly keys = new DataKeys();
  private refusals = 0;

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

  /** How many deliveries were refused since start. */
  get refused(): number {
    return this.refusals;
  }

  async start(): Promise<void> {
    const topics = this.topicNames;
    if (topics.length === 0) return;
    if (this.options.createTopics ?? true) await this.topics.ensure(topics);
    this.consumer = new SupervisedConsumer(this.kafka, {
      config: { groupId: this.name, allowAutoTopicCreation: false, maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100, sessionTimeout: this.options.sessionTimeout ?? 30000 },
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
    const refused = await this.dataSource.transaction(async (tx) => {
      const refusals: { reason: string; offset: string }[] = [];
      // Consecutive deliveries are stored in one statement; an erasure between them keeps its place.
      let run: { offset: string; delivery: ReceivedKey & { key: Buffer } }[] = [];
      const flush = async () => {
        if (run.length === 0) return;
        const receipts = await this.keys.receiveMany(tx, run[0].delivery.owner, run.map(({ delivery }) => delivery));
        receipts.forEach((receipt, i) => {
          const reason = refusalOf(receipt, run[i].delivery);
          if (reason) refusals.push({ reason, offset: run[i].offset });
        });
        run = [];
      };
      for (const message of batch.messages) {
        const checked = this.check(topic, message);
        if (typeof checked === 'string') {
          refusals.push({ reason: checked, offset: message.offset });
        } else if (checked.key === null) {
          await flush();
          await this.keys.erase(tx, checked.owner, checked.ref);
        } else {
          if (run.length > 0 && run[0].delivery.owner !== checked.owner) await flush();
          run.push({ offset: message.offset, delivery: { ...checked, key: checked.key } });
        }
      }
      await flush();
      return refusals.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
    });
    keyArrivals.emit('stored');
    // Reported once the transaction is committed, so a batch that is retried is not reported twice.
    for (const { reason, offset } of refused) {
      this.refusals++;
      this.options.onRefused?.(reason, { topic, partition, offset });
    }
    const last = batch.messages[batch.messages.length - 1].offset;
    resolveOffset(last);
    // Receiving a key again is harmless: a failed commit must not stop the receiver for good.
    await this.consumer!.commitApplied(topic, partition, last);
  }

  /** A message's key delivery, decoded and checked, or why it is refused. */
  private check(topic: string, message: KafkaMessage): ReceivedKey | string {
    let delivery: ReceivedKey;
    try {
      delivery = decodeKeyDelivery(this.options.agencyId, topic, message);
    } catch (error) {
      if (error instanceof BadKeyDelivery) return error.message;
      throw error;
    }
    const { owner, ref, key } = delivery;
    if (this.options.verify) {
      const refused = this.options.verify(delivery);
      if (refused) return `not accepted as ${owner}'s: ${refused}`;
    } else if (key === null) {
      return `ignored the erasure of person record ${ref} on the keys topic: nothing here can tell that ${owner} sent it; ${owner}'s signed personal-data-erased event destroys the key`;
    }
    return delivery;
  }
}

/** Why a delivered key was not taken, if it was not. */
function refusalOf(receipt: KeyReceipt, { owner, ref }: ReceivedKey): string | undefined {
  if (receipt === 'another key held') return `${owner} delivered another key for person record ${ref} than the one held here; a record's key never changes, so it is ignored`;
  if (receipt === 'erased') return `person record ${ref} of ${owner} was erased here; its key is not taken back`;
  return undefined;
}

export interface PersonalDataOpenerOptions {
  /** How long to wait for a key that has not arrived yet, in ms (default 10000). */
  keyWaitMs?: number;
  registry?: EventRegistry;
}

export interface AwaitDataKeysOptions extends Pick<PersonalDataOpenerOptions, 'keyWaitMs'> {
  /**
   * Whether keys are being received (the KeyReceiver's consumer is in its group). While they are
   * not, `keyWaitMs` does not run out: a key receiver restarting after a broker outage would
   * otherwise get events parked for want of keys that are on their way. It waits that way at
   * most `longestWaitMs` (default 10 minutes) in all.
   */
  receiving?: () => boolean;
  longestWaitMs?: number;
}

/**
 * Waits, outside any transaction, until the keys of the sealed parts of `envelopes` have arrived
 * (or `keyWaitMs` of receiving has passed): give it to EventConsumer as `beforeBatch`, so that
 * opening inside the batch's transaction finds them at once.
 */
export function awaitDataKeys(dataSource: DataSource, options: AwaitDataKeysOptions = {}) {
  const keys = new DataKeys();
  const waitMs = options.keyWaitMs ?? 10_000;
  const longestWaitMs = Math.max(waitMs, options.longestWaitMs ?? 600_000);
  const receiving = options.receiving ?? (() => true);
  return async (envelopes: EventEnvelope[]): Promise<void> => {
    const wanted = sealedRefsByOwner(envelopes);
    const start = Date.now();
    let deadline = start + waitMs;
    for (const [owner, refs] of wanted) {
      while ((await keys.find(dataSource.manager, owner, refs)).size < refs.size) {
        const now = Date.now();
        if (!receiving()) deadline = Math.min(Math.max(deadline, now + waitMs), start + longestWaitMs);
        if (now >= deadline) break;
        await nextKeyArrival(Math.min(KEY_POLL_MS, deadline - now));
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
export function personalDataOpener(options: PersonalDataOpenerOptions = {}): BatchOpener {
  const keys = new DataKeys();
  // With awaitDataKeys before the batch, the keys are here; without it, wait here (in the transaction).
  const waitMs = options.keyWaitMs ?? 10_000;
  return async (manager, envelopes) => {
    // The keys of the whole batch in one query per owner, instead of one query per event.
    let held: Map<string, Map<string, Buffer | null>> | undefined = new Map();
    for (const [owner, refs] of sealedRefsByOwner(envelopes)) held.set(owner, await keys.find(manager, owner, refs));
    return async (envelope) => {
      const refs = sealedRefs(envelope.data);
      // An erasure's handler destroys a key: what was read before it no longer holds.
      if (isErasureType(envelope.type)) held = undefined;
      if (refs.size === 0) return envelope;
      const owner = agencyOfSource(envelope.source);
      if (!owner) throw new SealedDataError(`event ${envelope.id} has sealed personal data but no agency as its source`);
      const deadline = Date.now() + waitMs;
      const known = held?.get(owner);
      let found = known && [...refs].every((ref) => known.has(ref)) ? known : await keys.find(manager, owner, refs);
      while ([...refs].some((ref) => !found.has(ref)) && Date.now() < deadline) {
        await nextKeyArrival(Math.min(KEY_POLL_MS, deadline - Date.now()));
        found = await keys.find(manager, owner, refs);
      }
      const missing = [...refs].filter((ref) => !found.has(ref));
      if (missing.length > 0) {
        throw new DataKeyNotArrived(`no data key from ${owner} for person record ${missing.join(', ')} arrived within ${waitMs / 1000} s`);
      }
      const data = openData(envelope.data, (ref) => found.get(ref));
      const schema = parseDataschema(envelope.dataschema);
      if (options.registry && schema) options.registry.validateData(envelope.type, schema.version, data);
      return { ...envelope, data };
    };
  };
}

/**
 * Prepares the opening of a batch's sealed data inside its transaction (reading what the batch
 * needs at once) and returns the opener of each of its events, called in the batch's order.
 */
export type BatchOpener = (manager: EntityManager, envelopes: EventEnvelope[]) => Promise<(envelope: EventEnvelope) => Promise<EventEnvelope>>;

/** The refs of the sealed parts of `envelopes`, by the agency that sealed them. */
function sealedRefsByOwner(envelopes: EventEnvelope[]): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const envelope of envelopes) {
    const owner = agencyOfSource(envelope.source);
    if (!owner || envelope.data === undefined) continue;
    let refs = wanted.get(owner);
    if (!refs) wanted.set(owner, (refs = new Set()));
    sealedRefs(envelope.data, refs);
  }
  for (const [owner, refs] of wanted) if (refs.size === 0) wanted.delete(owner);
  return wanted;
}

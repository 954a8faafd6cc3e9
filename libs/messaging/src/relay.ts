import { Client } from 'pg';
import { CompressionTypes, Kafka, Message, TopicMessages } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventEnvelope, isErasureType, keyTopicFor, listAttribute, recipientsOf, topicFor } from '@interlink/contracts';
import { GENESIS_HASH, SigningKey, chainAndSign, chainBatch, redactData, sealedRefs, signKeyDelivery } from '@interlink/security';
import { EventStore, LOG_START, LogFollower, LogPosition } from '@interlink/event-store';
import { PRODUCE_CHUNK_BYTES, RenewingProducer, chunksOf, messageBytes, partitionFor, unwrittenPartitions } from './kafka-config';
import { publishingBatch } from './relay-telemetry';
import { TopicManager } from './topics';

export interface RelayOptions {
  /** Database URL of the agency (for LISTEN and the leadership lock). */
  databaseUrl: string;
  /** Events read and published per round (default 500). */
  batchSize?: number;
  /** Longest wait for a notification before looking anyway, in ms (default 1000). */
  pollIntervalMs?: number;
  /**
   * How long a relay that was waiting lets events gather before it reads them, in ms (default 0):
   * appends that commit meanwhile go in one round, one Kafka request, and every consumer's batch.
   */
  lingerMs?: number;
  /**
   * The auditors' agency id: it receives the whole log, in order, on one partition; of a TLP:RED
   * event only a stub without its payload, which still verifies, so the chain has no gaps.
   */
  auditAgencyId?: string;
  /**
   * Whether a recipient may read personal data (default: every recipient). Others get each
   * person part redacted to its pseudonymous ref and digest, which still verifies.
   */
  entitledToPersonalData?: (agencyId: string) => boolean;
  /** The agency's signing key; without one the log is chained but not signed. */
  signingKey?: SigningKey;
  /** Called after a batch reached Kafka and before its checkpoint is written (metrics, tests). */
  onPublished?: (events: EventEnvelope[]) => void | Promise<void>;
  onError?: (error: Error) => void;
}

export interface PublishedMessage {
  topic: string;
  envelope: EventEnvelope;
  /** The recipient agency. */
  to: string;
}

/**
 * What the relay sends on a keys topic: the data key of one person record (a null value erases it),
 * signed with the agency's key in the message's headers (see signKeyDelivery).
 */
export interface KeyDelivery {
  ref: string;
  /** base64 of the 256-bit key. */
  key: string;
}

/** See Relay.status. */
export interface RelayStatus {
  /** Whether this instance holds the agency's relay lock; another instance may lead instead. */
  leader: boolean;
  /** Sequence number of the last event published. */
  published: number;
  /** Events recorded and not yet published, counted up to 10,000. */
  waiting: number;
  /** Set while publishing fails: since when, and the latest error. */
  failing?: { since: string; message: string };
}

/** Readiness counts waiting events up to this many, so that a large backlog costs a probe little. */
const STATUS_COUNT_LIMIT = 10_000;

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/**
 * The store is the outbox: the relay reads the agency's log in order, gives each event its
 * sequence number, and publishes it to the topic of every agency its marking releases it to,
 * keyed by stream id. Only then does it move its checkpoint. A crash in between publishes the
 * same batch again with the same sequence numbers; consumers recognise the event ids and skip
 * them, so nothing is lost and nothing is applied twice.
 *
 * One relay per agency publishes: leadership is a Postgres advisory lock held by a dedicated
 * connection, so a second instance waits and takes over when the first one dies.
 */
export class Relay {
  private readonly name: string;
  private readonly batchSize: number;
  private producer?: RenewingProducer;
  private follower?: LogFollower;
  private lockClient?: Client;
  private failing?: { since: string; message: string };
  /** The checkpoint this instance wrote last, while it leads: nobody else moves it meanwhile. */
  private written?: Checkpoint;
  /** The next batch, prepared while the last one was sent (null: preparing it failed). */
  private prefetched?: { from: Checkpoint; batch: Promise<PreparedBatch | undefined | null> };

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicManager,
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly options: RelayOptions,
  ) {
    this.name = `relay:${store.agencyId}`;
    this.batchSize = options.batchSize ?? 500;
  }

  async start(): Promise<void> {
    this.producer = new RenewingProducer(this.kafka);
    await this.producer.connect();
    this.follower = new LogFollower(
      { databaseUrl: this.options.databaseUrl, pollIntervalMs: this.options.pollIntervalMs ?? 1000, lingerMs: this.options.lingerMs, onError: this.options.onError },
      () => this.step(),
    );
    await this.follower.start();
  }

  async stop(): Promise<void> {
    await this.follower?.stop();
    await this.prefetched?.batch;
    await this.producer?.disconnect();
    await this.releaseLead();
  }

  private async step(): Promise<boolean> {
    try {
      if (!(await this.lead())) {
        // A standby publishes nothing: an error from when it led (or tried to) is no longer its
        // news, and readiness would otherwise report it for as long as events wait for the leader.
        this.failing = undefined;
        return false;
      }
      const more = (await this.publishNextBatch()) === this.batchSize;
      this.failing = undefined;
      return more;
    } catch (error) {
      this.failing ??= { since: new Date().toISOString(), message: '' };
      this.failing.message = (error as Error).message;
      // Whatever failed, lead again from a fresh connection and the stored checkpoint.
      await this.releaseLead();
      throw error;
    }
  }

  /**
   * How publishing goes, for readiness: whether this instance leads, how far the agency's relay
   * (this instance or the leader) has published, how many recorded events wait, and the error of
   * the rounds failing since `since`, if the last one failed.
   */
  async status(): Promise<RelayStatus> {
    const checkpoint = await this.checkpoint();
    const [{ waiting }] = await this.dataSource.query(
      `SELECT count(*)::int AS waiting FROM (
         SELECT 1 FROM interlink.events WHERE (tx_id, position) > ($1::text::xid8, $2::bigint) LIMIT ${STATUS_COUNT_LIMIT}) AS w`,
      [checkpoint.position.txId, checkpoint.position.position],
    );
    return { leader: this.lockClient !== undefined, published: checkpoint.sequence, waiting, ...(this.failing ? { failing: { ...this.failing } } : {}) };
  }

  private async releaseLead(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.written = undefined;
    this.prefetched = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Holds (or tries to take) the agency's relay lock. */
  private async lead(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = new Client({ connectionString: this.options.databaseUrl });
    // A lost connection releases the lock on the server; stop acting as leader at once.
    client.on('error', () => {
      if (this.lockClient === client) this.lockClient = undefined;
    });
    await client.connect();
    const [row] = (await client.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [this.name])).rows;
    if (!row.locked) {
      await client.end();
      return false;
    }
    this.lockClient = client;
    // Another instance may have led since this one last did: read the checkpoint afresh.
    this.written = undefined;
    return true;
  }

  /**
   * Publishes one batch after the checkpoint; returns how many events it read. When the batch is
   * full, the next one is read, chained and signed while this one goes to Kafka, and used by the
   * next round if the checkpoint is then where this batch left it.
   */
  async publishNextBatch(): Promise<number> {
    const checkpoint = (this.lockClient && this.written) || (await this.checkpoint());
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    // An empty prefetch is read again: events may have become visible since.
    const ready = prefetched && sameCheckpoint(prefetched.from, checkpoint) ? await prefetched.batch : undefined;
    const batch = ready ?? (await this.prepare(checkpoint));
    if (!batch) return 0;
    if (batch.count === this.batchSize) {
      // A failure here is not this round's: the next round prepares its batch itself.
      this.prefetched = { from: batch.to, batch: this.prepare(batch.to).catch(() => null) };
    }

    await publishingBatch(this.store.agencyId, batch.messages, batch.routed, async () => {
      await this.send(batch.outgoing);
      await this.options.onPublished?.(batch.messages);
    });

    const next = batch.to;
    await this.dataSource.query(
      `INSERT INTO interlink.relay_checkpoints (relay, tx_id, position, sequence, hash, updated_at)
       VALUES ($1, $2::text::xid8, $3, $4, $5, now())
       ON CONFLICT (relay) DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position,
         sequence = excluded.sequence, hash = excluded.hash, updated_at = excluded.updated_at`,
      [this.name, next.position.txId, next.position.position, next.sequence, next.hash],
    );
    if (this.lockClient) this.written = next;
    return batch.count;
  }

  /** The batch after `from`, numbered, chained, signed, routed and written out; undefined when there is none. */
  private async prepare(from: Checkpoint): Promise<PreparedBatch | undefined> {
    const stored = await this.store.readLog(from.position, { limit: this.batchSize, upcast: false, open: false });
    if (stored.length === 0) return undefined;
    const numbered = stored.map((event, i) => ({ ...event.envelope, sequence: from.sequence + i + 1 }));
    const messages: EventEnvelope[] = this.options.signingKey
      ? chainAndSign(this.options.signingKey, numbered, from.hash)
      : chainBatch(numbered, from.hash);
    const routed = this.route(messages);
    // Keys first, in the same request: a recipient that reads an event finds the key to open it
    // already on its way. An envelope going to several recipients is written out once.
    const texts = new Map<EventEnvelope, string>();
    const text = (envelope: EventEnvelope) => texts.get(envelope) ?? texts.set(envelope, JSON.stringify(envelope)).get(envelope)!;
    const outgoing = [
      ...(await this.keyDeliveries(routed)),
      ...routed.map(({ topic, envelope }) => ({
        topic,
        message: { key: envelope.subject, value: text(envelope), headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE } },
      })),
    ];
    const to = { position: stored[stored.length - 1].logPosition, sequence: from.sequence + stored.length, hash: messages[messages.length - 1].hash! };
    return { from, to, count: stored.length, messages, routed, outgoing };
  }

  private async send(messages: { topic: string; message: Message }[]): Promise<void> {
    if (messages.length === 0) return;
    await this.topics.ensure(new Set(messages.map((m) => m.topic)));
    // A full batch to one partition (the auditors' topic has one) can exceed the broker's
    // message.max.bytes (1 MB by default), which the producer would retry for ever: send it in
    // requests of at most PRODUCE_CHUNK_BYTES, in order (one request in flight keeps the order).
    for (const chunk of chunksOf(messages, (m) => messageBytes(m.message), PRODUCE_CHUNK_BYTES)) await this.sendChunk(chunk);
  }

  private async sendChunk(messages: { topic: string; message: Message }[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const { topic, message } of messages) {
      let entry = byTopic.get(topic);
      if (!entry) byTopic.set(topic, (entry = { topic, messages: [] }));
      entry.messages.push({ ...message, partition: partitionFor(topic, message, this.topics.partitionsOf(topic)) });
    }
    const topicMessages = [...byTopic.values()];
    const answer = await this.producer!.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    // A send that lost partitions on kafkajs's retry fails the round, which sends the batch again.
    const unwritten = unwrittenPartitions(topicMessages, answer);
    if (unwritten.length > 0) {
      this.producer!.discard();
      throw new Error(`Kafka did not confirm the write to ${unwritten.join(', ')}; the batch is sent again`);
    }
  }

  /**
   * The data keys recipients need to open what they are sent, one per recipient and person
   * record, and a tombstone to each recipient of an erasure. A key destroyed since is not sent.
   */
  private async keyDeliveries(routed: PublishedMessage[]): Promise<{ topic: string; message: Message }[]> {
    const owner = this.store.agencyId;
    const wanted = new Map<string, Set<string>>();
    const erased = new Map<string, Set<string>>();
    for (const { envelope, to } of routed) {
      if (isErasureType(envelope.type) && envelope.data) {
        const ref = (envelope.data as { ref: string }).ref;
        erased.set(to, (erased.get(to) ?? new Set()).add(ref));
      }
      if (!envelope.data) continue;
      let refs = wanted.get(to);
      if (!refs) wanted.set(to, (refs = new Set()));
      sealedRefs(envelope.data, refs);
    }
    const refs = new Set([...wanted.values()].flatMap((set) => [...set]));
    const keys = await this.store.keys.find(this.dataSource.manager, owner, refs);
    const time = new Date().toISOString();
    // Signed like the log, so a recipient can tell a delivery or an erasure of ours from a forgery.
    const seal = (to: string, ref: string, key: Buffer | null) =>
      this.options.signingKey ? signKeyDelivery(this.options.signingKey, { owner, recipient: to, ref, key, time }) : {};
    const deliveries: { topic: string; message: Message }[] = [];
    for (const [to, set] of wanted) {
      for (const ref of set) {
        const key = keys.get(ref);
        if (!key || erased.get(to)?.has(ref)) continue;
        const delivery: KeyDelivery = { ref, key: key.toString('base64') };
        deliveries.push({ topic: keyTopicFor(owner, to), message: { key: ref, value: JSON.stringify(delivery), headers: seal(to, ref, key) } });
      }
    }
    for (const [to, set] of erased) {
      for (const ref of set) deliveries.push({ topic: keyTopicFor(owner, to), message: { key: ref, value: null, headers: seal(to, ref, null) } });
    }
    return deliveries;
  }

  /**
   * Which topics each event goes to: one per recipient its marking allows, and the auditors'.
   * A recipient not entitled to personal data gets the event with its person parts redacted.
   */
  route(envelopes: EventEnvelope[]): PublishedMessage[] {
    const owner = this.store.agencyId;
    const audit = this.options.auditAgencyId;
    const entitled = this.options.entitledToPersonalData ?? (() => true);
    return envelopes.flatMap((envelope) => {
      const recipients = recipientsOf(owner, { classification: envelope.classification, releasableTo: listAttribute(envelope.releasableto) })
        .filter((to) => to !== audit)
        .map((to) => ({ topic: topicFor(owner, to), to, envelope: entitled(to) ? envelope : { ...envelope, data: redactData(envelope.data) } }));
      if (!audit || audit === owner) return recipients;
      const forAudit = envelope.classification === 'RED' ? withheld(envelope) : envelope;
      return [...recipients, { topic: topicFor(owner, audit), to: audit, envelope: forAudit }];
    });
  }

  async checkpoint(): Promise<Checkpoint> {
    const rows: { tx_id: string; position: string; sequence: string; hash: string | null }[] = await this.dataSource.query(
      `SELECT tx_id::text, position::text, sequence::text, hash FROM interlink.relay_checkpoints WHERE relay = $1`,
      [this.name],
    );
    if (rows.length === 0) return { position: LOG_START, sequence: 0, hash: GENESIS_HASH };
    return { position: { txId: rows[0].tx_id, position: rows[0].position }, sequence: Number(rows[0].sequence), hash: rows[0].hash ?? GENESIS_HASH };
  }
}


interface Checkpoint {
  position: LogPosition;
  sequence: number;
  hash: string;
}

/** A batch ready to send: what publishNextBatch read, chained, signed and wrote out after `from`. */
interface PreparedBatch {
  from: Checkpoint;
  /** Where the checkpoint goes once the batch is published. */
  to: Checkpoint;
  count: number;
  messages: EventEnvelope[];
  routed: PublishedMessage[];
  outgoing: { topic: string; message: Message }[];
}

function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return a.sequence === b.sequence && a.hash === b.hash && a.position.txId === b.position.txId && a.position.position === b.position.position;
}

/** What the auditors get of a RED event: everything but the payload, which its `datahash` still commits to. */
function withheld(envelope: EventEnvelope): EventEnvelope {
  const { data: _withheld, ...stub } = envelope;
  return { ...stub, datawithheld: 'RED' } as EventEnvelope;
}

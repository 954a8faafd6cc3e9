import { EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, EventRegistry, isErasureType } from '@interlink/contracts';
import { NotificationListener, insertValues } from '@interlink/event-store';
import { consuming, countConsumed } from '@interlink/observability';
import { isApplyLater } from './apply-later';
import { EnvelopeVerifier, PoisonMessage, decodeMessage } from './decode';
import { ParkedEvent, ReplayReport, consumerLockKey, discardParkedEvent, listParkedEvents } from './parked';
import { REPLAY_CHANNEL } from './schema';
import type { BatchOpener } from './personal-data';
import { PRODUCE_CHUNK_BYTES, RenewingProducer, chunksOf, messageBytes } from './kafka-config';
import { ConsumerHealth, SupervisedConsumer } from './supervisor';
import { TopicManager } from './topics';

/** The inbox's columns as flushInbox writes them, with their casts. */
const INBOX_INSERT = `INSERT INTO interlink.inbox (consumer, event_id, stream_id, type, topic, kafka_partition, kafka_offset, envelope)`;
const INBOX_CASTS = ['text', 'uuid', 'text', 'text', 'text', 'int', 'bigint', 'jsonb'] as const;

/** Moves a consumer's checkpoint on a partition forward (never back): consumer, topic, partition, offset from $first on. */
function checkpointStatement(first: number): string {
  const [consumer, topic, partition, offset] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  return `INSERT INTO interlink.consumer_checkpoints (consumer, topic, kafka_partition, kafka_offset, updated_at)
    VALUES (${consumer}, ${topic}, ${partition}, ${offset}, now())
    ON CONFLICT (consumer, topic, kafka_partition) DO UPDATE
      SET kafka_offset = GREATEST(interlink.consumer_checkpoints.kafka_offset, excluded.kafka_offset), updated_at = now()`;
}

export interface HandlerContext {
  /** The consumer's transaction: write the effect through it. */
  manager: EntityManager;
  topic: string;
  partition: number;
  offset: string;
}

export type EventHandler = (event: EventEnvelope, context: HandlerContext) => Promise<void>;

export interface EventConsumerOptions {
  /** Consumer name: its Kafka group id and its key in the inbox and parking tables. */
  name: string;
  /** The agency this consumer works for; it accepts only topics `intel.<sender>.<agencyId>`. */
  agencyId: string;
  topics: string[];
  handler: EventHandler;
  /** Attempts per event before it is parked (default 3). */
  maxAttempts?: number;
  /** First retry delay in ms, doubled for each further retry (default 200). */
  backoffMs?: number;
  /**
   * How long an event that cannot be applied yet (ApplyLater: its data key is still on its way)
   * is fetched again before it is parked, in ms since it first said so (default 10 minutes).
   */
  applyLaterLimitMs?: number;
  /** Topic that receives a copy of every parked message (default `dlq.<name>`). */
  deadLetterTopic?: string;
  /** Create missing topics at start (default true; off where topics are provisioned). */
  createTopics?: boolean;
  /** Longest wait of a fetch for new messages, in ms (default 100). */
  maxWaitTimeInMs?: number;
  sessionTimeout?: number;
  /** Checks each event's seal before it is applied; an event it refuses is parked with the reason. */
  verify?: EnvelopeVerifier;
  /**
   * Opens sealed personal data before the handler sees it (see personalDataOpener): prepared once
   * per batch in its transaction, then called for each event. The inbox keeps the event as it
   * arrived, sealed, so that erasing the key erases the inbox's copy too.
   */
  open?: BatchOpener;
  /**
   * Called with a batch's events before its transaction begins, e.g. to wait for data keys still
   * on their way: waiting inside the transaction would hold back every log reader of the cluster.
   */
  beforeBatch?: (envelopes: EventEnvelope[]) => Promise<void>;
  /** Database URL, to hear replay requests from the `parked` command (off without it). */
  databaseUrl?: string;
  onError?: (error: Error) => void;
}

type Decoded = { envelope: EventEnvelope } | { poison: PoisonMessage };

interface ParkRow {
  id: string;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
  event_id: string | null;
  stream_id: string | null;
  claimed_stream_id: string | null;
  type: string | null;
  reason: string;
  held_behind: string | null;
  attempts: number;
  message_key: Buffer | null;
  message_value: Buffer | null;
  parked_at: Date;
}

/** Where a message was read. */
type Where = { topic: string; partition: number; offset: string };
type Open = (envelope: EventEnvelope) => Promise<EventEnvelope>;

/** An applied event's inbox record, kept to be written with the batch's others. */
type InboxRecord = Where & { envelope: EventEnvelope };

/** What one pass over a batch did. */
interface BatchOutcome {
  last?: string;
  handled: number;
  applied: number;
  deadLetters: { message: KafkaMessage; reason: string }[];
  /** The batch ended before an event that could not be applied yet (ApplyLater). */
  later: boolean;
}

/** Ends the optimistic pass over a batch: a handler failed, so the batch goes again with savepoints. */
class FirstAttemptFailed extends Error {
  constructor(override readonly cause: Error) {
    super(`first attempt failed: ${cause.message}`);
  }
}

/** What applyWithRetries answers for an event that cannot be applied yet: the batch stops before it. */
const APPLY_LATER = Symbol('apply later');

/** The pause before an event that could not be applied yet is fetched again, at most (ms). */
const APPLY_LATER_PAUSE_MS = 1000;

/**
 * Applies events from Kafka exactly once to the agency's database.
 *
 * kafkajs is used directly rather than through @nestjs/microservices' Kafka transport: that
 * transport hands over one message at a time and commits offsets on its own schedule, while
 * this runtime needs a whole fetched batch in one Postgres transaction (a savepoint per event once one fails),
 * offsets committed only after that transaction, and control over retries and parking per stream.
 *
 * For each batch: every event's effect, its inbox record and the partition's checkpoint commit
 * in one transaction; offsets are committed to Kafka after it. A redelivered event is found in
 * the inbox (or below the checkpoint) and skipped. An event that keeps failing, or a message
 * that cannot be decoded, is parked in `interlink.parked_events` and copied to the dead-letter
 * topic with its reason; later events of the same stream are parked behind it, so the stream's
 * order is kept while other streams go on. `replayParked` applies them again, in order.
 */
export class EventConsumer {
  private consumer?: SupervisedConsumer;
  private producer?: RenewingProducer;
  private replayListener?: NotificationListener;
  readonly deadLetterTopic: string;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly applyLaterLimitMs: number;
  /** Events that could not be applied yet, and when they first said so (Date.now()). */
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topicManager: TopicManager,
    private readonly dataSource: DataSource,
    private readonly registry: EventRegistry,
    private readonly options: EventConsumerOptions,
  ) {
    this.deadLetterTopic = options.deadLetterTopic ?? `dlq.${options.name}`;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? 200;
    this.applyLaterLimitMs = options.applyLaterLimitMs ?? 600_000;
  }

  get name(): string {
    return this.options.name;
  }

  async start(): Promise<void> {
    if (this.options.createTopics ?? true) {
      await this.topicManager.ensure([...this.options.topics, this.deadLetterTopic]);
    }
    this.producer = new RenewingProducer(this.kafka);
    await this.producer.connect();
    if (this.options.databaseUrl) {
      const serve = () => void this.serveReplayRequests().catch((error: Error) => this.options.onError?.(error));
      this.replayListener = new NotificationListener(this.options.databaseUrl, REPLAY_CHANNEL, serve, this.options.onError);
      await this.replayListener.start();
      serve();
    }
    this.consumer = new SupervisedConsumer(this.kafka, {
      config: {
        groupId: this.options.name,
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100,
        sessionTimeout: this.options.sessionTimeout ?? 30000,
      },
      subscription: { topics: this.options.topics, fromBeginning: true },
      run: {
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.processBatch(payload),
      },
      onError: this.options.onError,
    });
    await this.consumer.start();
  }

  /** Whether the consumer is in its group, and its crashes and restarts. */
  health(): ConsumerHealth {
    return this.consumer?.health() ?? { running: false, restarts: 0 };
  }

  async stop(): Promise<void> {
    await this.replayListener?.stop();
    await this.consumer?.stop();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }

  private async processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    if (batch.messages.length === 0) return;
    const decoded = new Map<KafkaMessage, Decoded>(
      batch.messages.map((m) => {
        try {
          return [m, { envelope: decodeMessage(this.registry, this.options.agencyId, topic, m, this.options.verify) }];
        } catch (error) {
          if (error instanceof PoisonMessage) return [m, { poison: error }];
          throw error;
        }
      }),
    );

    if (this.options.beforeBatch) {
      // The wait (for data keys) may outlast the group session: keep heartbeating through it, or the
      // group drops this member, the batch comes back, and it waits again, for ever.
      const beforeBatch = this.options.beforeBatch;
      await heartbeating(heartbeat, () => beforeBatch([...decoded.values()].flatMap((d) => ('envelope' in d ? [d.envelope] : []))));
    }

    // First without a savepoint per event (two round trips fewer each); a handler that fails
    // sends the whole batch round again, each event in its savepoint with retries and parking.
    let outcome: BatchOutcome;
    try {
      outcome = await this.applyBatch(batch, decoded, heartbeat, isRunning, isStale, 'optimistic');
    } catch (error) {
      if (!(error instanceof FirstAttemptFailed)) throw error;
      outcome = await this.applyBatch(batch, decoded, heartbeat, isRunning, isStale, 'careful');
    }
    const { last, handled, applied, deadLetters, later } = outcome;
    countConsumed(this.name, { applied, parked: deadLetters.length, skipped: handled - applied - deadLetters.length });
    if (last !== undefined) {
      resolveOffset(last);
      await this.consumer!.commitApplied(topic, partition, last);
    }
    if (later) {
      // The rest of the batch, from the event that could not be applied yet, comes again with the
      // next fetch (only what was resolved is behind the consumer); a pause first, heartbeating.
      await heartbeating(heartbeat, () => new Promise((r) => setTimeout(r, Math.min(APPLY_LATER_PAUSE_MS, Math.max(this.backoffMs, 50)))));
    }
  }

  /** One pass over a batch in one transaction (see processBatch for the two modes). */
  private async applyBatch(
    batch: EachBatchPayload['batch'],
    decoded: Map<KafkaMessage, Decoded>,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
    isStale: () => boolean,
    mode: 'optimistic' | 'careful',
  ): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    let last: string | undefined;
    let handled = 0;
    let applied = 0;
    let later = false;
    const deadLetters: { message: KafkaMessage; reason: string }[] = [];
    // The optimistic pass writes the batch's inbox records in one statement (see flushInbox).
    const inbox: InboxRecord[] | undefined = mode === 'optimistic' ? [] : undefined;
    await this.dataSource.transaction(async (tx) => {
      const { checkpoint, applied: seen, held } = await beginBatch(tx, {
        consumer: this.name,
        topic,
        partition,
        eventIds: [...decoded.values()].flatMap((d) => ('envelope' in d ? [d.envelope.id] : [])),
        streams: [...decoded.values()].flatMap((d) => {
          const stream = 'envelope' in d ? d.envelope.subject : d.poison.holdsStream ? d.poison.partial.streamId : undefined;
          return stream ? [stream] : [];
        }),
      });
      const open = await this.opener(tx, [...decoded.values()].flatMap((d) => ('envelope' in d && !seen.has(d.envelope.id) ? [d.envelope] : [])));

      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        if (BigInt(message.offset) > checkpoint) {
          const where = { topic, partition, offset: message.offset };
          const d = decoded.get(message)!;
          if ('poison' in d) {
            await this.park(tx, where, message, d.poison, held, deadLetters);
          } else if (!seen.has(d.envelope.id)) {
            const parked = (reason: string) => new PoisonMessage(reason, { eventId: d.envelope.id, streamId: d.envelope.subject, type: d.envelope.type }, true);
            const headOfStream = held.get(d.envelope.subject);
            if (headOfStream !== undefined) {
              await this.park(tx, where, message, parked(`held back behind parked event #${headOfStream} of stream "${d.envelope.subject}"`), held, deadLetters);
            } else {
              const failure = inbox ? await this.applyFirstTime(tx, d.envelope, where, open, inbox) : await this.applyWithRetries(tx, d.envelope, where, open, heartbeat);
              if (failure === APPLY_LATER) {
                // Neither applied nor parked: the batch ends before it (see ApplyLater).
                later = true;
                break;
              }
              if (failure === undefined) applied++;
              if (failure) await this.park(tx, where, message, parked(failure), held, deadLetters);
            }
            seen.add(d.envelope.id);
          }
        }
        last = message.offset;
        handled++;
        // A long batch must not outlive the group session (kafkajs heartbeats for eachBatch only
        // when asked; it sends one only once heartbeatInterval has passed). If the group is
        // rebalancing or has dropped this member, this throws: the transaction rolls back and the
        // batch is delivered again to whoever owns the partition.
        await heartbeat();
      }
      await this.flushInbox(tx, inbox ?? [], last === undefined ? undefined : { topic, partition, offset: last });
      if (deadLetters.length > 0) await this.sendDeadLetters(topic, partition, deadLetters);
    });
    return { last, handled, applied, deadLetters, later };
  }

  /**
   * The optimistic pass: the effects without a savepoint, the inbox record kept for flushInbox; a
   * failure ends the pass (FirstAttemptFailed). An erasure's handler may read the inbox's sealed
   * copies of earlier events (the console does), so the records kept so far are written first.
   */
  private async applyFirstTime(tx: EntityManager, envelope: EventEnvelope, where: Where, open: Open, inbox: InboxRecord[]): Promise<undefined> {
    try {
      if (isErasureType(envelope.type)) await this.flushInbox(tx, inbox);
      await this.applyEffects(tx, envelope, where, open, inbox);
    } catch (error) {
      throw error instanceof FirstAttemptFailed ? error : new FirstAttemptFailed(error as Error);
    }
    return undefined;
  }

  /**
   * Writes the inbox records kept by the optimistic pass, in one statement (one round trip instead
   * of one per event), and empties the list; with `checkpoint`, the partition's checkpoint moves
   * to that offset in the same statement (one more round trip saved per batch). A failure ends
   * the pass like a handler's.
   */
  private async flushInbox(tx: EntityManager, inbox: InboxRecord[], checkpoint?: Where): Promise<void> {
    const rows = inbox.splice(0).map((r) => [this.name, r.envelope.id, r.envelope.subject, r.envelope.type, r.topic, r.partition, r.offset, JSON.stringify(r.envelope)]);
    const moveCheckpoint = checkpoint && [this.name, checkpoint.topic, checkpoint.partition, checkpoint.offset];
    if (rows.length === 0) {
      if (moveCheckpoint) await tx.query(checkpointStatement(1), moveCheckpoint);
      return;
    }
    try {
      await insertValues(tx, INBOX_INSERT, INBOX_CASTS, rows, '', moveCheckpoint && {
        sql: (insert, next) => `WITH inbox AS (${insert}) ${checkpointStatement(next)}`,
        parameters: moveCheckpoint,
      });
    } catch (error) {
      throw new FirstAttemptFailed(error as Error);
    }
  }

  /** Runs the handler in a savepoint, retrying with backoff; returns the reason it gave up, if it did. */
  private async applyWithRetries(
    tx: EntityManager,
    envelope: EventEnvelope,
    where: Where,
    open: Open,
    heartbeat: () => Promise<void>,
  ): Promise<string | typeof APPLY_LATER | undefined> {
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 2)));
        await heartbeat();
      }
      if (await this.applyOnce(tx, envelope, where, open).then(() => true, (e: Error) => ((lastError = e), false))) {
        return undefined;
      }
      if (isApplyLater(lastError)) {
        if (!this.waitingSince.has(envelope.id)) this.waitingSince.set(envelope.id, Date.now());
        const waited = Date.now() - this.waitingSince.get(envelope.id)!;
        if (waited < this.applyLaterLimitMs) return APPLY_LATER;
        this.waitingSince.delete(envelope.id);
        return `could not be applied for ${(waited / 1000).toFixed(0)} s: ${lastError.message}`;
      }
    }
    this.waitingSince.delete(envelope.id);
    return `handler failed ${this.maxAttempts} times: ${lastError?.message ?? 'unknown error'}`;
  }

  private async applyOnce(
    tx: EntityManager,
    envelope: EventEnvelope,
    where: Where,
    open: Open,
  ): Promise<void> {
    await tx.query('SAVEPOINT apply_event');
    try {
      await this.applyEffects(tx, envelope, where, open);
      await tx.query('RELEASE SAVEPOINT apply_event');
    } catch (error) {
      // If even this fails the connection is gone: the batch aborts and Kafka delivers it again.
      await tx.query('ROLLBACK TO SAVEPOINT apply_event');
      throw error;
    }
  }

  /** The opener of a batch's events (see EventConsumerOptions.open); without one, events are taken as they came. */
  private async opener(tx: EntityManager, envelopes: EventEnvelope[]): Promise<Open> {
    return this.options.open ? this.options.open(tx, envelopes) : async (envelope) => envelope;
  }

  /** The event's effects: opened, handled, and recorded in the inbox (now, or kept in `inbox` for flushInbox). */
  private async applyEffects(tx: EntityManager, envelope: EventEnvelope, where: Where, open: Open, inbox?: InboxRecord[]): Promise<void> {
    const opened = await open(envelope);
    await consuming(envelope, { consumer: this.name, agencyId: this.options.agencyId, ...where }, () => this.options.handler(opened, { manager: tx, ...where }));
    // Applied in either pass: it no longer waits (see ApplyLater).
    if (this.waitingSince.size > 0) this.waitingSince.delete(envelope.id);
    if (inbox) {
      inbox.push({ envelope, ...where });
      return;
    }
    await tx.query(
      `${INBOX_INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [this.name, envelope.id, envelope.subject, envelope.type, where.topic, where.partition, where.offset, JSON.stringify(envelope)],
    );
  }

  private async park(
    tx: EntityManager,
    where: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
    poison: PoisonMessage,
    held: Map<string, number>,
    deadLetters: { message: KafkaMessage; reason: string }[],
  ): Promise<void> {
    const { partial, reason, holdsStream } = poison;
    const stream = holdsStream ? partial.streamId : undefined;
    const heldBehind = stream ? held.get(stream) : undefined;
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO interlink.parked_events
         (consumer, topic, kafka_partition, kafka_offset, event_id, stream_id, claimed_stream_id, type, reason, held_behind, attempts,
          message_key, message_value, message_headers)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (consumer, topic, kafka_partition, kafka_offset) DO NOTHING
       RETURNING id::text`,
      [
        this.name, where.topic, where.partition, where.offset, partial.eventId ?? null, stream ?? null,
        holdsStream ? null : printable(partial.streamId), printable(partial.type), printable(reason), heldBehind ?? null,
        heldBehind === undefined ? 1 : 0, message.key, message.value, JSON.stringify(headersToJson(message.headers)),
      ],
    );
    if (rows.length > 0 && stream && heldBehind === undefined) held.set(stream, Number(rows[0].id));
    deadLetters.push({ message, reason });
  }

  /**
   * Copies parked messages to the dead-letter topic, in produce requests the broker takes: at most
   * PRODUCE_CHUNK_BYTES each, and a message too large to be copied whole goes without its key,
   * value and headers, saying so (it is kept whole in `interlink.parked_events`).
   */
  private async sendDeadLetters(topic: string, partition: number, deadLetters: { message: KafkaMessage; reason: string }[]) {
    const letters = deadLetters.map(({ message, reason }) => {
      const about = {
        'interlink-parked-reason': printable(reason),
        'interlink-original-topic': topic,
        'interlink-original-partition': String(partition),
        'interlink-original-offset': message.offset,
        'interlink-consumer': this.name,
      };
      const whole: Message = { key: message.key, value: message.value, headers: { ...message.headers, ...about } };
      const size = messageBytes(whole);
      if (size <= DEAD_LETTER_MAX_BYTES) return whole;
      return {
        key: null,
        value: null,
        headers: {
          ...about,
          'interlink-dead-letter-truncated': `the message has ${size} bytes with its key and headers, more than a dead letter may (${DEAD_LETTER_MAX_BYTES}); it is kept whole in interlink.parked_events`,
        },
      };
    });
    for (const chunk of chunksOf(letters, messageBytes, PRODUCE_CHUNK_BYTES)) {
      await this.producer!.send({ topic: this.deadLetterTopic, acks: -1, messages: chunk });
    }
  }

  /** Unresolved parked events of this consumer, oldest first. */
  listParked(options: { streamId?: string; includeResolved?: boolean } = {}): Promise<ParkedEvent[]> {
    return listParkedEvents(this.dataSource.manager, { consumer: this.name, ...options });
  }

  /**
   * Applies parked events again, each stream in its original order, stopping a stream at its
   * first event that still fails (which stays parked with the new reason). Batches wait while
   * a replay runs, so no new event of a stream slips past the ones being replayed.
   */
  async replayParked(options: { streamId?: string } = {}): Promise<ReplayReport> {
    const report: ReplayReport = { replayed: 0, stillParked: 0, failures: [] };
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [consumerLockKey(this.name)]);
      const rows: ParkRow[] = await tx.query(
        `SELECT id::text, topic, kafka_partition, kafka_offset::text, event_id::text, stream_id, claimed_stream_id, type, reason,
                held_behind::text, attempts, message_key, message_value, parked_at
           FROM interlink.parked_events
          WHERE consumer = $1 AND resolved_at IS NULL AND ($2::text IS NULL OR stream_id = $2)
          ORDER BY parked_events.id`,
        [this.name, options.streamId ?? null],
      );
      const blocked = new Set<string>();
      for (const row of rows) {
        // A message that named a stream without proof holds nothing back, but when it now passes
        // (its sender's new key arrived) it keeps its place among the others naming that stream.
        const stream = row.stream_id ?? row.claimed_stream_id ?? `#${row.id}`;
        if (blocked.has(stream)) {
          report.stillParked++;
          continue;
        }
        const where = { topic: row.topic, partition: row.kafka_partition, offset: row.kafka_offset };
        let failure: string | undefined;
        let resolution = 'replayed';
        try {
          const envelope = decodeMessage(this.registry, this.options.agencyId, row.topic, { key: row.message_key, value: row.message_value }, this.options.verify);
          const applied = await tx.query(`SELECT 1 FROM interlink.inbox WHERE consumer = $1 AND event_id = $2`, [this.name, envelope.id]);
          if (applied.length > 0) resolution = 'already applied';
          else await this.applyOnce(tx, envelope, where, await this.opener(tx, [envelope]));
        } catch (error) {
          failure = (error as Error).message;
        }
        if (failure === undefined) {
          await tx.query(
            `UPDATE interlink.parked_events SET resolved_at = now(), resolution = $2, attempts = attempts + 1 WHERE id = $1`,
            [row.id, resolution],
          );
          report.replayed++;
        } else {
          await tx.query(`UPDATE interlink.parked_events SET reason = $2, attempts = attempts + 1 WHERE id = $1`, [row.id, printable(failure)]);
          report.failures.push({ id: Number(row.id), reason: failure });
          report.stillParked++;
          blocked.add(stream);
        }
      }
    });
    return report;
  }

  /** Gives up on one parked event for good (an operator's decision), releasing its stream. */
  discardParked(id: number, note: string): Promise<void> {
    return this.dataSource.transaction((m) => discardParkedEvent(m, this.name, id, note));
  }

  /** Serves replay requests left for this consumer by the `parked` command, oldest first. */
  async serveReplayRequests(): Promise<number> {
    let served = 0;
    for (;;) {
      const claimed: { id: string; stream_id: string | null }[] = await this.dataSource.query(
        `WITH claimed AS (
           UPDATE interlink.replay_requests SET started_at = now()
            WHERE id = (SELECT id FROM interlink.replay_requests
                         WHERE consumer = $1 AND started_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
           RETURNING id::text, stream_id)
         SELECT * FROM claimed`,
        [this.name],
      );
      if (claimed.length === 0) return served;
      const [request] = claimed;
      try {
        const report = await this.replayParked({ streamId: request.stream_id ?? undefined });
        await this.dataSource.query(`UPDATE interlink.replay_requests SET completed_at = now(), report = $2 WHERE id = $1`, [
          request.id,
          JSON.stringify(report),
        ]);
      } catch (error) {
        await this.dataSource.query(`UPDATE interlink.replay_requests SET completed_at = now(), error = $2 WHERE id = $1`, [
          request.id,
          printable((error as Error).message),
        ]);
      }
      served++;
    }
  }

}

/** What a consumer knows before it applies a batch from one partition (see beginBatch). */
export interface BatchStart {
  /** The partition's last applied offset, -1 if none. */
  checkpoint: bigint;
  /** The batch's event ids that the consumer's inbox holds: applied already. */
  applied: Set<string>;
  /** Streams of the batch held back by an unresolved parked event: stream id -> that event's id. */
  held: Map<string, number>;
}

/**
 * Starts a consumer's batch in one round trip (`interlink.begin_consumer_batch`): takes the lock
 * that batches share and a replay of parked events takes alone, and reads the partition's
 * checkpoint, which of `eventIds` the inbox holds, and the first unresolved parked event of each
 * of `streams`. The inbox is probed once per id whatever the table's statistics say: with
 * `event_id = ANY(...)` a batch of more than about 150 events read the consumer's whole inbox when
 * the table had none (never analysed, autovacuum off).
 */
export async function beginBatch(
  manager: EntityManager,
  batch: { consumer: string; topic: string; partition: number; eventIds: string[]; streams: string[] },
): Promise<BatchStart> {
  const [{ start }]: { start: { checkpoint: string | null; applied: string[]; held: Record<string, number> } }[] = await manager.query(
    `SELECT interlink.begin_consumer_batch($1, $2, $3, $4::int, $5::uuid[], $6::text[]) AS start`,
    [consumerLockKey(batch.consumer), batch.consumer, batch.topic, batch.partition, batch.eventIds, [...new Set(batch.streams)]],
  );
  return {
    checkpoint: start.checkpoint === null ? -1n : BigInt(start.checkpoint),
    applied: new Set(start.applied),
    held: new Map(Object.entries(start.held)),
  };
}

/**
 * Largest dead letter copied whole: the message was at most message.max.bytes on its own topic,
 * and the headers added to it could take it over the dead-letter topic's limit.
 */
export const DEAD_LETTER_MAX_BYTES = 900 * 1024;

/** Text safe to store and show: no NUL or other control characters (they come from hostile input), at most 2,000 characters. */
export function printable<T extends string | undefined>(text: T): T extends string ? string : null;
export function printable(text: string | undefined): string | null {
  if (text === undefined) return null;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd').slice(0, 2000);
}

/** Runs `work` while heartbeating to the group every second, so a long wait does not cost this member its partitions. */
async function heartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), 1000);
  try {
    return await work();
  } finally {
    clearInterval(keepAlive);
  }
}

function headersToJson(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[printable(name)] = printable(Array.isArray(value) ? value.map(String).join(',') : String(value));
  }
  return out;
}

import { EntityManager } from 'typeorm';

export interface ParkedEvent {
  id: number;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  eventId: string | null;
  /** The stream it holds back (its own, as its sender published it). */
  streamId: string | null;
  /** The stream a message not known to come from its sender named; it holds nothing back. */
  claimedStreamId: string | null;
  type: string | null;
  reason: string;
  heldBehind: number | null;
  attempts: number;
  parkedAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
}

export interface ReplayReport {
  replayed: number;
  stillParked: number;
  failures: { id: number; reason: string }[];
}

/** Key of the lock that batches share and replays and discards take alone. */
export function consumerLockKey(consumer: string): string {
  return `consumer:${consumer}`;
}

/** Parked events, oldest first: unresolved only unless `includeResolved`. */
export async function listParkedEvents(
  db: EntityManager,
  filter: { consumer?: string; streamId?: string; includeResolved?: boolean } = {},
): Promise<ParkedEvent[]> {
  const rows: Record<string, any>[] = await db.query(
    `SELECT id::text, consumer, topic, kafka_partition, kafka_offset::text, event_id::text, stream_id, claimed_stream_id, type, reason,
            held_behind::text, attempts, parked_at, resolved_at, resolution
       FROM interlink.parked_events
      WHERE ($1::text IS NULL OR consumer = $1) AND ($2::text IS NULL OR stream_id = $2) AND ($3 OR resolved_at IS NULL)
      ORDER BY parked_events.id`,
    [filter.consumer ?? null, filter.streamId ?? null, filter.includeResolved ?? false],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    consumer: r.consumer,
    topic: r.topic,
    partition: r.kafka_partition,
    offset: r.kafka_offset,
    eventId: r.event_id,
    streamId: r.stream_id,
    claimedStreamId: r.claimed_stream_id,
    type: r.type,
    reason: r.reason,
    heldBehind: r.held_behind === null ? null : Number(r.held_behind),
    attempts: r.attempts,
    parkedAt: r.parked_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
  }));
}

/** Gives up on one parked event for good (an operator's decision), releasing its stream. Runs in `db`'s transaction. */
export async function discardParkedEvent(db: EntityManager, consumer: string, id: number, note: string): Promise<void> {
  if (!note.trim()) throw new Error('say why the event is discarded (a note is required)');
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [consumerLockKey(consumer)]);
  const rows = await db.query(
    `WITH discarded AS (
       UPDATE interlink.parked_events SET resolved_at = now(), resolution = $3
        WHERE id = $1 AND consumer = $2 AND resolved_at IS NULL RETURNING id)
     SELECT id FROM discarded`,
    [id, consumer, `discarded: ${note}`],
  );
  if (rows.length === 0) throw new Error(`no unresolved parked event #${id} for consumer "${consumer}"`);
}

import { DataSource } from 'typeorm';
import { EventEnvelope } from '@interlink/contracts';
import { DataKeys } from '@interlink/event-store';
import { openData, openDataInPlace, sealedRefs } from '@interlink/security';
import { LogRecord } from '../verify/chain-verifier';

export interface Range {
  from?: number;
  to?: number;
  /** Only events that happened at or before this moment. */
  asOf?: Date;
}

/**
 * The agency's events with sequence numbers in ($2, $3], each sequence once (its first copy
 * stored), as of $4 when given. A window of sequence numbers rather than `LIMIT` after the last one
 * read: whatever plan Postgres picks, and without statistics on the table it sorts what it finds,
 * a page reads no more than its window's rows. With `LIMIT`, each page sorted all that followed it
 * or started parallel workers to do so (81 ms a page of 2,000 over 200,000 events, against 2-10).
 */
export const EVENTS_PAGE = `SELECT DISTINCT ON (a.sequence) a.envelope FROM audit.archive a
  WHERE a.agency = $1 AND a.sequence > $2 AND a.sequence <= $3
    AND ($4::timestamptz IS NULL OR a.event_time <= $4) AND a.envelope IS NOT NULL
  ORDER BY a.sequence, a.kafka_partition, a.kafka_offset`;

/**
 * The partitions an agency's records are archived in, each with its first and last offset: one
 * probe of archive_agency_order per partition and end (a loose index scan), not a read of the rows.
 */
const ARCHIVED_PARTITIONS = `WITH RECURSIVE partitions AS (
    SELECT (SELECT min(a.kafka_partition) FROM audit.archive a WHERE a.agency = $1) AS partition
    UNION ALL
    SELECT (SELECT min(a.kafka_partition) FROM audit.archive a WHERE a.agency = $1 AND a.kafka_partition > p.partition)
      FROM partitions p WHERE p.partition IS NOT NULL)
  SELECT p.partition,
         (SELECT min(a.kafka_offset) FROM audit.archive a WHERE a.agency = $1 AND a.kafka_partition = p.partition)::text AS first,
         (SELECT max(a.kafka_offset) FROM audit.archive a WHERE a.agency = $1 AND a.kafka_partition = p.partition)::text AS last
    FROM partitions p WHERE p.partition IS NOT NULL ORDER BY p.partition`;

/** An agency's records in a partition ($2) with offsets in ($3, $4], in offset order. */
export const RECORDS_PAGE = `SELECT a.topic, a.kafka_offset::text, a.raw FROM audit.archive a
  WHERE a.agency = $1 AND a.kafka_partition = $2 AND a.kafka_offset > $3::bigint AND a.kafka_offset <= $4::bigint
  ORDER BY a.kafka_offset`;

/**
 * Reads an agency's archived feed in the order it was stored, in pages, so a log of millions of
 * events never sits in memory at once.
 */
export class ArchiveReader {
  private readonly keys = new DataKeys();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Raw records in storage order (partition by partition, in offset order), for verification. Read
   * in windows of offsets, as events are in windows of sequence numbers (see EVENTS_PAGE).
   */
  async *records(agency: string, pageSize = 5000): AsyncGenerator<LogRecord> {
    const partitions: { partition: number; first: string; last: string }[] = await this.dataSource.query(ARCHIVED_PARTITIONS, [agency]);
    const window = BigInt(pageSize);
    for (const { partition, first, last } of partitions) {
      const end = BigInt(last);
      for (let after = BigInt(first) - 1n; after < end; after += window) {
        const upTo = after + window < end ? after + window : end;
        const rows: { topic: string; kafka_offset: string; raw: Buffer | null }[] = await this.dataSource.query(RECORDS_PAGE, [agency, partition, after.toString(), upTo.toString()]);
        for (const r of rows) yield { position: `${r.topic}[${partition}]@${r.kafka_offset}`, value: r.raw };
      }
    }
  }

  /**
   * The agency's events in log order, each sequence once (republished duplicates dropped), in
   * the range asked for; stubs of withheld (RED) events are left out. Sealed personal data is
   * opened with the keys the agency delivered to the auditors: an erased record reads as erased,
   * one whose key never arrived as redacted. `open` limits the opening to the events of the types
   * it answers true for (a replay's projections read the personal data of a few); the others keep
   * their sealed parts.
   */
  async *events(agency: string, range: Range = {}, options: EventsOptions = {}): AsyncGenerator<EventEnvelope> {
    const { pageSize = 2000, open } = options;
    // The last sequence archived when the read begins (what is archived meanwhile is not read).
    const [{ last }]: { last: string | null }[] = await this.dataSource.query(`SELECT max(a.sequence)::text AS last FROM audit.archive a WHERE a.agency = $1`, [agency]);
    if (last === null) return;
    const end = Math.min(Number(last), range.to ?? Infinity);
    for (let after = (range.from ?? 1) - 1; after < end; after += pageSize) {
      const rows: { envelope: EventEnvelope }[] = await this.dataSource.query(EVENTS_PAGE, [agency, after, Math.min(after + pageSize, end), range.asOf ?? null]);
      const envelopes = rows.map((r) => r.envelope);
      await this.openInPlace(agency, open ? envelopes.filter((e) => open(e.type)) : envelopes);
      for (const envelope of envelopes) if (envelope.datawithheld === undefined) yield envelope;
    }
  }

  /** Opens the sealed personal data of `agency`'s archived events with the keys the auditors hold. */
  async open(agency: string, envelopes: EventEnvelope[]): Promise<EventEnvelope[]> {
    const keys = await this.keysOf(agency, envelopes);
    if (!keys) return envelopes;
    return envelopes.map((e) => (e.data === undefined ? e : { ...e, data: openData(e.data, (ref) => keys.get(ref), { whenMissing: 'redact' }) }));
  }

  /** As open, in the envelopes themselves: for envelopes the driver has just parsed, that nobody else holds. */
  private async openInPlace(agency: string, envelopes: EventEnvelope[]): Promise<void> {
    const keys = await this.keysOf(agency, envelopes);
    if (!keys) return;
    for (const e of envelopes) if (e.data !== undefined) e.data = openDataInPlace(e.data, (ref) => keys.get(ref), { whenMissing: 'redact' });
  }

  /** The auditors' keys of the records sealed in `envelopes`; undefined when none is sealed. */
  private async keysOf(agency: string, envelopes: EventEnvelope[]): Promise<Map<string, Buffer | null> | undefined> {
    const refs = new Set<string>();
    for (const e of envelopes) if (e.data !== undefined) sealedRefs(e.data, refs);
    return refs.size === 0 ? undefined : this.keys.find(this.dataSource.manager, agency, refs);
  }
}

export interface EventsOptions {
  /** Sequence numbers read per query (default 2,000). */
  pageSize?: number;
  /** Which events' sealed personal data to open, by type (default: every event's). */
  open?: (type: string) => boolean;
}

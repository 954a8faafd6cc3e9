import { DataSource } from 'typeorm';
import { EventEnvelope } from '@interlink/contracts';
import { DataKeys } from '@interlink/event-store';
import { openData, sealedRefs } from '@interlink/security';
import { LogRecord } from '../verify/chain-verifier';

export interface Range {
  from?: number;
  to?: number;
  /** Only events that happened at or before this moment. */
  asOf?: Date;
}

/**
 * Reads an agency's archived feed in the order it was stored, in pages, so a log of millions of
 * events never sits in memory at once.
 */
export class ArchiveReader {
  private readonly keys = new DataKeys();

  constructor(private readonly dataSource: DataSource) {}

  /** Raw records in storage order, for verification. */
  async *records(agency: string, pageSize = 5000): AsyncGenerator<LogRecord> {
    let after: [number, string] = [-1, '-1'];
    for (;;) {
      const rows: { kafka_partition: number; kafka_offset: string; raw: Buffer | null; topic: string }[] = await this.dataSource.query(
        `SELECT a.topic, a.kafka_partition, a.kafka_offset::text, a.raw FROM audit.archive a
          WHERE a.agency = $1 AND (a.kafka_partition, a.kafka_offset) > ($2, $3::bigint)
          ORDER BY a.kafka_partition, a.kafka_offset LIMIT $4`,
        [agency, after[0], after[1], pageSize],
      );
      for (const r of rows) yield { position: `${r.topic}[${r.kafka_partition}]@${r.kafka_offset}`, value: r.raw };
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = [last.kafka_partition, last.kafka_offset];
    }
  }

  /**
   * The agency's events in log order, each sequence once (republished duplicates dropped), in
   * the range asked for; stubs of withheld (RED) events are left out. Sealed personal data is
   * opened with the keys the agency delivered to the auditors: an erased record reads as erased,
   * one whose key never arrived as redacted.
   */
  async *events(agency: string, range: Range = {}, pageSize = 2000): AsyncGenerator<EventEnvelope> {
    let after = (range.from ?? 1) - 1;
    for (;;) {
      const rows: { sequence: string; envelope: EventEnvelope }[] = await this.dataSource.query(
        `SELECT DISTINCT ON (a.sequence) a.sequence::text AS sequence, a.envelope FROM audit.archive a
          WHERE a.agency = $1 AND a.sequence > $2 AND ($3::bigint IS NULL OR a.sequence <= $3)
            AND ($4::timestamptz IS NULL OR a.event_time <= $4) AND a.envelope IS NOT NULL
          ORDER BY a.sequence, a.kafka_partition, a.kafka_offset LIMIT $5`,
        [agency, after, range.to ?? null, range.asOf ?? null, pageSize],
      );
      for (const envelope of await this.open(agency, rows.map((r) => r.envelope))) if (envelope.datawithheld === undefined) yield envelope;
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1].sequence);
    }
  }

  /** Opens the sealed personal data of `agency`'s archived events with the keys the auditors hold. */
  async open(agency: string, envelopes: EventEnvelope[]): Promise<EventEnvelope[]> {
    const refs = new Set<string>();
    for (const e of envelopes) if (e.data !== undefined) sealedRefs(e.data, refs);
    if (refs.size === 0) return envelopes;
    const keys = await this.keys.find(this.dataSource.manager, agency, refs);
    return envelopes.map((e) =>
      e.data === undefined ? e : { ...e, data: openData(e.data, (ref) => keys.get(ref), { whenMissing: 'redact' }) },
    );
  }
}

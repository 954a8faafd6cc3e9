import { Logger } from '@nestjs/common';
import { EachBatchPayload, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { topicFor } from '@interlink/contracts';
import { ConsumerHealth, SupervisedConsumer, TopicManager, commitAfterTransaction } from '@interlink/messaging';
import { countConsumed } from '@interlink/observability';

interface Parsed {
  envelope: Record<string, unknown> | null;
  sequence: number | null;
  eventId: string | null;
  type: string | null;
  subject: string | null;
  time: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What can be read of a record without trusting it: verification judges it later. */
export function parseRecord(value: Buffer | null): Parsed {
  const empty: Parsed = { envelope: null, sequence: null, eventId: null, type: null, subject: null, time: null };
  if (!value) return empty;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return empty;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return empty;
  // Postgres jsonb cannot hold U+0000; such a record is kept as raw bytes only.
  if (value.includes('\\u0000')) return empty;
  const e = json as Record<string, unknown>;
  const str = (v: unknown, max = 200) => (typeof v === 'string' && v.length <= max ? v : null);
  const time = str(e.time, 40);
  return {
    envelope: e,
    sequence: Number.isSafeInteger(e.sequence) ? (e.sequence as number) : null,
    eventId: typeof e.id === 'string' && UUID.test(e.id) ? e.id : null,
    type: str(e.type),
    subject: str(e.subject),
    time: time && !Number.isNaN(Date.parse(time)) ? time : null,
  };
}

/**
 * Archives every record of every audited agency's feed (`intel.<agency>.<audit>`), as it
 * arrived, before anything judges it: a record is stored once per (topic, partition, offset)
 * and the Kafka offset is committed only after the insert.
 */
export class ArchiveConsumer {
  private readonly logger = new Logger('ArchiveConsumer');
  private consumer?: SupervisedConsumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicManager,
    private readonly dataSource: DataSource,
    private readonly auditId: string,
    private readonly agencies: string[],
  ) {}

  get groupId(): string {
    return `${this.auditId}-archive`;
  }

  get topicNames(): string[] {
    return this.agencies.map((agency) => topicFor(agency, this.auditId));
  }

  async start(): Promise<void> {
    await this.topics.ensure(this.topicNames);
    this.consumer = new SupervisedConsumer(this.kafka, {
      config: { groupId: this.groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false },
      subscription: { topics: this.topicNames, fromBeginning: true },
      run: { autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.archive(payload) },
      onError: (error) => this.logger.error(`archive consumer: ${error.message}`),
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  health(): ConsumerHealth {
    return this.consumer?.health() ?? { running: false, restarts: 0 };
  }

  private async archive({ batch, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const agency = batch.topic.slice('intel.'.length, batch.topic.length - this.auditId.length - 1);
    const rows = batch.messages.map((m) => ({ m, p: parseRecord(m.value) }));
    await this.dataSource.query(
      `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_id, type, subject, event_time)
       SELECT $1, $2, o, $3, r, e, s, i, t, sub, tm
         FROM unnest($4::bigint[], $5::bytea[], $6::jsonb[], $7::bigint[], $8::uuid[], $9::text[], $10::text[], $11::timestamptz[])
           AS x(o, r, e, s, i, t, sub, tm)
       ON CONFLICT DO NOTHING`,
      [
        batch.topic,
        batch.partition,
        agency,
        rows.map((r) => r.m.offset),
        rows.map((r) => r.m.value),
        rows.map((r) => (r.p.envelope ? JSON.stringify(r.p.envelope) : null)),
        rows.map((r) => r.p.sequence),
        rows.map((r) => r.p.eventId),
        rows.map((r) => r.p.type),
        rows.map((r) => r.p.subject),
        rows.map((r) => r.p.time),
      ],
    );
    countConsumed(this.groupId, { archived: rows.length });
    const last = batch.messages[batch.messages.length - 1].offset;
    resolveOffset(last);
    // Archiving again is harmless (one row per offset): a failed commit must not stop the archive.
    await commitAfterTransaction(this.consumer!.current, batch.topic, batch.partition, last, (error) => this.logger.warn(error.message));
  }
}

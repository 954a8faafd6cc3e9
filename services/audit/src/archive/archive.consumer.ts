import { Logger } from '@nestjs/common';
import { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { insertValues } from '@interlink/event-store';
import { topicFor, unstorableText } from '@interlink/contracts';
import { ConsumerHealth, SupervisedConsumer, TopicManager, printable } from '@interlink/messaging';
import { countConsumed } from '@interlink/observability';

interface Parsed {
  envelope: Record<string, unknown> | null;
  sequence: number | null;
  eventId: string | null;
  type: string | null;
  subject: string | null;
  time: string | null;
  /** Why the record is kept as raw bytes only, when it is. */
  unreadable: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Far deeper than any event nests; storing (JSON.stringify, jsonb) recurses once per level. */
const MAX_DEPTH = 64;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * What can be read of a record without trusting it: verification judges it later. A record
 * whose envelope cannot be stored as it is (not JSON, not an object, nested too deep, text
 * Postgres refuses) is kept as raw bytes only, with the reason.
 */
export function parseRecord(value: Buffer | null): Parsed {
  // The reason may quote the record (JSON.parse's messages do), NUL included.
  const unread = (why: string): Parsed => ({ envelope: null, sequence: null, eventId: null, type: null, subject: null, time: null, unreadable: printable(why) });
  if (!value || value.length === 0) return unread('the record has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return unread(`not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return unread('JSON, but not an object (an event envelope)');
  if (nestedDeeperThan(json, MAX_DEPTH)) return unread(`nested more than ${MAX_DEPTH} levels deep, deeper than any event`);
  const unstorable = unstorableText(json);
  if (unstorable) return unread(`the envelope at ${unstorable}, which Postgres cannot store`);
  const e = json as Record<string, unknown>;
  const str = (v: unknown, max = 200) => (typeof v === 'string' && v.length <= max ? v : null);
  return {
    envelope: e,
    sequence: Number.isSafeInteger(e.sequence) ? (e.sequence as number) : null,
    eventId: typeof e.id === 'string' && UUID.test(e.id) ? e.id : null,
    type: str(e.type),
    subject: str(e.subject),
    time: eventTime(e.time),
    unreadable: null,
  };
}

/** Whether a parsed JSON value nests deeper than `limit`; walks without recursion, so hostile nesting cannot overflow the stack. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * An event's `time` in a form Postgres takes, when it is an RFC 3339 date-time of a real day in
 * years 1 to 9999; anything else (JavaScript reads "1" or "2026-02-30" as dates) is left out.
 */
function eventTime(value: unknown): string | null {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [match[9], match[10]].map((v) => Number(v ?? 0));
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  const real = year >= 1 && month >= 1 && month <= 12 && calendar.getUTCDate() === day && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  if (!real) return null;
  const at = Date.parse((value as string).replace(/^(.{10})[ t]/, '$1T'));
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

/**
 * Archives every record of every audited agency's feed (`intel.<agency>.<audit>`), as it
 * arrived, before anything judges it: a record is stored once per (topic, partition, offset)
 * and the Kafka offset is committed only after the insert. What it cannot read, or Postgres
 * will not take as parsed, is kept as raw bytes with the reason: no record stops the archive.
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
    /** The broker's fetch wait, in ms. */
    private readonly maxWaitTimeInMs = 100,
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
      config: { groupId: this.groupId, maxWaitTimeInMs: this.maxWaitTimeInMs, allowAutoTopicCreation: false },
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
    try {
      await this.insert(batch.topic, batch.partition, agency, rows);
    } catch (error) {
      if (!refusedData(error)) throw error;
      // Something in the batch Postgres will not take as parsed: archive record by record, and
      // the one it refuses as raw bytes with the reason, so that the archive never stops at it.
      for (const row of rows) {
        await this.insert(batch.topic, batch.partition, agency, [row]).catch(async (refused: Error) => {
          if (!refusedData(refused)) throw refused;
          this.logger.warn(`${batch.topic}/${batch.partition}@${row.m.offset} archived as raw bytes only: ${refused.message}`);
          const p = { ...parseRecord(null), unreadable: printable(`Postgres refused its parsed form: ${refused.message}`) };
          await this.insert(batch.topic, batch.partition, agency, [{ m: row.m, p }]);
        });
      }
    }
    countConsumed(this.groupId, { archived: rows.length });
    const last = batch.messages[batch.messages.length - 1].offset;
    resolveOffset(last);
    // Archiving again is harmless (one row per offset): a failed commit must not stop the archive.
    await this.consumer!.commitApplied(batch.topic, batch.partition, last);
  }

  private async insert(topic: string, partition: number, agency: string, rows: { m: KafkaMessage; p: Parsed }[]): Promise<void> {
    await insertValues(
      this.dataSource,
      `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_id, type, subject, event_time, unreadable)`,
      ARCHIVE_CASTS,
      rows.map(({ m, p }) => [topic, partition, m.offset, agency, m.value, p.envelope ? JSON.stringify(p.envelope) : null, p.sequence, p.eventId, p.type, p.subject, p.time, p.unreadable]),
      'ON CONFLICT DO NOTHING',
    );
  }
}

/** The archive's columns as a record is written: topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_id, type, subject, event_time, unreadable. */
const ARCHIVE_CASTS = ['text', 'int', 'bigint', 'text', 'bytea', 'jsonb', 'bigint', 'uuid', 'text', 'text', 'timestamptz', 'text'] as const;

/** Whether Postgres refused a value (data exception, or a limit such as nesting depth) rather than failed. */
function refusedData(error: unknown): boolean {
  const code = (error as { code?: unknown }).code ?? (error as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

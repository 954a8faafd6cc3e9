import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventEnvelope, interlinkRegistry, topicFor } from '@interlink/contracts';
import { TrustStore } from '@interlink/security';
import { ArchiveReader, Range } from './archive/archive.reader';
import { AuditConfig, AuditedRole } from './config';
import { toJsonLines } from './export/jsonl';
import { toStixBundle } from './export/stix';
import { HistoryService } from './history/history.service';
import { ReplayService } from './replay/replay.service';
import { ChainVerifier, LogRecord, VerificationReport } from './verify/chain-verifier';
import { ParallelChainVerifier } from './verify/parallel-verifier';

export type Progress = (done: number) => void;

export class UnknownAgency extends Error {
  constructor(agency: string, known: string[]) {
    super(`"${agency}" is not an audited agency; audited: ${known.join(', ')}`);
    this.name = 'UnknownAgency';
  }
}

/** The auditors' operations over the archive (and, for verification, over Kafka itself). */
export class AuditService {
  readonly reader: ArchiveReader;
  readonly replays: ReplayService;
  readonly histories: HistoryService;

  constructor(
    private readonly config: AuditConfig,
    private readonly dataSource: DataSource,
    private readonly kafka: Kafka,
  ) {
    this.reader = new ArchiveReader(dataSource);
    this.replays = new ReplayService(dataSource, this.reader, interlinkRegistry());
    this.histories = new HistoryService(dataSource, this.reader);
  }

  roleOf(agency: string): AuditedRole {
    const found = this.config.audited.find((a) => a.agencyId === agency);
    if (!found) throw new UnknownAgency(agency, this.config.audited.map((a) => a.agencyId));
    return found.role;
  }

  async agencies(): Promise<{ agency: string; role: AuditedRole; records: number; lastSequence: number | null }[]> {
    const counts: { agency: string; records: number; last: string | null }[] = await this.dataSource.query(
      `SELECT agency, count(*)::int AS records, max(sequence)::text AS last FROM audit.archive GROUP BY agency`,
    );
    return this.config.audited.map(({ agencyId, role }) => {
      const c = counts.find((x) => x.agency === agencyId);
      return { agency: agencyId, role, records: c?.records ?? 0, lastSequence: c?.last ? Number(c.last) : null };
    });
  }

  private trust(): TrustStore {
    return TrustStore.fromDirectory(this.config.trustedKeysDir);
  }

  /** Verifies the agency's log as archived. */
  async verifyArchive(agency: string, range: { from?: number; to?: number } = {}, progress?: Progress): Promise<VerificationReport> {
    this.roleOf(agency);
    return this.verify(agency, this.reader.records(agency), range, progress);
  }

  /** Verifies the agency's log from Kafka alone (its auditors' topic, or another copy of it). */
  async verifyKafka(agency: string, options: { topic?: string; from?: number; to?: number } = {}, progress?: Progress): Promise<VerificationReport> {
    this.roleOf(agency);
    const topic = options.topic ?? topicFor(agency, this.config.agencyId);
    return this.verify(agency, this.topicRecords(topic), options, progress);
  }

  private async verify(agency: string, records: AsyncIterable<LogRecord>, range: { from?: number; to?: number }, progress?: Progress) {
    if (this.config.verifyWorkers > 0) {
      return new ParallelChainVerifier(this.trust(), agency, { workers: this.config.verifyWorkers, range, progress }).verify(records);
    }
    const verifier = new ChainVerifier(this.trust(), agency, range);
    let n = 0;
    for await (const record of records) {
      if (!verifier.push(record)) break;
      if (++n % 10000 === 0) progress?.(n);
    }
    return verifier.finish();
  }

  /** Every record of a topic, partition by partition in offset order, up to its end when asked. */
  private async *topicRecords(topic: string): AsyncGenerator<LogRecord> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: { partition: number; high: string; low: string }[];
    try {
      ends = (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, high: o.high, low: o.low }));
    } finally {
      await admin.disconnect();
    }
    const wanted = ends.filter((e) => BigInt(e.high) > BigInt(e.low));
    if (wanted.length === 0) return;
    const queue: LogRecord[][] = [];
    let wake: (() => void) | undefined;
    const remaining = new Map(wanted.map((e) => [e.partition, BigInt(e.high)]));
    const consumer = this.kafka.consumer({ groupId: `${this.config.agencyId}-verify-${Date.now()}-${Math.random().toString(16).slice(2)}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let failed: Error | undefined;
    consumer.on(consumer.events.CRASH, (e) => {
      failed = e.payload.error;
      wake?.();
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition);
        if (end === undefined) return;
        const records = batch.messages
          .filter((m) => BigInt(m.offset) < end)
          .map((m) => ({ position: `${topic}[${batch.partition}]@${m.offset}`, value: m.value }));
        if (records.length) queue.push(records);
        const last = batch.messages[batch.messages.length - 1];
        if (last && BigInt(last.offset) + 1n >= end) remaining.delete(batch.partition);
        wake?.();
      },
    });
    try {
      for (;;) {
        while (queue.length) yield* queue.shift()!;
        if (failed) throw failed;
        if (remaining.size === 0) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      await consumer.disconnect();
    }
  }

  async events(agency: string, range: Range): Promise<EventEnvelope[]> {
    this.roleOf(agency);
    const out: EventEnvelope[] = [];
    for await (const e of this.reader.events(agency, range)) out.push(e);
    return out;
  }

  async exportJsonLines(agency: string, range: Range): Promise<string> {
    return toJsonLines(await this.events(agency, range));
  }

  /** A STIX 2.1 bundle of the agencies' logs (all audited agencies when none is named). */
  async exportStix(agencies: string[], range: Range) {
    const names = agencies.length ? agencies : this.config.audited.map((a) => a.agencyId);
    const all: EventEnvelope[] = [];
    for (const agency of names) all.push(...(await this.events(agency, range)));
    all.sort((a, b) => a.time.localeCompare(b.time));
    return toStixBundle(all, {});
  }
}

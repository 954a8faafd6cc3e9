// Replay: events/s rebuilding the police read model of suspects from a large log with the
// product's ProjectionRunner.rebuild and the police projections, against merely reading the same
// log through EventStore.readLog in the same batches (one transaction each, as the rebuild does).
// Then the auditors' replay: the same log as the audit service archives it, replayed by its
// ReplayService into every police read model, against reading the archive alone.
import { DataSource } from 'typeorm';
import { EventRegistry, interlinkRegistry } from '@interlink/contracts';
import { EventStore, LOG_START, migrate } from '@interlink/event-store';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { ProjectionRunner } from '@interlink/projections';
import { BenchContext, costFigure, throughputFigure } from './context';
import { PoliceEvents } from './events';
import { cpuByGroup, cpuUsed, say } from './infra';
import { seedPoliceLog, waitVisible } from './seed';
import { secondsSince } from './stats';
import { ArchiveReader } from '../services/audit/src/archive/archive.reader';
import { archiveMigrations } from '../services/audit/src/archive/archive.schema';
import { ReplayService } from '../services/audit/src/replay/replay.service';

/** ProjectionRunner's batch (a library default without a variable); the rebuild's fold reads FOLD_BATCH at a time. */
const BATCH = 500;
const FOLD_BATCH = 5000;
const TARGET = 50_000;

export async function replayBench(ctx: BenchContext): Promise<void> {
  const { run } = ctx;
  const count = ctx.options.sizes.replayEvents;
  const { url, dataSource } = await run.database('replay', { entities: POLICE_READ_MODEL.entities });
  const registry = interlinkRegistry();
  const store = new EventStore(dataSource, registry, run.ids.police);
  say(`replay: seeding ${count} police events (not timed)`);
  const seedStart = process.hrtime.bigint();
  let reported = 0;
  await seedPoliceLog(dataSource, registry, new PoliceEvents(`${run.id}p`, run.ids.immigration, 4), run.ids, count, (done) => {
    if (done - reported >= 100_000) say(`replay: seeded ${(reported = done)}`);
  });
  await dataSource.query('VACUUM ANALYZE interlink.events');
  await waitVisible(dataSource, count);
  say(`replay: seeded in ${secondsSince(seedStart).toFixed(0)} s`);

  /** CPU µs per event of this process (main thread and V8's helpers) and of Postgres while `work` runs. */
  const cpuPerEvent = async <T extends { events: number }>(work: () => Promise<T>): Promise<T & { cpuUs: { bench: number; postgres: number } }> => {
    const before = cpuByGroup({ bench: process.pid });
    const result = await work();
    const used = cpuUsed(before, cpuByGroup({ bench: process.pid }));
    const per = (seconds: number) => (result.events > 0 ? (1e6 * seconds) / result.events : 0);
    return { ...result, cpuUs: { bench: per(used.bench), postgres: per(used.postgres) } };
  };
  /** The whole log through readLog in the rebuild's batches; `open: false` leaves sealed parts sealed. */
  const readAll = (open = true) =>
    cpuPerEvent(async () => {
      const start = process.hrtime.bigint();
      let position = LOG_START;
      let events = 0;
      for (;;) {
        const batch = await dataSource.transaction((m) => store.readLog(position, { limit: BATCH, manager: m, open }));
        events += batch.length;
        if (batch.length < BATCH) break;
        position = batch[batch.length - 1].logPosition;
      }
      return { events, seconds: secondsSince(start) };
    });
  const runner = new ProjectionRunner(dataSource, store, POLICE_READ_MODEL.projections, { databaseUrl: url, batchSize: BATCH, foldBatchSize: FOLD_BATCH });
  await runner.createTables();

  // Reads before and after the rebuild: their mean is the baseline, whatever the cache held first.
  const before = await readAll();
  say(`replay: readLog ${(before.events / before.seconds).toFixed(0)} events/s; rebuilding suspects`);
  const rebuild = await cpuPerEvent(async () => {
    const start = process.hrtime.bigint();
    const events = await runner.rebuild('suspects');
    return { events, seconds: secondsSince(start) };
  });
  const after = await readAll();
  // What opening the sealed personal data costs a reader: the same reads, the parts left sealed.
  const sealed = await readAll(false);
  const replayed = rebuild.events;
  if (replayed !== count || before.events !== count || sealed.events !== count) {
    throw new Error(`the rebuild replayed ${replayed} and readLog read ${before.events} (${sealed.events} unopened) of ${count} events`);
  }
  const [{ suspects }] = await dataSource.query(`SELECT count(*)::int AS suspects FROM suspects`);
  const readRate = (before.events + after.events) / (before.seconds + after.seconds);
  const mean = (a: number, b: number) => (a + b) / 2;
  const cpuUs = {
    rebuild: rebuild.cpuUs,
    readLog: { bench: mean(before.cpuUs.bench, after.cpuUs.bench), postgres: mean(before.cpuUs.postgres, after.cpuUs.postgres) },
    readLogUnopened: sealed.cpuUs,
  };
  const usText = (us: { bench: number; postgres: number }) => `this process ${us.bench.toFixed(1)}, postgres ${us.postgres.toFixed(1)}`;
  say(`replay: CPU µs per event: rebuild ${usText(cpuUs.rebuild)}; readLog ${usText(cpuUs.readLog)}; readLog leaving personal data sealed ${usText(cpuUs.readLogUnopened)} (${(count / sealed.seconds).toFixed(0)} events/s)`);
  ctx.detail('replay', {
    events: count,
    batch: BATCH,
    foldBatch: FOLD_BATCH,
    rebuildSeconds: rebuild.seconds,
    readLogSeconds: [before.seconds, after.seconds],
    readLogUnopenedSeconds: sealed.seconds,
    cpuUsPerEvent: cpuUs,
    suspectsRows: suspects,
  });
  const figure = throughputFigure('replay', `ProjectionRunner.rebuild('suspects') over ${count} events, folded in memory from reads of ${FOLD_BATCH}`, replayed / rebuild.seconds, {
    name: 'EventStore.readLog alone, same batches (mean of a read before and after)',
    value: readRate,
  });
  ctx.figure({ ...figure, target: { text: `at least ${TARGET.toLocaleString('en-US')} events/s`, pass: replayed / rebuild.seconds >= TARGET } });
  const total = (us: { bench: number; postgres: number }) => us.bench + us.postgres;
  ctx.figure(
    costFigure(
      'replay',
      'CPU per replayed event, this process (main thread and V8 helpers) and Postgres',
      'µs',
      total(cpuUs.rebuild),
      { name: 'CPU per event read by readLog alone', value: total(cpuUs.readLog) },
      `rebuild: ${usText(cpuUs.rebuild)}; readLog: ${usText(cpuUs.readLog)}; readLog leaving personal data sealed: ${usText(cpuUs.readLogUnopened)}`,
    ),
  );
  await auditorsReplay(ctx, dataSource, registry, run.ids.police, count);
}

/**
 * The auditors' replay (ReplayService, what `GET /agencies/{agency}/read-models` and the audit CLI run) of the police
 * log archived as the audit service stores it, into every police read model, against reading the
 * archive alone with every event's personal data opened (ArchiveReader.events).
 */
async function auditorsReplay(ctx: BenchContext, dataSource: DataSource, registry: EventRegistry, agency: string, count: number): Promise<void> {
  say(`replay: archiving the ${count} events as the audit service stores them (not timed)`);
  await migrate(dataSource, archiveMigrations);
  await dataSource.query(
    `INSERT INTO audit.archive (topic, kafka_partition, kafka_offset, agency, raw, envelope, sequence, event_id, type, subject, event_time)
     SELECT 'bench.archive', 0, n - 1, $1, convert_to(stamped::text, 'UTF8'), stamped, n, id, type, stream_id, (stamped->>'time')::timestamptz
       FROM (SELECT e.id, e.type, e.stream_id, row_number() OVER (ORDER BY e.tx_id, e.position) AS n, e.envelope FROM interlink.events e) AS log,
            LATERAL (SELECT log.envelope || jsonb_build_object('sequence', log.n)) AS s(stamped)`,
    [agency],
  );
  // Vacuumed, not analysed: the audit service's archive grows all the time, and on a server with
  // autovacuum off (as on this machine) it never has statistics.
  await dataSource.query('VACUUM audit.archive');
  const reader = new ArchiveReader(dataSource);
  /** How many items a read of the archive yields, and how long it takes. */
  const timedRead = async (items: AsyncIterable<unknown>) => {
    const start = process.hrtime.bigint();
    let count = 0;
    for await (const item of items) if (item) count++;
    return { count, seconds: secondsSince(start) };
  };
  const readArchive = async () => {
    const { count: events, seconds } = await timedRead(reader.events(agency));
    return { events, seconds };
  };
  const before = await readArchive();
  const replays = new ReplayService(dataSource, reader, registry, { log: (message) => say(`replay: ${message}`) });
  const start = process.hrtime.bigint();
  const replay = await replays.replay(agency, 'police', {}, async (db, tables) => {
    const rows: Record<string, number> = {};
    for (const table of tables) rows[table] = (await db.query(`SELECT count(*)::int AS n FROM "${table}"`))[0].n;
    return rows;
  });
  const seconds = secondsSince(start);
  const after = await readArchive();
  if (replay.replayed !== count || before.events !== count) {
    throw new Error(`the auditors' replay replayed ${replay.replayed} and the archive read ${before.events} of ${count} events`);
  }
  // What verification reads (ArchiveReader.records: the raw records in storage order).
  const { count: records, seconds: recordsSeconds } = await timedRead(reader.records(agency));
  if (records !== count) throw new Error(`ArchiveReader.records read ${records} of ${count} records`);
  const readRate = (before.events + after.events) / (before.seconds + after.seconds);
  say(`replay: ArchiveReader.records (what verification reads) ${(count / recordsSeconds).toFixed(0)} records/s`);
  say(`replay: auditors' replay ${(count / seconds).toFixed(0)} events/s (${seconds.toFixed(1)} s), the archive read alone ${readRate.toFixed(0)} events/s; rows ${JSON.stringify(replay.result)}`);
  ctx.detail('replay.auditors', { events: count, seconds, archiveReadSeconds: [before.seconds, after.seconds], recordsReadSeconds: recordsSeconds, rows: replay.result });
  ctx.figure(
    throughputFigure('replay', `the auditors' ReplayService into every police read model, over the ${count} events archived`, count / seconds, {
      name: 'ArchiveReader.events alone, every event opened (mean of a read before and after)',
      value: readRate,
    }),
  );
}

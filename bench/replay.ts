// Replay: events/s rebuilding the police read model of suspects from a large log with the
// product's ProjectionRunner.rebuild and the police projections, against merely reading the same
// log through EventStore.readLog in the same batches (one transaction each, as the rebuild does).
import { interlinkRegistry } from '@interlink/contracts';
import { EventStore, LOG_START } from '@interlink/event-store';
import { POLICE_READ_MODEL } from '@interlink/police/read-model';
import { ProjectionRunner } from '@interlink/projections';
import { BenchContext, throughputFigure } from './context';
import { PoliceEvents } from './events';
import { say } from './infra';
import { seedPoliceLog, waitVisible } from './seed';
import { secondsSince } from './stats';

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

  const readAll = async () => {
    const start = process.hrtime.bigint();
    let position = LOG_START;
    let read = 0;
    for (;;) {
      const batch = await dataSource.transaction((m) => store.readLog(position, { limit: BATCH, manager: m }));
      read += batch.length;
      if (batch.length < BATCH) break;
      position = batch[batch.length - 1].logPosition;
    }
    return { read, seconds: secondsSince(start) };
  };
  const runner = new ProjectionRunner(dataSource, store, POLICE_READ_MODEL.projections, { databaseUrl: url, batchSize: BATCH, foldBatchSize: FOLD_BATCH });
  await runner.createTables();

  // Reads before and after the rebuild: their mean is the baseline, whatever the cache held first.
  const before = await readAll();
  say(`replay: readLog ${(before.read / before.seconds).toFixed(0)} events/s; rebuilding suspects`);
  const start = process.hrtime.bigint();
  const replayed = await runner.rebuild('suspects');
  const rebuildSeconds = secondsSince(start);
  const after = await readAll();
  if (replayed !== count || before.read !== count) throw new Error(`the rebuild replayed ${replayed} and readLog read ${before.read} of ${count} events`);
  const [{ suspects }] = await dataSource.query(`SELECT count(*)::int AS suspects FROM suspects`);
  const readRate = (before.read + after.read) / (before.seconds + after.seconds);
  ctx.detail('replay', { events: count, batch: BATCH, foldBatch: FOLD_BATCH, rebuildSeconds, readLogSeconds: [before.seconds, after.seconds], suspectsRows: suspects });
  const figure = throughputFigure('replay', `ProjectionRunner.rebuild('suspects') over ${count} events, folded in memory from reads of ${FOLD_BATCH}`, replayed / rebuildSeconds, {
    name: 'EventStore.readLog alone, same batches (mean of a read before and after)',
    value: readRate,
  });
  ctx.figure({ ...figure, target: { text: `at least ${TARGET.toLocaleString('en-US')} events/s`, pass: replayed / rebuildSeconds >= TARGET } });
}

// Large police logs made fast: envelopes built and sealed in Node (events.ts), written with one
// multi-row INSERT per chunk, with their data keys, as the store would have written them.
import { DataSource } from 'typeorm';
import { EventEnvelope, EventRegistry } from '@interlink/contracts';
import { waitFor } from '@interlink/testing';
import { EVENTS_PER_STORY, PoliceEvents, sealedStories, suspectContext } from './events';

const STORIES_PER_CHUNK = 500;

export async function seedPoliceLog(
  dataSource: DataSource,
  registry: EventRegistry,
  events: PoliceEvents,
  ids: Parameters<typeof suspectContext>[0],
  count: number,
  progress?: (done: number) => void,
): Promise<number> {
  const stories = Math.ceil(count / EVENTS_PER_STORY);
  let written = 0;
  for (let done = 0; done < stories; done += STORIES_PER_CHUNK) {
    const { envelopes, keys } = sealedStories(events, registry, ids, Math.min(STORIES_PER_CHUNK, stories - done));
    const chunk = envelopes.slice(0, count - written);
    // The registry refuses what the store would refuse: check the first chunk as a guard against drift.
    if (done === 0) chunk.forEach((e) => registry.validate(e));
    await dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO interlink.data_keys (owner, ref, key) SELECT $1, ref, key FROM unnest($2::uuid[], $3::bytea[]) AS k(ref, key)`, [
        ids.police,
        [...keys.keys()],
        [...keys.values()],
      ]);
      await m.query(
        `INSERT INTO interlink.events (id, stream_id, stream_version, type, envelope)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::jsonb[])`,
        [chunk.map((e) => e.id), chunk.map((e) => e.subject), chunk.map((e) => e.streamversion), chunk.map((e) => e.type), chunk.map((e: EventEnvelope) => JSON.stringify(e))],
      );
    });
    written += chunk.length;
    progress?.(written);
  }
  return written;
}

/**
 * Waits until log readers see all `count` events. Readers stop below the oldest transaction in
 * flight on the whole server, so another database's long transaction holds them back too.
 */
export async function waitVisible(dataSource: DataSource, count: number, timeoutMs = 300_000): Promise<void> {
  await waitFor(
    `all ${count} seeded events to be visible to log readers (a long transaction elsewhere on the server holds them back)`,
    async () => {
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM interlink.events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())`);
      return n >= count;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

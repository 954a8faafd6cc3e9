import { interlinkRegistry, uuidv7 } from '@interlink/contracts';
import { TestDatabase, caseFileDecider, caseFileRegistry, createTestDatabase, waitFor } from '@interlink/testing';
import { Client } from 'pg';
import { EntityManager } from 'typeorm';
import { AppendContext, EVENTS_CHANNEL, ErasedRecordError, EventStore } from './index';

// A writer takes a stream's lock and reads the stream in one round trip (interlink.lock_and_read_stream,
// interlink.prepare_append). These tests hold the lock in one transaction, start a second writer,
// check that it waits, commit the first, and check that the second read what the first committed:
// a plain statement would have read the snapshot taken before its lock was granted.

const context = (): AppendContext => ({ correlationId: uuidv7(), causationId: uuidv7(), actor: 'police/officer-7', classification: 'AMBER' });
const opened = () => ({ type: 'intel.testing.case-opened', data: { title: 'Recruitment office, Johor Bahru', country: 'MY' } });
const note = (text: string) => ({ type: 'intel.testing.note-added', data: { text } });
const identified = (suspectId: string, name: string) => ({ type: 'intel.police.suspect-identified', data: { suspectId, person: { name }, role: 'recruiter' } });

describe('Writers that wait for a stream lock read what the holder committed (real Postgres)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let police: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase('locked_reads');
    store = new EventStore(db.dataSource, caseFileRegistry(), 'police');
    police = new EventStore(db.dataSource, interlinkRegistry(), 'police');
  });
  afterAll(() => db.drop());

  /** Runs `work` in a transaction that stays open until the returned release is called; resolves once `work` is done. */
  async function holding(work: (m: EntityManager) => Promise<void>): Promise<{ release: () => void; done: Promise<void> }> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let ready!: () => void;
    const worked = new Promise<void>((resolve) => (ready = resolve));
    const done = db.dataSource.transaction(async (m) => {
      await work(m);
      ready();
      await gate;
    });
    await Promise.race([worked, done]);
    return { release, done };
  }

  /** Waits until some backend waits for an advisory lock (the second writer is blocked). */
  const someoneWaits = () =>
    waitFor('a writer waiting for an advisory lock', async () => {
      const [{ waiting }] = await db.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      return waiting > 0;
    });

  it('a decision that waited for the lock decides on the events committed meanwhile', async () => {
    await store.append('case-wait-1', 0, [opened()], context());
    const holder = await holding(async (m) => {
      await store.lockStream('case-wait-1', m);
      await store.append('case-wait-1', 1, [note('appended by the holder')], context(), m, { streamLocked: true });
    });
    const waiter = store.decide(caseFileDecider, 'case-wait-1', { type: 'add-note', text: 'appended by the waiter' }, context());
    await someoneWaits();
    holder.release();
    await holder.done;
    const result = await waiter;
    expect(result.streamVersion).toBe(3);
    expect((await store.readStream('case-wait-1')).map((e) => [e.streamversion, (e.data as { text?: string }).text])).toEqual([
      [1, undefined],
      [2, 'appended by the holder'],
      [3, 'appended by the waiter'],
    ]);
  });

  it('an append at any version that waited for the lock goes after the events committed meanwhile', async () => {
    await store.append('case-wait-2', 0, [opened()], context());
    const holder = await holding(async (m) => {
      await store.append('case-wait-2', 1, [note('appended by the holder')], context(), m);
    });
    const waiter = store.append('case-wait-2', 'any', [note('appended by the waiter')], context());
    await someoneWaits();
    holder.release();
    await holder.done;
    expect((await waiter).streamVersion).toBe(3);
    expect((await store.readStream('case-wait-2')).map((e) => e.streamversion)).toEqual([1, 2, 3]);
  });

  it('an append that expected the version before the holder committed is refused once it gets the lock', async () => {
    await store.append('case-wait-3', 0, [opened()], context());
    const holder = await holding(async (m) => {
      await store.append('case-wait-3', 1, [note('appended by the holder')], context(), m);
    });
    const waiter = store.append('case-wait-3', 1, [note('decided on version 1')], context());
    // Handled from the start: the waiter may be refused before the holder's COMMIT reply reaches this side.
    const refused = expect(waiter).rejects.toThrow('stream "case-wait-3" is at version 2, but the append expected version 1');
    await someoneWaits();
    holder.release();
    await holder.done;
    await refused;
  });

  it('seals with the key another append made for the same person record while this one waited', async () => {
    const suspectId = uuidv7();
    const holder = await holding(async (m) => {
      await police.append(`suspect-${suspectId}`, 0, [identified(suspectId, 'Tan Ah Kow')], context(), m);
    });
    // Another stream, so no stream lock is shared: this append waits on the holder's new key row.
    const waiter = police.append(`suspect-${suspectId}-again`, 0, [identified(suspectId, 'Tan Ah Kow')], context());
    await waitFor('the second append to wait for the key row', async () => {
      const [{ waiting }] = await db.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted`);
      return waiting > 0;
    });
    holder.release();
    await holder.done;
    await waiter;
    const [{ keys }] = await db.dataSource.query(`SELECT count(*)::int AS keys FROM interlink.data_keys WHERE ref = $1`, [suspectId]);
    expect(keys).toBe(1);
    for (const stream of [`suspect-${suspectId}`, `suspect-${suspectId}-again`]) {
      const [event] = await police.readStream(stream);
      expect((event.data as { person: { name: string } }).person.name).toBe('Tan Ah Kow');
    }
  });

  it('refuses to seal the personal data of an erased record, and appends nothing', async () => {
    const suspectId = uuidv7();
    await db.dataSource.transaction((m) => police.keys.erase(m, 'police', suspectId));
    await expect(police.append(`suspect-${suspectId}`, 0, [identified(suspectId, 'Lim Bee Leng')], context())).rejects.toThrow(ErasedRecordError);
    expect(await police.readStream(`suspect-${suspectId}`)).toEqual([]);
  });

  it('wakes the log readers once per committed append, whichever way it was appended, and not for a retry or a refused append', async () => {
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    let notified = 0;
    listener.on('notification', (n) => (n.channel === EVENTS_CHANNEL ? notified++ : undefined));
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    // How many notifications `act` caused: a NOTIFY on another channel after it is delivered after them.
    const settled = async (act: () => Promise<unknown>) => {
      const before = notified;
      await act();
      let marked = false;
      const mark = (n: { channel: string }) => (n.channel === 'locked_reads_mark' ? (marked = true) : undefined);
      listener.on('notification', mark);
      await listener.query(`LISTEN locked_reads_mark`);
      await db.dataSource.query(`NOTIFY locked_reads_mark`);
      await waitFor('the mark notification', () => marked);
      listener.off('notification', mark);
      return notified - before;
    };
    try {
      const ids = [uuidv7()];
      expect(await settled(() => store.append('case-notify', 0, [{ ...opened(), id: ids[0] }], context()))).toBe(1);
      expect(await settled(() => store.decide(caseFileDecider, 'case-notify', { type: 'add-note', text: 'decided' }, context()))).toBe(1);
      expect(await settled(() => store.append('case-notify', 0, [{ ...opened(), id: ids[0] }], context()))).toBe(0);
      const refused = async () => {
        await expect(store.append('case-notify', 1, [note('stale')], context())).rejects.toThrow('is at version 2');
        await expect(store.append('case-notify', 2, [note('')], context())).rejects.toThrow('must NOT have fewer than 1 characters');
      };
      expect(await settled(refused)).toBe(0);
      const suspectId = uuidv7();
      expect(await settled(() => police.append(`suspect-${suspectId}`, 'any', [identified(suspectId, 'Nguyen Van Minh')], context()))).toBe(1);
    } finally {
      await listener.end();
    }
  });

  it('a retried append is answered from the events stored, without making keys', async () => {
    const suspectId = uuidv7();
    const event = { ...identified(suspectId, 'Somchai Prasert'), id: uuidv7() };
    const first = await police.append(`suspect-${suspectId}`, 0, [event], context());
    const retry = await police.append(`suspect-${suspectId}`, 0, [event], context());
    expect(retry).toMatchObject({ duplicate: true, streamVersion: 1 });
    expect(retry.events[0].id).toBe(first.events[0].id);
    expect((retry.events[0].data as { person: { name: string } }).person.name).toBe('Somchai Prasert');
  });
});

import { randomBytes } from 'node:crypto';
import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { DataKeys } from '@interlink/event-store';
import { sealPart } from '@interlink/security';
import { TestDatabase, createTestDatabase } from '@interlink/testing';
import { awaitDataKeys, personalDataOpener } from './index';

/**
 * The wait before a batch for partners' data keys (real Postgres): it ends when the key is stored,
 * gives up after `keyWaitMs` of receiving, and does not run out while keys are not being received.
 */
describe('awaitDataKeys (real Postgres)', () => {
  let db: TestDatabase;
  const keys = new DataKeys();

  beforeAll(async () => {
    db = await createTestDatabase('await_keys');
  });
  afterAll(async () => db?.drop());

  /** An immigration event carrying one sealed person part, and the key that opens it. */
  const sealedEvent = () => {
    const ref = uuidv7();
    const key = randomBytes(32);
    const envelope = { id: uuidv7(), source: '/agencies/immigration', data: { person: sealPart({ name: 'A. Person' }, ['name'], ref, key) } } as unknown as EventEnvelope;
    return { ref, key, envelope };
  };
  const deliver = (ref: string, key: Buffer) => db.dataSource.transaction((tx) => keys.receive(tx, 'immigration', ref, key));
  const timed = async (wait: Promise<void>) => {
    const start = Date.now();
    await wait;
    return Date.now() - start;
  };

  // Waits of ten minutes below: a wait that did not end as it should fails the test by its timeout.
  it('returns at once for events without sealed parts', async () => {
    const plain = { id: uuidv7(), source: '/agencies/immigration', data: { note: 'nothing personal' } } as unknown as EventEnvelope;
    await awaitDataKeys(db.dataSource, { keyWaitMs: 600_000 })([plain]);
  });

  it('ends once the key is stored, and finds it there', async () => {
    const { ref, key, envelope } = sealedEvent();
    const waiting = awaitDataKeys(db.dataSource, { keyWaitMs: 600_000 })([envelope]);
    setTimeout(() => void deliver(ref, key), 300);
    await waiting;
    expect((await keys.find(db.dataSource.manager, 'immigration', [ref])).get(ref)).toEqual(key);
  });

  it('gives up after keyWaitMs while keys are being received, without the key', async () => {
    const { ref, envelope } = sealedEvent();
    await awaitDataKeys(db.dataSource, { keyWaitMs: 300, receiving: () => true })([envelope]);
    expect((await keys.find(db.dataSource.manager, 'immigration', [ref])).has(ref)).toBe(false);
  });

  it('does not run out while keys are not being received, so a key that comes after keyWaitMs is still waited for', async () => {
    const { ref, key, envelope } = sealedEvent();
    let receiving = false;
    const waiting = awaitDataKeys(db.dataSource, { keyWaitMs: 300, receiving: () => receiving })([envelope]);
    let done = false;
    void waiting.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(done).toBe(false);
    receiving = true;
    await deliver(ref, key);
    await waiting;
    expect((await keys.find(db.dataSource.manager, 'immigration', [ref])).get(ref)).toEqual(key);
  });

  it('stops waiting for a receiver that does not come back after longestWaitMs', async () => {
    const { envelope } = sealedEvent();
    const waited = await timed(awaitDataKeys(db.dataSource, { keyWaitMs: 200, longestWaitMs: 800, receiving: () => false })([envelope]));
    expect(waited).toBeGreaterThanOrEqual(750);
  });
});

/**
 * Opening a batch's sealed data (real Postgres): the batch's keys are read once, before its
 * events; an erasure in the batch, or a key that was not there yet, makes an event read its own.
 */
describe('personalDataOpener (real Postgres)', () => {
  let db: TestDatabase;
  const keys = new DataKeys();

  beforeAll(async () => {
    db = await createTestDatabase('batch_opener');
  });
  afterAll(async () => db?.drop());

  const sealed = (name: string, ref = uuidv7(), key = randomBytes(32)) => ({
    ref,
    key,
    envelope: { id: uuidv7(), source: '/agencies/immigration', type: 'intel.immigration.test', data: { person: sealPart({ name }, ['name'], ref, key) } } as unknown as EventEnvelope,
  });
  const erasure = (ref: string) => ({ id: uuidv7(), source: '/agencies/immigration', type: 'intel.immigration.personal-data-erased', data: { ref } }) as unknown as EventEnvelope;
  const deliver = (ref: string, key: Buffer) => db.dataSource.transaction((tx) => keys.receive(tx, 'immigration', ref, key));
  const nameOf = (envelope: EventEnvelope) => (envelope.data as { person: Record<string, unknown> }).person;

  it('opens every event of a batch with the keys read when the batch was prepared', async () => {
    const a = sealed('First Person');
    const b = sealed('Second Person');
    await deliver(a.ref, a.key);
    await deliver(b.ref, b.key);
    await db.dataSource.transaction(async (tx) => {
      const open = await personalDataOpener({ keyWaitMs: 0 })(tx, [a.envelope, b.envelope]);
      // Gone from the table now: only the batch's own reading can open them.
      await tx.query(`DELETE FROM interlink.data_keys WHERE ref = ANY($1::uuid[])`, [[a.ref, b.ref]]);
      expect(nameOf(await open(a.envelope))).toEqual({ name: 'First Person' });
      expect(nameOf(await open(b.envelope))).toEqual({ name: 'Second Person' });
    });
  });

  it('reads the keys again after an erasure in the batch, so a later event of the erased record opens as erased', async () => {
    const before = sealed('Erased Person');
    const after = sealed('Erased Person', before.ref, before.key);
    await deliver(before.ref, before.key);
    await db.dataSource.transaction(async (tx) => {
      const gone = erasure(before.ref);
      const open = await personalDataOpener({ keyWaitMs: 0 })(tx, [before.envelope, gone, after.envelope]);
      expect(nameOf(await open(before.envelope))).toEqual({ name: 'Erased Person' });
      await open(gone);
      // What an erasure's handler does (see AgencyRuntime): the copy of the key is destroyed.
      await keys.erase(tx, 'immigration', before.ref);
      expect(nameOf(await open(after.envelope))).toMatchObject({ withheld: 'erased', ref: before.ref });
    });
  });

  it('finds a key stored after the batch was prepared, and names a key that never came', async () => {
    const late = sealed('Late Person');
    const never = sealed('Missing Person');
    await db.dataSource.transaction(async (tx) => {
      const open = await personalDataOpener({ keyWaitMs: 300 })(tx, [late.envelope, never.envelope]);
      await deliver(late.ref, late.key);
      expect(nameOf(await open(late.envelope))).toEqual({ name: 'Late Person' });
      await expect(open(never.envelope)).rejects.toThrow(`no data key from immigration for person record ${never.ref} arrived within 0.3 s`);
      // Not a failure of the event: the consumer fetches it again later (ApplyLater).
      await expect(open(never.envelope)).rejects.toMatchObject({ name: 'DataKeyNotArrived', applyLater: true });
    });
  });
});

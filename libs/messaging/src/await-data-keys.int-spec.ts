import { randomBytes } from 'node:crypto';
import { EventEnvelope, uuidv7 } from '@interlink/contracts';
import { DataKeys } from '@interlink/event-store';
import { sealPart } from '@interlink/security';
import { TestDatabase, createTestDatabase } from '@interlink/testing';
import { awaitDataKeys } from './index';

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

import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@interlink/contracts';
import { TestDatabase, createTestDatabase } from '@interlink/testing';
import { DataKeys, KeyReceipt } from './index';

/**
 * Keys a partner delivered, stored a batch at a time (real Postgres): the same receipts, in the
 * same order, as storing them one by one.
 */
describe('DataKeys.receiveMany (real Postgres)', () => {
  let db: TestDatabase;
  const keys = new DataKeys();

  beforeAll(async () => {
    db = await createTestDatabase('data_keys');
  });
  afterAll(async () => db?.drop());

  it('stores new keys, and tells a key held already, another key and an erased record apart, in order', async () => {
    const [fresh, same, other, erased, twice] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const key = (n: number) => Buffer.alloc(32, n);
    await db.dataSource.transaction(async (tx) => {
      await keys.receive(tx, 'police', same, key(2));
      await keys.receive(tx, 'police', other, key(3));
      await keys.erase(tx, 'police', erased);
    });
    const receipts = await db.dataSource.transaction((tx) =>
      keys.receiveMany(tx, 'police', [
        { ref: fresh, key: key(1) },
        { ref: same, key: key(2) },
        { ref: other, key: key(9) },
        { ref: erased, key: key(4) },
        { ref: twice, key: key(5) },
        { ref: twice, key: key(5) },
        { ref: twice, key: key(6) },
      ]),
    );
    expect(receipts).toEqual<KeyReceipt[]>(['stored', 'already held', 'another key held', 'erased', 'stored', 'already held', 'another key held']);
    const held = await keys.find(db.dataSource.manager, 'police', [fresh, same, other, erased, twice]);
    expect(held).toEqual(
      new Map([
        [fresh, key(1)],
        [same, key(2)],
        [other, key(3)],
        [erased, null],
        [twice, key(5)],
      ]),
    );
  });

  it('answers one by one as receive does, for a record of another owner too', async () => {
    const ref = uuidv7();
    const key = randomBytes(32);
    const single = await db.dataSource.transaction((tx) => keys.receive(tx, 'immigration', ref, key));
    const many = await db.dataSource.transaction((tx) => keys.receiveMany(tx, 'immigration', [{ ref, key }, { ref, key: randomBytes(32) }]));
    expect([single, ...many]).toEqual(['stored', 'already held', 'another key held']);
    expect(await db.dataSource.transaction((tx) => keys.receiveMany(tx, 'police', [{ ref, key }]))).toEqual(['stored']);
    expect(await db.dataSource.transaction((tx) => keys.receiveMany(tx, 'police', []))).toEqual([]);
  });
});

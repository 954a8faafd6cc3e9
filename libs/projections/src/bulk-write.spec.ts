import { Insert, sendInserts } from './bulk-write';

// The sender loop alone, with a stand-in for the database: which INSERTs go, and when the caller hears.

const inserts = (count: number): Insert[] => Array.from({ length: count }, (_, i) => ({ sql: `insert ${i + 1}`, json: () => `[${i + 1}]`, rows: 10 }));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('sendInserts', () => {
  it('sends every INSERT once over the senders and counts the rows', async () => {
    const sent: string[] = [];
    const written = await sendInserts(inserts(5)[Symbol.iterator](), 2, async (sql) => void sent.push(sql));
    expect(written).toBe(50);
    expect(sent.sort()).toEqual(['insert 1', 'insert 2', 'insert 3', 'insert 4', 'insert 5']);
  });

  it('keeps at most `senders` INSERTs under way', async () => {
    let underWay = 0;
    let most = 0;
    await sendInserts(inserts(9)[Symbol.iterator](), 3, async () => {
      most = Math.max(most, ++underWay);
      await new Promise((resolve) => setImmediate(resolve));
      underWay--;
    });
    expect(most).toBe(3);
  });

  it('after a failure sends nothing more, and rejects only once the other sender has finished its INSERT', async () => {
    const first = deferred();
    const sent: string[] = [];
    let settled = false;
    const writing = sendInserts(inserts(4)[Symbol.iterator](), 2, (sql) => {
      sent.push(sql);
      if (sql === 'insert 1') return first.promise;
      return Promise.reject(new Error(`${sql} refused`));
    });
    writing.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['insert 1', 'insert 2']);
    expect(settled).toBe(false);
    first.resolve();
    await expect(writing).rejects.toThrow('insert 2 refused');
    expect(sent).toEqual(['insert 1', 'insert 2']);
  });
});

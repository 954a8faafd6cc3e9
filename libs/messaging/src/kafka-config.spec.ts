import { chunksOf, messageBytes, partitionFor, unwrittenPartitions } from './kafka-config';

describe('messageBytes', () => {
  it('counts the key, the value and every header, names included', () =>
    expect(messageBytes({ key: 'ab', value: Buffer.alloc(10), headers: { h1: 'xyz', h2: Buffer.alloc(4), many: ['a', 'bc'] } })).toBe(2 + 10 + (2 + 3) + (2 + 4) + (4 + 3)));

  it('counts text as its UTF-8 bytes, and nothing for a missing key or value (a tombstone)', () =>
    expect(messageBytes({ key: 'é', value: null })).toBe(2));
});

describe('chunksOf', () => {
  const size = (n: number) => n;

  it('keeps the order and fills each chunk up to the limit', () => expect(chunksOf([3, 3, 3, 1, 4], size, 6)).toEqual([[3, 3], [3, 1], [4]]));

  it('sends an item larger than the limit alone', () => expect(chunksOf([1, 10, 1], size, 6)).toEqual([[1], [10], [1]]));

  it('makes no chunk of nothing', () => expect(chunksOf([], size, 6)).toEqual([]));
});

describe('partitionFor', () => {
  const message = (key: string) => ({ key, value: 'x' });
  it('gives every key a partition of the topic, the same each time and on every topic of that size', () => {
    for (const key of ['a', 'stream-1', '018f3f5e-1c2d-7a00-8000-000000000001', 'ü']) {
      const partition = partitionFor('intel.a.b', message(key), 3);
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(3);
      expect(partitionFor('intel.a.b', message(key), 3)).toBe(partition);
      expect(partitionFor('intel.a.c', message(key), 3)).toBe(partition);
    }
  });
  it('spreads keys over the partitions', () => {
    const used = new Set(Array.from({ length: 60 }, (_, i) => partitionFor('t', message(`stream-${i}`), 3)));
    expect(used).toEqual(new Set([0, 1, 2]));
  });
  it('refuses a message without a key, which has no fixed partition', () =>
    expect(() => partitionFor('t', { value: 'x' }, 3)).toThrow('a message to t has no key'));
});

describe('unwrittenPartitions', () => {
  const sent = [
    { topic: 'intel.a.b', messages: [{ key: 'k', value: '1', partition: 0 }, { key: 'l', value: '2', partition: 2 }] },
    { topic: 'intel.a.audit', messages: [{ key: 'k', value: '1', partition: 0 }] },
  ];
  const ok = (topicName: string, partition: number) => ({ topicName, partition, errorCode: 0 });
  it('is empty when the answer reports every partition written', () =>
    expect(unwrittenPartitions(sent, [ok('intel.a.b', 0), ok('intel.a.b', 2), ok('intel.a.audit', 0)])).toEqual([]));
  it('names a partition the answer leaves out, as after kafkajs retried without it', () =>
    expect(unwrittenPartitions(sent, [ok('intel.a.b', 0), ok('intel.a.audit', 0)])).toEqual(['intel.a.b/2']));
  it('names a partition reported with an error', () =>
    expect(unwrittenPartitions(sent, [ok('intel.a.b', 0), { ...ok('intel.a.b', 2), errorCode: 6 }, ok('intel.a.audit', 0)])).toEqual(['intel.a.b/2']));
});

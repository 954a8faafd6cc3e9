import { chunksOf, messageBytes } from './kafka-config';

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

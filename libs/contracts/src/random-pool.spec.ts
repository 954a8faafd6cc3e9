import { pooledRandomBytes } from './random-pool';

describe('pooledRandomBytes', () => {
  it('hands out the bytes asked for, never the same bytes twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 12-byte draws over three 4 KiB pools: a repeat would mean a byte range handed out twice.
    for (let i = 0; i < 1000; i++) {
      const bytes = pooledRandomBytes(12);
      expect(bytes).toHaveLength(12);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(1000);
  });

  it('gives a copy in memory of its own when asked, and a view of the pool otherwise', () => {
    const view = pooledRandomBytes(32);
    const own = pooledRandomBytes(32, { copy: true });
    expect(view.buffer.byteLength).toBeGreaterThan(32);
    expect(own.buffer.byteLength).toBe(32);
    expect(own.equals(Buffer.alloc(32))).toBe(false);
  });

  it('refuses a size it cannot serve, naming it', () => {
    for (const size of [0, -1, 1.5, 4097]) expect(() => pooledRandomBytes(size)).toThrow(`pooledRandomBytes takes 1 to 4096 bytes, not ${size}`);
  });
});

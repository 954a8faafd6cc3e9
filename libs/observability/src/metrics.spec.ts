import { addScrapeSource, cachedFor, eventsConsumed, metricsRegistry } from './metrics';

describe('cachedFor', () => {
  it('asks once for calls made while an answer is on its way and for ttl after it came, then again', async () => {
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      let calls = 0;
      let release!: (n: number) => void;
      const get = cachedFor(60_000, () => {
        calls++;
        return new Promise<number>((resolve) => (release = resolve));
      });
      const [a, b] = [get(), get()];
      now += 120_000;
      release(7);
      expect(await Promise.all([a, b])).toEqual([7, 7]);
      now += 59_999;
      expect(await get()).toBe(7);
      expect(calls).toBe(1);
      now += 1;
      const again = get();
      release(8);
      expect(await again).toBe(8);
      expect(calls).toBe(2);
    } finally {
      clock.mockRestore();
    }
  });

  it('does not keep a failure', async () => {
    let calls = 0;
    const get = cachedFor(60_000, async () => {
      calls++;
      if (calls === 1) throw new Error('brokers away');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('brokers away');
    expect(await get()).toBe('ok');
    expect(calls).toBe(2);
  });
});

describe('the registry', () => {
  it('exposes the figures of scrape sources with their labels, and leaves out a source that fails', async () => {
    const remove = [
      addScrapeSource({
        consumerLag: async () => [{ consumer: 'u1-immigration-policies', topic: 'intel.u1-police.u1-immigration', partition: 2, lag: 5 }],
        relay: async () => ({ agency: 'u1-police', waiting: 3, published: 41 }),
        parked: async () => [{ consumer: 'u1-immigration-policies', count: 1 }],
      }),
      addScrapeSource({ consumerLag: () => Promise.reject(new Error('brokers away')), relay: () => Promise.reject(new Error('db away')) }),
    ];
    try {
      const text = await metricsRegistry.metrics();
      expect(text).toContain('interlink_consumer_lag_messages{consumer="u1-immigration-policies",topic="intel.u1-police.u1-immigration",partition="2"} 5');
      expect(text).toContain('interlink_relay_waiting_events{agency="u1-police"} 3');
      expect(text).toContain('interlink_relay_published_sequence{agency="u1-police"} 41');
      expect(text).toContain('interlink_parked_events{consumer="u1-immigration-policies"} 1');
    } finally {
      remove.forEach((r) => r());
    }
    const after = await metricsRegistry.metrics();
    expect(after).not.toContain('u1-police');
  });

  it('counts consumed messages by consumer and outcome', async () => {
    eventsConsumed.inc({ consumer: 'u2-police-policies', outcome: 'applied' }, 3);
    eventsConsumed.inc({ consumer: 'u2-police-policies', outcome: 'skipped' });
    const text = await metricsRegistry.metrics();
    expect(text).toContain('interlink_events_consumed_total{consumer="u2-police-policies",outcome="applied"} 3');
    expect(text).toContain('interlink_events_consumed_total{consumer="u2-police-policies",outcome="skipped"} 1');
  });
});

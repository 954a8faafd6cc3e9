import { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import { EventStore } from '@interlink/event-store';
import { Relay } from './relay';
import { TopicManager } from './topics';

/**
 * The relay's rounds as its LogFollower runs them, with leadership and publishing replaced:
 * what `status()` reports as failing comes from here (the integration tests cover the rest).
 */
describe('a relay round', () => {
  type Internals = { step(): Promise<boolean>; lead(): Promise<boolean>; releaseLead(): Promise<void>; publishNextBatch(): Promise<number>; failing?: { since: string; message: string } };
  const relayWith = (lead: () => Promise<boolean>, publish: () => Promise<number>) => {
    const relay = new Relay({} as Kafka, {} as TopicManager, {} as DataSource, { agencyId: 'police' } as EventStore, { databaseUrl: 'unused', batchSize: 2 });
    const internals = relay as unknown as Internals;
    internals.lead = lead;
    internals.publishNextBatch = publish;
    internals.releaseLead = async () => undefined;
    return internals;
  };

  it('records why publishing failed, and since when', async () => {
    const relay = relayWith(async () => true, async () => Promise.reject(new Error('the database system is shutting down')));
    await expect(relay.step()).rejects.toThrow('shutting down');
    expect(relay.failing).toEqual({ since: expect.any(String), message: 'the database system is shutting down' });
  });

  it('forgets the failure once a round publishes', async () => {
    let fail = true;
    const relay = relayWith(async () => true, async () => (fail ? Promise.reject(new Error('broker down')) : 1));
    await expect(relay.step()).rejects.toThrow('broker down');
    fail = false;
    await expect(relay.step()).resolves.toBe(false);
    expect(relay.failing).toBeUndefined();
  });

  it('forgets it too once another instance leads: a standby has nothing to publish', async () => {
    let leads = true;
    const relay = relayWith(async () => leads, async () => Promise.reject(new Error('the database system is shutting down')));
    await expect(relay.step()).rejects.toThrow();
    leads = false;
    await expect(relay.step()).resolves.toBe(false);
    expect(relay.failing).toBeUndefined();
  });

  it('says there is more at once when a round publishes a whole batch', async () => {
    await expect(relayWith(async () => true, async () => 2).step()).resolves.toBe(true);
    await expect(relayWith(async () => true, async () => 1).step()).resolves.toBe(false);
  });
});

describe('the next batch, prepared while one is sent', () => {
  const at = (sequence: number) => ({ position: { txId: '1', position: String(sequence) }, sequence, hash: `sha256:${String(sequence).padStart(64, '0')}` });
  const prepared = (from: number, count: number) => {
    const messages = Array.from({ length: count }, (_, i) => ({ id: `e${from + i + 1}`, sequence: from + i + 1 }));
    return { from: at(from), to: at(from + count), count, messages, routed: [], outgoing: [] };
  };

  function relayAt(checkpoints: number[], batches: (from: number) => number) {
    const queries: unknown[][] = [];
    const relay = new Relay({} as Kafka, {} as TopicManager, { query: async (...args: unknown[]) => queries.push(args) } as unknown as DataSource, { agencyId: 'police' } as EventStore, { databaseUrl: 'unused', batchSize: 2 });
    const internals = relay as unknown as { checkpoint(): Promise<unknown>; prepare(from: { sequence: number }): Promise<unknown>; send(): Promise<void> };
    const prepares: number[] = [];
    internals.checkpoint = async () => at(checkpoints.shift()!);
    internals.prepare = async (from) => {
      prepares.push(from.sequence);
      const count = batches(from.sequence);
      return count === 0 ? undefined : prepared(from.sequence, count);
    };
    internals.send = async () => undefined;
    return { relay, prepares, queries };
  }

  it('is read after a full batch and used when the checkpoint is where that batch left it', async () => {
    const { relay, prepares, queries } = relayAt([0, 2, 4], (from) => (from < 4 ? 2 : 0));
    expect(await relay.publishNextBatch()).toBe(2);
    expect(await relay.publishNextBatch()).toBe(2);
    expect(await relay.publishNextBatch()).toBe(0);
    // 0 asked; 2 and 4 ahead, while the batch before was sent; 4 again, as it was empty then.
    expect(prepares).toEqual([0, 2, 4, 4]);
    expect(queries.map((q) => (q[1] as unknown[])[3])).toEqual([2, 4]);
  });

  it('is not used when the checkpoint moved elsewhere meanwhile (another instance published)', async () => {
    const { relay, prepares } = relayAt([0, 6], (from) => (from < 8 ? 2 : 0));
    await relay.publishNextBatch();
    await relay.publishNextBatch();
    expect(prepares).toEqual([0, 2, 6, 8]);
  });

  it('is not read after a batch that was not full: there is nothing more yet', async () => {
    const { relay, prepares } = relayAt([0], () => 1);
    await relay.publishNextBatch();
    expect(prepares).toEqual([0]);
  });
});

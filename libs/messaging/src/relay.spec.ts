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
